"""Data for the API benchmark: 120 tender templates, a statement signed by 120 organisations and a
thread of 120 posts, all readable by one ordinary member (so page sizes 10/50/100 are full pages).
Answers ``{"reader": session key, "statement": slug, "thread": id}``."""

from __future__ import annotations

from bench.workers.common import emit, organisation, people, session_key, start

ROWS = 120


def main() -> None:
    start()
    from network import ratelimit

    with ratelimit.exempt():  # set-up rows, not people acting
        _load()


def _load() -> None:
    from forums import services as forum_services
    from knowledge.services.templates import TemplateData, template_create
    from knowledge.statements import services as statement_services
    from network.visibility import Visibility

    home = organisation("bench-api-city", "Bench API City")
    editor = people(home, 1, prefix="api-editor", role="owner")[0]
    # An ordinary member of another verified organisation: reads through the ``network`` rule.
    reader = people(organisation("bench-api-readers", "Bench API Readers"), 1, prefix="api-reader")[0]
    for index in range(ROWS):
        template_create(
            person=editor,
            organisation=home,
            data=TemplateData(
                title=f"Laptop framework agreement {index}",
                summary="Repairable laptops with a six-year spare-parts commitment and take-back.",
                tags=["laptops", "circular"],
                visibility=Visibility.NETWORK,
            ),
        )
    statement = statement_services.statement_create(
        person=editor,
        organisation=home,
        data=statement_services.StatementData(
            title="Bench statement for the API",
            body="Repairable, refurbished-first ICT.",
            visibility=Visibility.PUBLIC,
            demands=[{"text": "Six years of spare parts.", "category": "laptops"}],
        ),
    )
    statement = statement_services.statement_open(person=editor, statement=statement)
    for index in range(ROWS):
        org = organisation(f"bench-api-signer-{index}", f"Bench API Signer {index}")
        signatory = people(org, 1, prefix=f"api-signatory-{index}", role="signatory")[0]
        statement_services.statement_sign(person=signatory, statement=statement, organisation=org)
    forum = forum_services.forum_create(
        organisation=home, name="Bench API forum", slug="bench-api", visibility_level=Visibility.NETWORK
    )
    thread = forum_services.thread_create(person=editor, forum=forum, title="API thread", body="Post 1")
    for index in range(2, ROWS + 1):
        forum_services.post_create(
            person=editor, thread=thread, body=f"Post {index} about **repairability**."
        )
    emit({"reader": session_key(reader), "statement": statement.slug, "thread": thread.pk})


if __name__ == "__main__":
    main()

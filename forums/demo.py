"""Demo forums: the network forum and the ethical ICT working group's forum, with threads from the
seed story (a market dialogue on fair smartphones, Electronics Watch contract clauses, TCO Certified
generation 10). Idempotent: threads are found by forum and title, posts by their ``client_id``."""

from __future__ import annotations

from forums import services
from forums.models import Forum, Post, Thread
from members.models import Organisation, Person, WorkingGroup

NETWORK_THREADS = [
    (
        "Welcome: what are you buying in 2026?",
        [
            (
                "owner@fido.fgov.be",
                "Welcome to the network forum! Tell us which ICT tenders you plan this year, "
                "so peers can **align timing** or co-host a market dialogue.",
            ),
            (
                "owner@hel.fi",
                "Helsinki: laptops and tablets for schools (about 20 000 devices), tender planned for "
                "autumn. We will reuse last round's *Electronics Watch* clauses.",
            ),
            (
                "owner@malmo.se",
                "Malmö: smartphones for care workers. Happy to compare award criteria with "
                "@Aino Virtanen before we publish.",
            ),
        ],
    ),
]
GROUP_THREADS = [
    (
        "Market dialogue on fair smartphones: questions for suppliers",
        [
            (
                "owner@fido.fgov.be",
                "Ahead of the market dialogue: which questions should we put to suppliers on "
                "**supply chain transparency** and repairability? Draft list:\n\n1. Tier-2 smelter lists\n"
                "2. Spare parts for at least 5 years\n3. Battery replacement without tools",
            ),
            ("signatory@malmo.se", "Add: *take-back* and refurbishment options at contract end."),
            (
                "owner@hel.fi",
                "We learnt in Helsinki that suppliers answer more openly when the dialogue is "
                "anonymous. @Lucas Peeters could we use a written round first?",
            ),
            (
                "owner@oslo.kommune.no",
                "Oslo supports this. We can share our questionnaire from the 2024 tablets tender.",
            ),
        ],
    ),
    (
        "Electronics Watch contract clauses: experiences",
        [
            (
                "owner@hel.fi",
                "We used the Electronics Watch contract conditions in the 2023 laptop tender. "
                "The supplier disclosed final assembly factories within three months. Lessons: budget staff time "
                "for the follow-up, and agree on a remediation plan template early.",
            ),
            ("owner@haarlem.nl", "Useful. Did you include the clauses in the framework or in each call-off?"),
            ("owner@hel.fi", "In the framework agreement, with a reference in every call-off."),
        ],
    ),
    (
        "TCO Certified generation 10: what changes for us?",
        [
            (
                "signatory@kk.dk",
                "TCO Certified generation 10 tightens criteria on **supply chain responsibility** "
                "and product lifetime. Does anyone already require it in specifications?",
            ),
            (
                "owner@oslo.kommune.no",
                "We accept gen 10 or equivalent for displays from next year; verification "
                "by the certificate, or equivalent third-party evidence.",
            ),
        ],
    ),
]


def _thread(forum: Forum, title: str, posts: list[tuple[str, str]]) -> int:
    people = {p.email: p for p in Person.objects.filter(email__in=[e for e, _b in posts])}
    thread = Thread.objects.filter(forum=forum, title=title).first()
    made = 0
    for n, (email, body) in enumerate(posts, start=1):
        author = people.get(email)
        if author is None:
            continue
        client_id = f"demo-{n}"
        if thread is None:
            thread = services.thread_create(
                person=author, forum=forum, title=title, body=body, client_id=client_id
            )
            made += 1
        elif not Post.objects.filter(thread=thread, author=author, client_id=client_id).exists():
            services.post_create(person=author, thread=thread, body=body, client_id=client_id)
            made += 1
    return made


def load(stdout) -> None:
    host = Organisation.objects.filter(slug="fisd").first()
    group = WorkingGroup.objects.filter(slug="ethical-ict").first()
    if host is None or group is None:
        stdout.write("  forums: skipped (members demo not loaded)")
        return
    network = services.network_forum_ensure(
        organisation=host,
        name="Buyers Network forum",
        description="Open to every member of a verified organisation: introductions, planned tenders, questions.",
    )
    group_forum = services.group_forum_ensure(group=group)
    made = sum(_thread(network, title, posts) for title, posts in NETWORK_THREADS)
    made += sum(_thread(group_forum, title, posts) for title, posts in GROUP_THREADS)
    stdout.write(
        f"  forums: {Forum.objects.count()} forums, {Thread.objects.count()} threads, {made} new posts"
    )

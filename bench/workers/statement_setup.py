"""Set up the signature burst: an open public statement and N verified organisations, each with a
signatory holding a signed-in session. Answers ``{"slug", "signers": [{"org", "token"}]}``."""

from __future__ import annotations

from bench.workers.common import emit, organisation, people, session_key, skip, start


def main() -> None:
    payload = start()
    try:
        from knowledge.statements import services
    except ImportError as exc:
        skip(f"statements are not installed yet ({exc})")
    from network.visibility import Visibility

    count = int(payload.get("organisations", 50))
    lead = organisation("bench-lead-city", "Bench Lead City")
    editor = people(lead, 1, prefix="statement-editor", role="owner")[0]
    statement = services.statement_create(
        person=editor,
        organisation=lead,
        data=services.StatementData(
            title="Bench statement of demand for repairable laptops",
            body="We will buy laptops that can be repaired for at least six years.",
            visibility=Visibility.PUBLIC,
            demands=[{"text": "Spare parts and repair manuals for six years.", "category": "laptops"}],
        ),
    )
    statement = services.statement_open(person=editor, statement=statement)
    signers = []
    for index in range(count):
        org = organisation(f"bench-signer-{index}", f"Bench Signer {index}")
        signatory = people(org, 1, prefix=f"signatory-{index}", role="signatory")[0]
        signers.append({"org": org.slug, "token": session_key(signatory)})
    emit({"slug": statement.slug, "signers": signers})


if __name__ == "__main__":
    main()

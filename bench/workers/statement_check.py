"""Count what the signature burst stored: signatures per organisation (duplicates) on one statement."""

from __future__ import annotations

from bench.workers.common import emit, start


def main() -> None:
    payload = start()
    from django.db.models import Count

    from knowledge.statements.models import Signature

    rows = Signature.objects.filter(statement__slug=payload["slug"])
    per_org = rows.values("organisation_id").annotate(n=Count("id"))
    emit(
        {
            "signatures": rows.count(),
            "organisations": per_org.count(),
            "duplicates": sum(row["n"] - 1 for row in per_org if row["n"] > 1),
        }
    )


if __name__ == "__main__":
    main()

"""Demo statements: the Nordic cities' Joint Statement of Demand for Circular, Fair Smartphones
(open, signed with volumes) and a draft on circular laptops visible to its issuers only.

Idempotent: statements are found by slug, signatures are only added where an organisation has no
active one. Texts paraphrase the real statement's themes (domain notes §1.7); they are not quotes.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from knowledge.statements import services
from knowledge.statements.models import Signature, Statement, StatementStatus
from members.models import Organisation, Person

SMARTPHONES = "circular-fair-smartphones"
LAPTOPS = "circular-laptops-draft"

SMARTPHONE_BODY = """\
The cities of Malmö, Oslo, Copenhagen and Helsinki together buy tens of thousands of smartphones
every year. Smartphones are made in long, opaque supply chains in which workers' rights are at risk,
and most phones are replaced long before they stop working.

This statement was prepared over six months under the *Make ICT Fair* project, with feedback from
suppliers, resellers and independent organisations at the **Nordic Forum for Market Dialogue**
(25 November 2020). It was published on 29 January 2021 with the support of ICLEI, Electronics Watch
and the Procura+ Network.

By 2025 the signatories intend to buy smartphones that are made and handled fairly and that stay in
use for longer. The nine ambitions below say what we will ask of the market, and what we commit to do
ourselves.
"""

SMARTPHONE_DEMANDS = [
    "Use harmonised criteria and contract clauses across our tenders, covering the whole life of a phone: "
    "raw materials, manufacturing, delivery, repair, reuse, recycling and disposal.",
    "Work with resellers and suppliers towards transparency about the supply chain, including in "
    "hardware-as-a-service agreements.",
    "Work with resellers and suppliers towards transparency about what happens to phones at end of life.",
    "Ask for independent certification of social and environmental performance.",
    "Support worker-driven monitoring of factories in the supply chain.",
    "Extend the life of phones through service agreements, longer warranties and replaceable batteries "
    "with guaranteed battery performance.",
    "Make spare parts and repair available for the whole intended use time.",
    "Collect all phones at end of life for reuse or responsible recycling.",
    "Buy second-life (refurbished) phones where they meet our needs.",
]

LAPTOP_BODY = """\
A first draft for a joint statement on circular laptops: longer use, refurbished devices and
take-back. Issuers are still discussing the ambitions; not for circulation.
"""

#: (organisation slug, signatory e-mail, phones a year, public?, comment)
SIGNATURES = [
    ("helsinki", "signatory@hel.fi", 6500, True, "Helsinki buys about 6,000 to 7,000 phones a year."),
    ("malmo", "signatory@malmo.se", 6000, True, ""),
    ("oslo", "signatory@oslo.kommune.no", 12000, False, ""),
    ("copenhagen", "signatory@kk.dk", 11000, True, "Together we are a market signal."),
]


def _person(email: str) -> Person | None:
    return Person.objects.filter(email=email).first()


def load(stdout) -> None:
    orgs = {
        o.slug: o for o in Organisation.objects.filter(slug__in=["helsinki", "malmo", "oslo", "copenhagen"])
    }
    owner = _person("owner@malmo.se")
    if len(orgs) < 4 or owner is None:
        stdout.write("  statements: members demo data missing, skipped")
        return
    with transaction.atomic():
        statement = Statement.objects.filter(slug=SMARTPHONES).first()
        if statement is None:
            statement = Statement.objects.create(
                organisation=orgs["malmo"],
                slug=SMARTPHONES,
                title="Joint Statement of Demand for Circular, Fair Smartphones",
                summary="Malmö, Oslo, Copenhagen and Helsinki state nine ambitions for 2025 for smartphones "
                "that are made fairly and kept in use for longer.",
                body=SMARTPHONE_BODY,
                body_html=services.markdown.render(SMARTPHONE_BODY),
                contact="ICLEI Europe, sustainable procurement team",
                opens_on=datetime.date(2021, 1, 29),
                created_by=owner,
            )
            statement.issuers.set(orgs.values())
            services._replace_demands(
                statement,
                [
                    {"position": i, "text": t, "category": "phones", "cpv_code": "32250000-0"}
                    for i, t in enumerate(SMARTPHONE_DEMANDS, start=1)
                ],
            )
        if statement.status == StatementStatus.DRAFT:
            statement = services.statement_open(person=owner, statement=statement)
        for slug, email, phones, public, comment in SIGNATURES:
            signer = _person(email)
            if (
                signer is None
                or Signature.objects.active().filter(statement=statement, organisation=orgs[slug]).exists()
            ):
                continue
            services.statement_sign(
                person=signer,
                statement=statement,
                organisation=orgs[slug],
                volumes={"phones": phones},
                volumes_public=public,
                comment=comment,
            )
        if not Statement.objects.filter(slug=LAPTOPS).exists():
            editor = _person("editor@hel.fi")
            draft = Statement.objects.create(
                organisation=orgs["helsinki"],
                slug=LAPTOPS,
                title="Joint Statement of Demand for Circular Laptops (draft)",
                summary="Longer use, refurbished laptops and take-back.",
                body=LAPTOP_BODY,
                body_html=services.markdown.render(LAPTOP_BODY),
                created_by=editor,
            )
            draft.issuers.set([orgs["helsinki"]])
            services._replace_demands(
                draft,
                [
                    {
                        "position": 1,
                        "text": "Laptops with at least six years of use time.",
                        "category": "laptops",
                        "cpv_code": "30213100-6",
                    },
                    {
                        "position": 2,
                        "text": "A share of refurbished laptops in every framework.",
                        "category": "laptops",
                        "cpv_code": "",
                    },
                ],
            )
    stdout.write(
        f"  statements: {Statement.objects.count()} statements, {Signature.objects.active().count()} active signatures"
    )

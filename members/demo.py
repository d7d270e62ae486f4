"""Demo organisations, people and working groups (idempotent). Log-ins are listed in the README.

The organisations are real European public buyers active in fair and circular ICT procurement
(see ``../shared/research/domain-notes.md`` (beside the repository)). Helsinki's figures come from the Helsinki portrait
(about 40,000 employees; 20,000 laptops, 6,000 to 7,000 phones and 5,000 tablets a year); the other
volumes are plausible illustrations for the demo, not published figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from members.models import GroupMembership, Membership, Organisation, Person, Role, WorkingGroup

DEMO_PASSWORD = "demo-network-2026"  # noqa: S105 - documented demo log-in, never used in production


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    country: str
    kind: str
    website: str
    domains: list[str]
    people_served: int
    volumes: dict[str, int]
    description: str = ""
    verified: bool = True
    cpv: list[str] = field(default_factory=lambda: ["30213100", "32250000", "30213200"])


ORGANISATIONS: list[DemoOrg] = [
    DemoOrg(
        "helsinki",
        "City of Helsinki",
        "FI",
        "municipality",
        "https://www.hel.fi",
        ["hel.fi"],
        40000,
        {"laptops": 20000, "phones": 6500, "tablets": 5000},
        "Co-issued the 2021 joint statement of demand for circular, fair smartphones with Malmö, Oslo "
        "and Copenhagen. Plans a responsible ICT tender with social criteria and contract clauses.",
    ),
    DemoOrg(
        "malmo",
        "City of Malmö",
        "SE",
        "municipality",
        "https://malmo.se",
        ["malmo.se"],
        27000,
        {"laptops": 9000, "phones": 6000, "tablets": 3000},
        "Co-issued the smartphone joint statement; its mayor opened the Nordic Forum for Market "
        "Dialogue on 25 November 2020.",
    ),
    DemoOrg(
        "oslo",
        "City of Oslo",
        "NO",
        "municipality",
        "https://www.oslo.kommune.no",
        ["oslo.kommune.no"],
        50000,
        {"laptops": 18000, "phones": 12000, "tablets": 8000},
        "Co-issued the smartphone joint statement and signed the zero-emission construction sites statement.",
    ),
    DemoOrg(
        "copenhagen",
        "City of Copenhagen",
        "DK",
        "municipality",
        "https://www.kk.dk",
        ["kk.dk"],
        45000,
        {"laptops": 15000, "phones": 11000, "tablets": 6000},
        "Co-issued the smartphone joint statement.",
    ),
    DemoOrg(
        "haarlem",
        "Municipality of Haarlem",
        "NL",
        "municipality",
        "https://haarlem.nl",
        ["haarlem.nl"],
        1400,
        {"laptops": 900, "phones": 600},
        "Make ICT Fair pilot; hosted a Meet the Buyer event on its workplace-hardware tender (15 April "
        "2019); Procura+ Award 2020.",
    ),
    DemoOrg(
        "fisd",
        "Federal Institute for Sustainable Development",
        "BE",
        "national_agency",
        "https://www.ifdd.fgov.be",
        ["fido.fgov.be"],
        80,
        {"laptops": 60},
        "Signed the Circular and Fair ICT Pact on 14 June 2021 and ran the International Working Group "
        "on Ethical Procurement of ICT with ICLEI; supports the Belgian ICT buyer group (~80 buyers).",
    ),
    DemoOrg(
        "vantaa",
        "City of Vantaa",
        "FI",
        "municipality",
        "https://www.vantaa.fi",
        ["vantaa.fi"],
        12000,
        {"laptops": 5000, "phones": 2500, "tablets": 1500},
        "Signed the zero-emission construction sites joint statement. (Demo: not verified yet.)",
        verified=False,
    ),
    DemoOrg(
        "barcelona",
        "Barcelona City Council",
        "ES",
        "municipality",
        "https://www.barcelona.cat",
        ["bcn.cat"],
        13000,
        {"laptops": 6000, "phones": 4000},
        "Electronics Watch affiliate since February 2016; transparency clause requiring factory locations; "
        "Fairphone pilot; hosted Meet the Buyer on 27 February 2019.",
    ),
    DemoOrg(
        "region-stockholm",
        "Region Stockholm",
        "SE",
        "region",
        "https://www.regionstockholm.se",
        ["regionstockholm.se"],
        47000,
        {"laptops": 16000, "desktops": 9000, "monitors": 14000, "phones": 15000},
        "Make ICT Fair pilot and Electronics Watch affiliate; hosted the socially responsible ICT "
        "procurement workshop in October 2019.",
    ),
    DemoOrg(
        "stavanger",
        "City of Stavanger",
        "NO",
        "municipality",
        "https://www.stavanger.kommune.no",
        ["stavanger.kommune.no"],
        9500,
        {"laptops": 3500, "phones": 2500, "tablets": 4000},
        "Make ICT Fair pilot; joined Procura+ in October 2016.",
    ),
    DemoOrg(
        "amsterdam",
        "City of Amsterdam",
        "NL",
        "municipality",
        "https://www.amsterdam.nl",
        ["amsterdam.nl"],
        16000,
        {"laptops": 9000, "monitors": 8000, "phones": 7000},
        "Affiliated to Electronics Watch in 2018 and co-hosted its annual conference on 11 December 2018.",
    ),
    DemoOrg(
        "hansel",
        "Hansel Ltd",
        "FI",
        "central_purchasing_body",
        "https://www.hansel.fi",
        ["hansel.fi"],
        200,
        {"laptops": 60000, "desktops": 15000, "monitors": 40000, "phones": 30000, "tablets": 10000},
        "Finland's central purchasing body; its 2010 ICT framework asked suppliers about the ILO core conventions.",
    ),
    DemoOrg(
        "lupc",
        "London Universities Purchasing Consortium",
        "GB",
        "central_purchasing_body",
        "https://www.lupc.ac.uk",
        ["lupc.ac.uk"],
        90,
        {"laptops": 25000, "desktops": 20000, "monitors": 30000},
        "Consortium-wide Electronics Watch affiliation for its member universities; runs the affiliate "
        "product and factory disclosure forms.",
    ),
    DemoOrg(
        "apuc",
        "APUC (Advanced Procurement for Universities and Colleges)",
        "GB",
        "central_purchasing_body",
        "https://www.apuc-scot.ac.uk",
        ["apuc-scot.ac.uk"],
        100,
        {"laptops": 18000, "desktops": 12000},
        "Scotland's university and college procurement centre; Make ICT Fair pilot and Electronics Watch "
        "consortium affiliate.",
    ),
    DemoOrg(
        "ogp-ireland",
        "Office of Government Procurement",
        "IE",
        "national_agency",
        "https://www.gov.ie/ogp",
        ["ogp.gov.ie"],
        250,
        {"laptops": 30000, "desktops": 8000},
        "Set up the first Irish government framework for remanufactured laptops.",
    ),
    DemoOrg(
        "facilitair-bedrijf",
        "Flemish Agency for Facility Operations",
        "BE",
        "central_purchasing_body",
        "https://www.vlaanderen.be/facilitair-bedrijf",
        ["vlaanderen.be"],
        30000,
        {"laptops": 12000, "phones": 9000},
        "Agentschap Facilitair Bedrijf: due-diligence clauses for small ICT hardware and a Fairphone pilot.",
    ),
    DemoOrg(
        "viken",
        "Viken County Council",
        "NO",
        "region",
        "https://viken.no",
        ["viken.no"],
        11000,
        {"laptops": 7000, "phones": 5000, "tablets": 2000},
        "Lifetime extension measures for smartphones.",
    ),
    DemoOrg(
        "swiss-fbl",
        "Swiss Federal Office for Buildings and Logistics",
        "CH",
        "national_agency",
        "https://www.bbl.admin.ch",
        ["bbl.admin.ch"],
        38000,
        {"laptops": 14000, "monitors": 20000, "phones": 12000},
        "Buys the federal Standard Workplace: recycled plastics, no unnecessary accessories.",
    ),
    DemoOrg(
        "dutch-iwr",
        "Dutch Ministry of the Interior and Kingdom Relations (ICT Werkomgeving Rijk)",
        "NL",
        "national_agency",
        "https://www.rijksoverheid.nl",
        ["minbzk.nl"],
        130000,
        {"laptops": 40000, "monitors": 60000, "phones": 30000},
        "Five workplace-hardware tenders (IWR2021), 50/50 price/quality with 87% of quality on "
        "sustainability; Procura+ Innovation Procurement of the Year 2022.",
    ),
    DemoOrg(
        "umc-utrecht",
        "UMC Utrecht",
        "NL",
        "hospital",
        "https://www.umcutrecht.nl",
        ["umcutrecht.nl"],
        12000,
        {"laptops": 3000, "desktops": 6000, "monitors": 8000},
        "The first Dutch (and first hospital) Electronics Watch affiliate, in 2015.",
    ),
    DemoOrg(
        "canton-vaud",
        "Canton of Vaud",
        "CH",
        "region",
        "https://www.vd.ch",
        ["vd.ch"],
        35000,
        {"laptops": 10000, "phones": 6000},
        "Electronics Watch affiliate.",
    ),
    DemoOrg(
        "vetlanda",
        "Vetlanda Municipality",
        "SE",
        "municipality",
        "https://vetlanda.se",
        ["vetlanda.se"],
        2500,
        {"laptops": 1500, "tablets": 800},
        "Chromebook tender using TCO Certified.",
    ),
]

#: Demo log-ins (README lists them): one per role in Helsinki and Malmö, plus conveners and others.
PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("owner@hel.fi", "Aino Virtanen", "Head of Procurement", "helsinki", Role.OWNER),
    ("admin@hel.fi", "Mikko Laine", "ICT Procurement Manager", "helsinki", Role.ADMIN),
    ("signatory@hel.fi", "Sanna Korhonen", "Deputy Mayor's Office", "helsinki", Role.SIGNATORY),
    ("editor@hel.fi", "Jussi Nieminen", "Procurement Specialist", "helsinki", Role.EDITOR),
    ("member@hel.fi", "Liisa Mäkinen", "Sustainability Advisor", "helsinki", Role.MEMBER),
    ("owner@malmo.se", "Karin Berg", "Head of Procurement", "malmo", Role.OWNER),
    ("admin@malmo.se", "Anders Holm", "Procurement Manager", "malmo", Role.ADMIN),
    ("signatory@malmo.se", "Erik Lindqvist", "Director of Finance", "malmo", Role.SIGNATORY),
    ("editor@malmo.se", "Sofia Ek", "Procurement Officer", "malmo", Role.EDITOR),
    ("member@malmo.se", "Johan Nyberg", "IT Category Manager", "malmo", Role.MEMBER),
    ("owner@oslo.kommune.no", "Ola Nordmann", "Head of Procurement", "oslo", Role.OWNER),
    ("signatory@oslo.kommune.no", "Ingrid Hansen", "Chief Procurement Officer", "oslo", Role.SIGNATORY),
    ("signatory@kk.dk", "Mette Jensen", "Head of Purchasing", "copenhagen", Role.SIGNATORY),
    ("editor@kk.dk", "Rasmus Nielsen", "Procurement Consultant", "copenhagen", Role.EDITOR),
    ("owner@haarlem.nl", "Sanne de Vries", "Sustainable Procurement Lead", "haarlem", Role.OWNER),
    ("owner@fido.fgov.be", "Lucas Peeters", "Sustainable Procurement Advisor", "fisd", Role.OWNER),
    ("admin@fido.fgov.be", "Emma Claes", "Working Group Coordinator", "fisd", Role.ADMIN),
    ("owner@bcn.cat", "Laia Puig", "Responsible Procurement Office", "barcelona", Role.OWNER),
    ("owner@stavanger.kommune.no", "Kari Solberg", "Procurement Advisor", "stavanger", Role.OWNER),
    ("owner@lupc.ac.uk", "James Whitfield", "Category Manager ICT", "lupc", Role.OWNER),
    ("owner@vantaa.fi", "Pekka Salo", "Procurement Manager", "vantaa", Role.OWNER),
]

WORKING_GROUPS = [
    {
        "slug": "ethical-ict",
        "name": "International Working Group on Ethical Procurement of ICT",
        "description": "Public procurers and policy makers sharing practice on human rights due diligence, "
        "labels and contract management for ICT. Set up in 2021 by the Belgian Federal Institute for "
        "Sustainable Development with ICLEI; its 2022 lessons: align criteria with the UN Guiding "
        "Principles, choose certifications that balance trust and ease, design out chemicals of concern.",
        "visibility": WorkingGroup.Visibility.PUBLIC,
        "conveners": ["fisd"],
        "members": [
            "helsinki",
            "malmo",
            "oslo",
            "copenhagen",
            "haarlem",
            "barcelona",
            "region-stockholm",
            "amsterdam",
            "facilitair-bedrijf",
            "lupc",
        ],
        "pending": [
            (
                "stavanger",
                "owner@stavanger.kommune.no",
                "Stavanger piloted Make ICT Fair and would like to join.",
            )
        ],
    },
    {
        "slug": "nordic-smartphones",
        "name": "Nordic Buyers for Circular, Fair Smartphones",
        "description": "The cities behind the January 2021 joint statement of demand for circular, fair "
        "smartphones: harmonised criteria, second-life devices, 100% collection at end of life.",
        "visibility": WorkingGroup.Visibility.NETWORK,
        "conveners": ["malmo"],
        "members": ["helsinki", "oslo", "copenhagen", "viken"],
        "pending": [],
    },
]


@functools.cache
def _demo_password_hash() -> str:
    """Hash the shared demo password once (a password hash costs ~0.5 s by design)."""
    return make_password(DEMO_PASSWORD)


def _person(email: str, name: str, title: str = "", *, staff: bool = False) -> Person:
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person.objects.create_user(
            email=email, password=None, name=name, title=title, is_staff=staff
        )
        person.password = _demo_password_hash()
        person.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=person, email=email, defaults={"verified": True, "primary": True})
    return person


@transaction.atomic
def load(stdout) -> None:
    orgs: dict[str, Organisation] = {}
    for o in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            slug=o.slug,
            defaults={
                "name": o.name,
                "country": o.country,
                "kind": o.kind,
                "website": o.website,
                "description": o.description,
                "verified_domains": o.domains,
                "people_served": o.people_served,
                "annual_volumes": o.volumes,
                "cpv_interests": o.cpv,
                "verified": o.verified,
                "verified_at": timezone.now() if o.verified else None,
            },
        )
        orgs[o.slug] = org
    from members.staff import staff_group_ensure

    _person("staff@buyers.network", "Network Staff", "Network staff", staff=True).groups.add(
        staff_group_ensure()
    )
    people: dict[str, Person] = {}
    for email, name, title, org_slug, role in PEOPLE:
        people[email] = _person(email, name, title)
        Membership.objects.get_or_create(
            person=people[email], organisation=orgs[org_slug], defaults={"role": role}
        )
    for spec in WORKING_GROUPS:
        group, _ = WorkingGroup.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "visibility": spec["visibility"],
            },
        )
        group.conveners.add(*[orgs[s] for s in spec["conveners"]])
        for slug in spec["members"]:
            GroupMembership.objects.get_or_create(
                group=group,
                organisation=orgs[slug],
                defaults={"status": GroupMembership.Status.APPROVED, "decided_at": timezone.now()},
            )
        for slug, requester, note in spec["pending"]:
            GroupMembership.objects.get_or_create(
                group=group,
                organisation=orgs[slug],
                defaults={
                    "status": GroupMembership.Status.PENDING,
                    "requested_by": people[requester],
                    "note": note,
                },
            )
    countries = len({o.country for o in ORGANISATIONS})
    stdout.write(
        f"  members: {Organisation.objects.count()} organisations in {countries} countries, "
        f"{Person.objects.count()} people, {WorkingGroup.objects.count()} working groups"
    )


#: Slugs of demo organisations left unverified on purpose (Vantaa shows the unverified experience).
UNVERIFIED = frozenset(o.slug for o in ORGANISATIONS if not o.verified)

"""Demo organisations, people and working groups. Log-ins are listed in the README."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import GroupMembership, Membership, Organisation, Person, Role, WorkingGroup

DEMO_PASSWORD = "demo-network-2026"  # noqa: S105 - documented demo log-in, never used in production

#: (slug, name, country, kind, website, domains, people served, annual volumes)
ORGANISATIONS = [
    (
        "helsinki",
        "City of Helsinki",
        "FI",
        "municipality",
        "https://www.hel.fi",
        ["hel.fi"],
        40000,
        {"laptops": 20000, "phones": 6500, "tablets": 5000},
    ),
    (
        "malmo",
        "City of Malmö",
        "SE",
        "municipality",
        "https://malmo.se",
        ["malmo.se"],
        27000,
        {"laptops": 9000, "phones": 6000, "tablets": 3000},
    ),
    (
        "oslo",
        "City of Oslo",
        "NO",
        "municipality",
        "https://www.oslo.kommune.no",
        ["oslo.kommune.no"],
        50000,
        {"laptops": 18000, "phones": 12000, "tablets": 8000},
    ),
    (
        "copenhagen",
        "City of Copenhagen",
        "DK",
        "municipality",
        "https://www.kk.dk",
        ["kk.dk"],
        45000,
        {"laptops": 15000, "phones": 11000, "tablets": 6000},
    ),
    (
        "haarlem",
        "Municipality of Haarlem",
        "NL",
        "municipality",
        "https://haarlem.nl",
        ["haarlem.nl"],
        1400,
        {"laptops": 900, "phones": 600},
    ),
    (
        "fisd",
        "Federal Institute for Sustainable Development",
        "BE",
        "national_agency",
        "https://www.ifdd.fgov.be",
        ["fido.fgov.be"],
        80,
        {"laptops": 60},
    ),
    (
        "vantaa",
        "City of Vantaa",
        "FI",
        "municipality",
        "https://www.vantaa.fi",
        ["vantaa.fi"],
        12000,
        {"laptops": 5000, "phones": 2500, "tablets": 1500},
    ),
    (
        "barcelona",
        "Barcelona City Council",
        "ES",
        "municipality",
        "https://www.barcelona.cat",
        ["bcn.cat"],
        13000,
        {"laptops": 6000, "phones": 4000},
    ),
]
UNVERIFIED = {"vantaa"}

#: Demo log-ins, one per role (README lists them).
PEOPLE = [
    ("owner@hel.fi", "Aino Virtanen", "helsinki", Role.OWNER),
    ("admin@hel.fi", "Mikko Laine", "helsinki", Role.ADMIN),
    ("signatory@hel.fi", "Sanna Korhonen", "helsinki", Role.SIGNATORY),
    ("editor@hel.fi", "Jussi Nieminen", "helsinki", Role.EDITOR),
    ("member@hel.fi", "Liisa Mäkinen", "helsinki", Role.MEMBER),
    ("signatory@malmo.se", "Erik Lindqvist", "malmo", Role.SIGNATORY),
    ("owner@malmo.se", "Karin Berg", "malmo", Role.OWNER),
    ("signatory@oslo.kommune.no", "Ingrid Hansen", "oslo", Role.SIGNATORY),
    ("owner@oslo.kommune.no", "Ola Nordmann", "oslo", Role.OWNER),
    ("signatory@kk.dk", "Mette Jensen", "copenhagen", Role.SIGNATORY),
    ("owner@haarlem.nl", "Sanne de Vries", "haarlem", Role.OWNER),
    ("owner@fido.fgov.be", "Lucas Peeters", "fisd", Role.OWNER),
    ("owner@vantaa.fi", "Pekka Salo", "vantaa", Role.OWNER),
]


def _person(email: str, name: str, *, staff: bool = False) -> Person:
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, is_staff=staff)
    EmailAddress.objects.get_or_create(user=person, email=email, defaults={"verified": True, "primary": True})
    return person


def load(stdout) -> None:
    orgs = {}
    for slug, name, country, kind, website, domains, served, volumes in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "country": country,
                "kind": kind,
                "website": website,
                "verified_domains": domains,
                "people_served": served,
                "annual_volumes": volumes,
                "verified": slug not in UNVERIFIED,
                "verified_at": None if slug in UNVERIFIED else timezone.now(),
            },
        )
        orgs[slug] = org
    _person("staff@buyers.network", "Network Staff", staff=True)
    for email, name, org_slug, role in PEOPLE:
        person = _person(email, name)
        Membership.objects.get_or_create(person=person, organisation=orgs[org_slug], defaults={"role": role})
    group, created = WorkingGroup.objects.get_or_create(
        slug="ethical-ict",
        defaults={
            "name": "International Working Group on Ethical Procurement of ICT",
            "description": "Public procurers and policy makers sharing practice on human rights due diligence, "
            "labels and contract management for ICT. Set up in 2021 by the Belgian Federal Institute for "
            "Sustainable Development with ICLEI.",
            "visibility": WorkingGroup.Visibility.PUBLIC,
        },
    )
    if created:
        group.conveners.add(orgs["fisd"])
    for slug in ["helsinki", "malmo", "oslo", "copenhagen", "haarlem"]:
        GroupMembership.objects.get_or_create(
            group=group, organisation=orgs[slug], defaults={"status": GroupMembership.Status.APPROVED}
        )
    stdout.write(f"  members: {Organisation.objects.count()} organisations, {Person.objects.count()} people")

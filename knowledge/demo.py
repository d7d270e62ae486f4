"""Demo content for the library: labels, GPP-shaped templates with versions and a fork, lessons (the
Helsinki portrait among them) and a tender calendar. Idempotent: everything is looked up by natural
key (label slug; organisation + title) before it is created, so ``loaddemo`` can run again.

Organisations come from :mod:`members.demo` by slug; a missing one is skipped, not an error.
Facts follow ``../shared/research/domain-notes.md`` (beside the repository) (labels and issuers, EU GPP 2021 structure,
the Nordic smartphone statement, Electronics Watch contract conditions).
"""

from __future__ import annotations

from typing import Any, TextIO

from django.db import transaction

from knowledge import selectors, services
from knowledge.models import Label, Lesson, PlannedTender, TenderTemplate
from members.models import EDITOR_ROLES, Membership, Organisation

LABELS = [
    (
        "tco-certified",
        "TCO Certified",
        "TCO Development (Sweden)",
        "https://tcocertified.com",
        ["social", "environmental", "circularity"],
        Label.Kind.CERTIFICATION,
        "Third-party sustainability certification for IT products (ISO 14024 type 1). Generation 10 is valid "
        "from December 2024 to December 2027; compliance is verified independently before and after certification.",
    ),
    (
        "epeat",
        "EPEAT",
        "Global Electronics Council",
        "https://www.epeat.net",
        ["environmental", "circularity", "social"],
        Label.Kind.ECOLABEL,
        "Ecolabel for electronics based on the IEEE 1680 family of standards, with Bronze, Silver and Gold tiers.",
    ),
    (
        "blue-angel",
        "Blue Angel (Blauer Engel)",
        "German Environment Agency; awarded by RAL gGmbH",
        "https://www.blauer-engel.de/en",
        ["environmental", "circularity", "social"],
        Label.Kind.ECOLABEL,
        "German ecolabel: DE-UZ 78 for computers, DE-UZ 106 for mobile phones (replaceable battery, spare parts, "
        "secure data deletion, social standards verified on site).",
    ),
    (
        "eu-ecolabel",
        "EU Ecolabel",
        "European Commission",
        "https://environment.ec.europa.eu/topics/circular-economy/eu-ecolabel_en",
        ["environmental", "circularity", "social"],
        Label.Kind.ECOLABEL,
        "EU Ecolabel for personal, notebook and tablet computers (Decision (EU) 2016/1371): energy, hazardous "
        "substances, lifetime extension, end of life and corporate social responsibility.",
    ),
    (
        "nordic-swan",
        "Nordic Swan Ecolabel",
        "Nordic Ecolabelling",
        "https://www.nordic-swan-ecolabel.org",
        ["environmental"],
        Label.Kind.ECOLABEL,
        "The official ecolabel of the Nordic countries since 1989.",
    ),
    (
        "electronics-watch",
        "Electronics Watch affiliation",
        "Electronics Watch",
        "https://electronicswatch.org",
        ["social"],
        Label.Kind.MONITORING,
        "Not a label: independent, worker-driven monitoring of factories, with contract conditions buyers include "
        "in their contracts (factory disclosure, due diligence consistent with the UNGPs).",
    ),
    (
        "energy-star",
        "ENERGY STAR",
        "US Environmental Protection Agency",
        "https://www.energystar.gov",
        ["environmental"],
        Label.Kind.CERTIFICATION,
        "Energy-efficiency label referenced by the EU GPP criteria.",
    ),
]


def _criteria(device: str, labels: list[str]) -> list[dict[str, Any]]:
    """Criteria in the shape of the EU GPP criteria for computers, monitors, tablets and smartphones (2021)."""
    return [
        {
            "stage": "selection",
            "title": "Supply chain management",
            "text": "The tenderer shall have a system to identify and manage social and environmental risks in the "
            f"supply chain of the {device} offered (eForms *slc-abil-mgmt-supply*).",
            "ambition": "comprehensive",
            "means_of_proof": ["self_declaration", "audit"],
            "verification_text": "A description of the due-diligence process, consistent with the UN Guiding Principles.",
        },
        {
            "stage": "technical_specification",
            "title": "Durability and battery endurance",
            "text": f"The {device} shall keep at least 80 % of the rated battery capacity after 500 full charge cycles.",
            "ambition": "core",
            "means_of_proof": ["label", "third_party"],
            "labels": labels,
            "verification_text": "A valid label listed here, an equivalent label, or a test report from an accredited lab.",
        },
        {
            "stage": "technical_specification",
            "title": "Reparability and spare parts",
            "text": "Spare parts (battery, screen, keyboard where present) shall be available for **at least five years** "
            "after the end of production.",
            "ambition": "core",
            "means_of_proof": ["label", "self_declaration"],
            "labels": labels,
        },
        {
            "stage": "award",
            "title": "Price",
            "text": "Total cost of ownership over the contract.",
            "weight": 60,
        },
        {
            "stage": "award",
            "title": "Extended warranty",
            "text": "Points for each year of warranty beyond three years.",
            "ambition": "comprehensive",
            "weight": 40,
        },
        {
            "stage": "contract_performance",
            "title": "Factory disclosure and independent monitoring",
            "text": "Within 30 days of signature the contractor discloses the final assembly factories and cooperates "
            "with independent monitoring (e.g. the Electronics Watch Contract Conditions).",
            "ambition": "comprehensive",
            "means_of_proof": ["third_party"],
            "labels": ["electronics-watch"],
        },
    ]


TEMPLATES = [
    (
        "helsinki",
        "Laptops: fair and circular (GPP core + social clauses)",
        "30213100-6",
        "laptops",
        ["tco-certified", "epeat"],
        "public",
    ),
    (
        "malmo",
        "Smartphones: circular and fair",
        "32250000-0",
        "smartphones",
        ["tco-certified", "blue-angel"],
        "network",
    ),
    ("oslo", "Tablets for schools", "30213200-7", "tablets", ["tco-certified", "eu-ecolabel"], "network"),
    ("haarlem", "Monitors for the workplace", "30231000-7", "monitors", ["tco-certified", "epeat"], "public"),
]

TENDERS = [
    (
        "helsinki",
        "ICT equipment framework: laptops and tablets",
        ["30213100-6", "30213200-7"],
        25000,
        "30000000",
        2026,
        4,
        "market_consultation",
        True,
        ["green:circ-econ", "social:hum-right"],
    ),
    (
        "malmo",
        "Smartphones and hardware-as-a-service",
        ["32250000-0"],
        7000,
        "4500000",
        2026,
        3,
        "planning",
        True,
        ["green:circ-econ", "social:work-cond"],
    ),
    (
        "oslo",
        "Refurbished laptops for schools",
        ["30213100-6"],
        8000,
        "3000000",
        2027,
        1,
        "planning",
        False,
        ["green:circ-econ"],
    ),
    (
        "copenhagen",
        "Monitors and docking stations",
        ["30231000-7"],
        6000,
        "1800000",
        2026,
        2,
        "published",
        False,
        ["green:clim-mitig"],
    ),
    (
        "vantaa",
        "Mobile phones joint procurement",
        ["32250000-0"],
        3000,
        "1200000",
        2027,
        2,
        "planning",
        True,
        ["social:hum-right"],
    ),
    (
        "barcelona",
        "Workplace computers with factory disclosure",
        ["30213100-6", "30231000-7"],
        5000,
        "5000000",
        2026,
        4,
        "planning",
        True,
        ["social:work-cond", "social:hum-right"],
    ),
]


def _editor(org: Organisation) -> Any:
    m = (
        Membership.objects.filter(organisation=org, role__in=EDITOR_ROLES)
        .select_related("person")
        .order_by("role", "pk")
        .first()
    )
    return m.person if m else None


def _orgs() -> dict[str, tuple[Organisation, Any]]:
    found = {}
    for org in Organisation.objects.all():
        person = _editor(org)
        if person is not None:
            found[org.slug] = (org, person)
    return found


@transaction.atomic
def load(stdout: TextIO) -> None:
    for slug, name, issuer, website, covers, kind, description in LABELS:
        Label.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "issuer": issuer,
                "website": website,
                "covers": covers,
                "kind": kind,
                "description": description,
            },
        )
    orgs = _orgs()
    made = {"templates": 0, "lessons": 0, "tenders": 0}
    templates: dict[str, TenderTemplate] = {}
    for slug, title, code, device, labels, vis in TEMPLATES:
        if slug not in orgs:
            stdout.write(f"knowledge demo: organisation {slug!r} missing, template skipped\n")
            continue
        org, person = orgs[slug]
        template = TenderTemplate.objects.filter(organisation=org, title=title).first()
        if template is None:
            template = services.template_create(
                person=person,
                organisation=org,
                data=services.TemplateData(
                    title=title,
                    summary=f"Tender criteria for {device}, following the structure of the "
                    "EU GPP criteria for computers, monitors, tablets and smartphones (2021), with social clauses.",
                    visibility=vis,
                    tags=[device, "gpp", "fair ict"],
                    language="en",
                    cpv_codes=[code],
                    criteria=_criteria(device, labels),
                ),
            )
            services.template_publish(
                person=person, template=template, change_note="First published version."
            )
            crit = selectors.criteria_input(template)
            crit[1]["text"] += " Equivalent labels (Directive 2014/24/EU, Art. 43) are accepted."
            services.template_update(
                person=person,
                template=template,
                data=services.TemplateData.of(template).with_changes({"criteria": crit}),
            )
            services.template_publish(
                person=person, template=template, change_note="Accept equivalent labels."
            )
            made["templates"] += 1
        templates[slug] = template
    # a fork: Vantaa reuses Helsinki's laptop template (v2) and shares it with the network
    if "helsinki" in templates and "vantaa" in orgs:
        org, person = orgs["vantaa"]
        source = templates["helsinki"]
        if not TenderTemplate.objects.filter(organisation=org, forked_from__template=source).exists():
            version = source.versions.order_by("-number").first()
            fork = services.template_fork(
                person=person, version=version, organisation=org, title="Laptops (adapted from Helsinki)"
            )
            services.template_update(
                person=person,
                template=fork,
                data=services.TemplateData.of(fork).with_changes({"visibility": "network"}),
            )
            made["templates"] += 1

    lessons = _lessons()
    for slug, data in lessons:
        if slug not in orgs:
            continue
        org, person = orgs[slug]
        if Lesson.objects.filter(organisation=org, title=data["title"]).exists():
            continue
        related = [templates[slug].pk] if slug in templates else []
        services.lesson_create(
            person=person,
            organisation=org,
            data=services.LessonData.from_mapping({**data, "related_templates": related}),
        )
        made["lessons"] += 1

    for slug, title, codes, qty, value, year, quarter, status, joint, goals in TENDERS:
        if slug not in orgs:
            stdout.write(f"knowledge demo: organisation {slug!r} missing, planned tender skipped\n")
            continue
        org, person = orgs[slug]
        if PlannedTender.objects.filter(organisation=org, title=title).exists():
            continue
        services.tender_create(
            person=person,
            organisation=org,
            data=services.TenderData(
                title=title,
                description=f"{title}. Peers are welcome to align criteria or join.",
                cpv_codes=codes,
                estimated_quantity=qty,
                estimated_value_eur=value,
                planned_year=year,
                planned_quarter=quarter,
                status=status,
                joint_procurement_open=joint,
                strategic_goals=goals,
                procedure="open",
                visibility="network",
                templates=[templates[slug].pk] if slug in templates else [],
            ),
        )
        made["tenders"] += 1
    stdout.write(
        f"knowledge demo: {Label.objects.count()} labels; added {made['templates']} templates, "
        f"{made['lessons']} lessons, {made['tenders']} planned tenders\n"
    )


def _lessons() -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "helsinki",
            {
                "title": "Ethical procurement of ICT: City of Helsinki",
                "visibility": "public",
                "language": "en",
                "stages": ["planning", "market_engagement", "selection", "exclusion", "contract_performance"],
                "context": "The city of Helsinki procures ICT for about 40,000 employees. The ICT department together "
                "with the centralised procurement department are responsible for the procurement. The City "
                "buys about 20,000 laptops, 6,000 to 7,000 phones and 5,000 tablets every year. Whilst working "
                "on a new Procurement Strategy, Helsinki builds up experience and knowledge on how to procure "
                "fair ICT. Helsinki is also a signatory of the Joint Statement of Demand for Circular, Fair "
                "Smartphones. (Portrait created through the International Working Group on Ethical "
                "Procurement of ICT; figures as stated in the portrait.)",
                "approach": "The Procurement Strategy provides a strong basis for ethical procurement of IT. Helsinki "
                "leverages several stages of the procurement cycle for social aspects such as preliminary "
                "market consultation, inter-organisational planning and strategy, needs and specification "
                "assessment. In upcoming tenders, social aspects should be included better through "
                "selection and exclusion criteria, contract conditions, labelling, Electronics Watch "
                "affiliation or other third-party verification.",
                "market_dialogue": "Careful market discussions, needs assessment, desk research and announcement of "
                "intentions towards ethical aspects in upcoming procurements are effective tools. "
                "Helsinki took part in the Nordic Forum for Market Dialogue towards fair, circular "
                "smartphones (25 November 2020) with other Nordic buyers.",
                "challenges": "There is a limited market for TCO Certified products. “This exchange with European IT "
                "procurers helped us getting insights on labels other than TCO Certified, as we did not "
                "have enough expertise on their use.” (Mia Malin, City of Helsinki)",
                "recommendations": [
                    "Host joint market dialogue events",
                    "Collaborate with resellers as well as suppliers",
                    "Link social aspects to lifecycle thinking",
                    "Create a wider engagement around a dialogue event",
                    "Learn from other public buyers on how to create a dialogue event",
                ],
                "next_action": "We are planning a new tender for ICT equipment. We see this as an opportunity to "
                "strengthen the dialogue with the industry.",
                "tags": ["fair ict", "market dialogue", "tco certified", "smartphones"],
            },
        ),
        (
            "haarlem",
            {
                "title": "Meet the Buyer: market engagement before a workplace-hardware tender",
                "visibility": "public",
                "language": "en",
                "stages": ["market_engagement", "award"],
                "context": "Haarlem piloted socially responsible ICT procurement in the Make ICT Fair project and hosted "
                "a Meet the Buyer event on its workplace-hardware tender (15 April 2019).",
                "approach": "Suppliers and resellers were invited before publication to discuss supply-chain "
                "transparency and what they could offer.",
                "recommendations": [
                    "Talk to the market before you write the specification",
                    "Share your draft criteria with peers",
                ],
                "tags": ["market dialogue", "make ict fair"],
            },
        ),
        (
            "barcelona",
            {
                "title": "Factory disclosure clauses in practice",
                "visibility": "network",
                "language": "en",
                "stages": ["contract_performance"],
                "context": "Barcelona City Council has been affiliated to Electronics Watch since February 2016 and uses a "
                "transparency clause requiring suppliers to disclose factory locations.",
                "recommendations": [
                    "First of all, talk with politicians, legal services and providers",
                    "Cross-country knowledge sharing gives valuable insight",
                ],
                "tags": ["electronics watch", "contract clauses"],
            },
        ),
        (
            "helsinki",
            {
                "title": "Kannettavien tietokoneiden kilpailutus: TCO Certified ja sopimusehdot",
                "visibility": "public",
                "language": "fi",
                "stages": ["technical_specification", "contract_performance"],
                "context": "Kaupunki hankkii vuosittain noin 20 000 kannettavaa tietokonetta. Edellisessä "
                "kilpailutuksessa kannettavilta tietokoneilta edellytettiin TCO Certified -merkkiä tai vastaavaa "
                "näyttöä.",
                "approach": "Tarjouspyynnössä vaadittiin merkki tai vastaava kolmannen osapuolen todentama näyttö. "
                "Sopimusehtoihin lisättiin toimitusketjun avoimuutta ja työoloja koskevat ehdot.",
                "challenges": "TCO Certified -merkittyjä tuotteita oli markkinoilla vähän, ja vastaavuuden "
                "arviointi vaati asiantuntemusta.",
                "recommendations": [
                    "Hyväksy merkin lisäksi vastaava näyttö",
                    "Käy markkinavuoropuhelu jälleenmyyjien kanssa ennen tarjouspyyntöä",
                ],
                "next_action": "Seuraavassa kilpailutuksessa arvioidaan myös kunnostettujen laitteiden osuus.",
                "tags": ["kannettavat tietokoneet", "tco certified", "sopimusehdot"],
            },
        ),
        (
            "malmo",
            {
                "title": "Återbrukade datorer i skolan: erfarenheter från Malmö",
                "visibility": "public",
                "language": "sv",
                "stages": ["market_engagement", "award"],
                "context": "Malmö stad köper tusentals datorer till skolor varje år och ville pröva återbrukade "
                "datorer i stället för nya.",
                "approach": "Upphandlingen delades så att en del av volymen kunde levereras som återbrukade eller "
                "renoverade datorer med garanti, och livslängd vägdes in vid tilldelningen.",
                "challenges": "Få leverantörer kunde garantera volymer av återbrukade datorer med samma konfiguration.",
                "recommendations": [
                    "Ställ krav på garanti och batterihälsa för återbrukade datorer",
                    "För dialog med marknaden om volymer i god tid",
                ],
                "next_action": "Nästa upphandling omfattar även mobiltelefoner med andra livscykel.",
                "tags": ["återbruk", "datorer", "cirkulär"],
            },
        ),
    ]

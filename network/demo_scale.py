"""``loaddemo --scale N``: N synthetic but realistic multilingual documents for search benchmarks.

Tender templates (with criteria), lessons learned and planned tenders in the eight stemmed
languages, spread over the existing organisations with mixed visibility, written in bulk with
signal indexing paused, then indexed in one batched pass. Running it again tops up to N; it never
duplicates (synthetic rows are recognised by the ``· S<n>`` suffix of their title).
"""

from __future__ import annotations

import random
from typing import TextIO

from django.db import transaction

MARK = " · S"

#: language → (subjects, qualities, phrases) in that language, so stemming has real work to do.
VOCABULARY: dict[str, tuple[list[str], list[str], list[str]]] = {
    "en": (
        ["laptops", "smartphones", "tablets", "monitors", "servers", "desktop computers"],
        ["refurbished", "repairable", "fairly produced", "energy-efficient", "long-lasting"],
        [
            "The supplier joins Electronics Watch and discloses its factories.",
            "Spare parts are available for seven years after delivery.",
            "Devices carry TCO Certified or EPEAT Gold.",
            "Take-back of all devices at end of life, with data wiping.",
        ],
    ),
    "fi": (
        ["kannettavat tietokoneet", "älypuhelimet", "tabletit", "näytöt", "palvelimet"],
        ["kunnostetut", "korjattavat", "vastuullisesti valmistetut", "energiatehokkaat", "pitkäikäiset"],
        [
            "Toimittaja liittyy Electronics Watchiin ja kertoo tehtaidensa sijainnit.",
            "Varaosia on saatavilla seitsemän vuoden ajan.",
            "Laitteilla on TCO Certified -sertifikaatti.",
            "Käytöstä poistetut laitteet kierrätetään ja tiedot poistetaan turvallisesti.",
        ],
    ),
    "sv": (
        ["bärbara datorer", "mobiltelefoner", "surfplattor", "bildskärmar", "servrar"],
        ["återbrukade", "reparerbara", "rättvist producerade", "energieffektiva", "hållbara"],
        [
            "Leverantören ansluter sig till Electronics Watch.",
            "Reservdelar ska finnas i sju år efter leverans.",
            "Produkterna ska vara TCO Certified.",
            "Uttjänta datorer tas tillbaka och data raderas.",
        ],
    ),
    "de": (
        ["Laptops", "Smartphones", "Tablets", "Bildschirme", "Server"],
        ["generalüberholte", "reparierbare", "fair hergestellte", "energieeffiziente", "langlebige"],
        [
            "Der Auftragnehmer tritt Electronics Watch bei.",
            "Ersatzteile sind sieben Jahre lang verfügbar.",
            "Die Geräte tragen das TCO-Certified-Siegel.",
            "Altgeräte werden zurückgenommen und Daten sicher gelöscht.",
        ],
    ),
    "fr": (
        ["ordinateurs portables", "smartphones", "tablettes", "écrans", "serveurs"],
        ["reconditionnés", "réparables", "équitables", "économes en énergie", "durables"],
        [
            "Le fournisseur adhère à Electronics Watch.",
            "Les pièces détachées sont disponibles pendant sept ans.",
            "Les appareils sont certifiés TCO.",
            "Les appareils usagés sont repris et les données effacées.",
        ],
    ),
    "nl": (
        ["laptops", "telefoons", "tablets", "beeldschermen", "servers"],
        ["gereviseerde", "repareerbare", "eerlijk geproduceerde", "energiezuinige", "duurzame"],
        [
            "De leverancier sluit zich aan bij Electronics Watch.",
            "Reserveonderdelen zijn zeven jaar beschikbaar.",
            "De apparaten zijn TCO Certified.",
            "Afgeschreven apparaten worden teruggenomen en gegevens gewist.",
        ],
    ),
    "es": (
        ["ordenadores portátiles", "teléfonos móviles", "tabletas", "monitores", "servidores"],
        ["reacondicionados", "reparables", "de comercio justo", "eficientes", "duraderos"],
        [
            "El proveedor se adhiere a Electronics Watch.",
            "Las piezas de repuesto están disponibles durante siete años.",
            "Los equipos cuentan con la certificación TCO.",
            "Los equipos usados se recogen y los datos se borran.",
        ],
    ),
    "it": (
        ["computer portatili", "smartphone", "tablet", "monitor", "server"],
        ["ricondizionati", "riparabili", "equi", "efficienti", "durevoli"],
        [
            "Il fornitore aderisce a Electronics Watch.",
            "I pezzi di ricambio sono disponibili per sette anni.",
            "I dispositivi sono certificati TCO.",
            "I dispositivi dismessi vengono ritirati e i dati cancellati.",
        ],
    ),
}
VISIBILITIES = ["public"] * 4 + ["network"] * 3 + ["private"] * 2 + ["group"]
STAGES = ["selection", "technical_specification", "award", "contract_performance"]
CPV = ["30213100", "32250000", "30213200", "30231000", "48000000"]


def load(stdout: TextIO, n: int) -> None:
    from django.apps import apps

    try:
        apps.get_model("knowledge", "TenderTemplate")
    except LookupError:
        stdout.write("Knowledge models are not installed; nothing to scale.")
        return
    from knowledge.models import CpvCode, Criterion, Lesson, PlannedTender, TenderTemplate
    from members.models import Organisation, WorkingGroup
    from network.search import indexing

    organisations = list(Organisation.objects.order_by("pk"))
    if not organisations:
        stdout.write("No organisations yet: run loaddemo without --scale first.")
        return
    existing = sum(
        m.objects.filter(title__contains=MARK).count() for m in (TenderTemplate, Lesson, PlannedTender)
    )
    todo = max(0, n - existing)
    if not todo:
        stdout.write(f"Scale corpus already has {existing} synthetic documents.")
        return
    rng = random.Random(existing + 2026)
    groups = list(WorkingGroup.objects.all()[:5])
    cpv_codes = [CpvCode.objects.get_or_create(code=c, defaults={"label_en": c})[0] for c in CPV]
    languages = list(VOCABULARY)
    stdout.write(f"Generating {todo} synthetic documents in {len(languages)} languages…")
    with indexing.suppress_index_updates(), transaction.atomic():
        templates, lessons, tenders = [], [], []
        for i in range(existing, existing + todo):
            lang = languages[i % len(languages)]
            subjects, qualities, phrases = VOCABULARY[lang]
            subject, quality = rng.choice(subjects), rng.choice(qualities)
            org = organisations[i % len(organisations)]
            visibility = rng.choice(VISIBILITIES) if groups else rng.choice(VISIBILITIES[:-1])
            title = f"{quality.capitalize()} {subject}{MARK}{i}"
            text = " ".join(rng.sample(phrases, k=3))
            kind = i % 10
            common = {"organisation": org, "title": title[:200], "visibility": visibility}
            if kind < 5:
                templates.append(
                    TenderTemplate(
                        **common, slug=f"scale-{i}", summary=text, language=lang, status="published"
                    )
                )
            elif kind < 8:
                lessons.append(
                    Lesson(
                        **common,
                        language=lang,
                        context=text,
                        challenges=" ".join(rng.sample(phrases, k=2)),
                        stages=[rng.choice(STAGES)],
                    )
                )
            else:
                tenders.append(
                    PlannedTender(
                        **common, description=text, planned_year=2026 + i % 3, planned_quarter=1 + i % 4
                    )
                )
        TenderTemplate.objects.bulk_create(templates, batch_size=500)
        Lesson.objects.bulk_create(lessons, batch_size=500)
        PlannedTender.objects.bulk_create(tenders, batch_size=500)
        criteria, cpv_links, group_links = [], [], []
        for t in templates:
            phrases = VOCABULARY[t.language][2]
            for position, stage in enumerate(rng.sample(STAGES, k=2)):
                criteria.append(
                    Criterion(
                        template=t,
                        position=position,
                        stage=stage,
                        title=phrases[position][:60],
                        text=rng.choice(phrases),
                    )
                )
            cpv_links.append(
                TenderTemplate.cpv_codes.through(tendertemplate=t, cpvcode=rng.choice(cpv_codes))
            )
        for obj in [*templates, *lessons, *tenders]:
            if obj.visibility == "group" and groups:
                through = type(obj).shared_groups.through
                group_links.append(
                    through(**{type(obj)._meta.model_name: obj, "workinggroup": rng.choice(groups)})
                )
        Criterion.objects.bulk_create(criteria, batch_size=1000)
        TenderTemplate.cpv_codes.through.objects.bulk_create(cpv_links, batch_size=1000)
        for model in {type(link) for link in group_links}:
            model.objects.bulk_create([link for link in group_links if type(link) is model], batch_size=1000)
    counts = indexing.rebuild(
        stdout=stdout, only=lambda index: index.type in {"template", "lesson", "tender"}
    )
    stdout.write(
        f"Added {todo} synthetic documents; indexed {sum(counts.values())} documents of those types."
    )

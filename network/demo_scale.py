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

#: language → (subjects, qualities, label and brand sentences) in that language, so stemming has real
#: work to do. Subjects and qualities are drawn Zipf-like too (the first is the most common).
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
#: language → everyday procurement sentences, most frequent first (drawn Zipf-like, see
#: :func:`_zipf_sample`): what most documents say. The label and brand sentences of
#: :data:`VOCABULARY` come after them, in the tail, so each is mentioned by a minority of documents
#: (about one in ten), as in real buyer documents, instead of by most of them.
GENERIC: dict[str, list[str]] = {
    "en": [
        "The contract covers delivery, installation and support for four years.",
        "Prices include recycling fees and transport to the listed sites.",
        "Bidders describe their service desk and response times.",
        "Batteries must be replaceable by the user without special tools.",
        "The contracting authority may order additional units during the contract.",
        "Packaging is minimised and made of recycled material.",
        "Security updates are provided for at least five years.",
        "The tenderer reports annually on working conditions in the supply chain.",
    ],
    "fi": [
        "Sopimus kattaa toimituksen, asennuksen ja tuen neljän vuoden ajan.",
        "Hintoihin sisältyvät kierrätysmaksut ja kuljetus toimipisteisiin.",
        "Tarjoajat kuvaavat palvelupisteensä ja vasteajat.",
        "Käyttäjän on voitava vaihtaa akku ilman erikoistyökaluja.",
        "Hankintayksikkö voi tilata lisälaitteita sopimuskauden aikana.",
        "Pakkaukset ovat vähäisiä ja kierrätysmateriaalia.",
        "Tietoturvapäivityksiä toimitetaan vähintään viiden vuoden ajan.",
        "Tarjoaja raportoi vuosittain toimitusketjun työoloista.",
    ],
    "sv": [
        "Avtalet omfattar leverans, installation och support i fyra år.",
        "Priserna inkluderar återvinningsavgifter och transport.",
        "Anbudsgivare beskriver sin servicedesk och sina svarstider.",
        "Batterier ska kunna bytas av användaren utan specialverktyg.",
        "Den upphandlande myndigheten kan beställa fler enheter under avtalstiden.",
        "Förpackningar minimeras och är gjorda av återvunnet material.",
        "Säkerhetsuppdateringar levereras i minst fem år.",
        "Leverantören rapporterar årligen om arbetsvillkoren i leveranskedjan.",
    ],
    "de": [
        "Der Vertrag umfasst Lieferung, Installation und Support für vier Jahre.",
        "Die Preise enthalten Recyclinggebühren und Transport.",
        "Bieter beschreiben ihren Service-Desk und ihre Reaktionszeiten.",
        "Akkus müssen ohne Spezialwerkzeug austauschbar sein.",
        "Der Auftraggeber kann während der Laufzeit weitere Geräte bestellen.",
        "Verpackungen werden reduziert und bestehen aus Recyclingmaterial.",
        "Sicherheitsupdates werden mindestens fünf Jahre bereitgestellt.",
        "Der Bieter berichtet jährlich über die Arbeitsbedingungen in der Lieferkette.",
    ],
    "fr": [
        "Le marché couvre la livraison, l'installation et l'assistance pendant quatre ans.",
        "Les prix incluent l'écoparticipation et le transport.",
        "Les soumissionnaires décrivent leur centre de services et leurs délais d'intervention.",
        "Les batteries doivent être remplaçables sans outil spécial.",
        "L'acheteur peut commander des unités supplémentaires pendant la durée du marché.",
        "Les emballages sont réduits et en matériaux recyclés.",
        "Les mises à jour de sécurité sont fournies pendant au moins cinq ans.",
        "Le titulaire rend compte chaque année des conditions de travail dans la chaîne d'approvisionnement.",
    ],
    "nl": [
        "De overeenkomst omvat levering, installatie en ondersteuning gedurende vier jaar.",
        "De prijzen zijn inclusief verwijderingsbijdrage en transport.",
        "Inschrijvers beschrijven hun servicedesk en reactietijden.",
        "Accu's moeten zonder speciaal gereedschap vervangbaar zijn.",
        "De aanbestedende dienst kan tijdens de looptijd extra apparaten bestellen.",
        "Verpakkingen zijn beperkt en gemaakt van gerecycled materiaal.",
        "Beveiligingsupdates worden minstens vijf jaar geleverd.",
        "De leverancier rapporteert jaarlijks over de arbeidsomstandigheden in de keten.",
    ],
    "es": [
        "El contrato incluye la entrega, la instalación y el soporte durante cuatro años.",
        "Los precios incluyen las tasas de reciclaje y el transporte.",
        "Los licitadores describen su servicio de asistencia y sus tiempos de respuesta.",
        "Las baterías deben poder sustituirse sin herramientas especiales.",
        "El órgano de contratación puede pedir unidades adicionales durante el contrato.",
        "Los embalajes se reducen y son de material reciclado.",
        "Las actualizaciones de seguridad se ofrecen durante al menos cinco años.",
        "El adjudicatario informa cada año sobre las condiciones laborales en la cadena de suministro.",
    ],
    "it": [
        "Il contratto comprende consegna, installazione e assistenza per quattro anni.",
        "I prezzi includono i contributi RAEE e il trasporto.",
        "Gli offerenti descrivono il servizio di assistenza e i tempi di intervento.",
        "Le batterie devono essere sostituibili senza attrezzi speciali.",
        "La stazione appaltante può ordinare ulteriori unità durante il contratto.",
        "Gli imballaggi sono ridotti e in materiale riciclato.",
        "Gli aggiornamenti di sicurezza sono garantiti per almeno cinque anni.",
        "L'aggiudicatario riferisce ogni anno sulle condizioni di lavoro nella filiera.",
    ],
}
VISIBILITIES = ["public"] * 4 + ["network"] * 3 + ["private"] * 2 + ["group"]
STAGES = ["selection", "technical_specification", "award", "contract_performance"]
CPV = ["30213100", "32250000", "30213200", "30231000", "48000000"]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def _zipf_sample(rng: random.Random, items: list[str], k: int) -> list[str]:
    """``k`` distinct items, the i-th of ``items`` drawn with weight 1/(i+1) (Zipf, s = 1)."""
    k = min(k, len(items))
    weights = _zipf_weights(len(items))
    chosen: list[str] = []
    while len(chosen) < k:
        item = rng.choices(items, weights=weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def _sentences(language: str) -> list[str]:
    """Every sentence of a language, most frequent first: everyday ones, then labels and brands."""
    return GENERIC[language] + VOCABULARY[language][2]


def load(stdout: TextIO, n: int) -> None:
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
            subjects, qualities, _labels = VOCABULARY[lang]
            sentences = _sentences(lang)
            subject = _zipf_sample(rng, subjects, 1)[0]
            quality = _zipf_sample(rng, qualities, 1)[0]
            org = organisations[i % len(organisations)]
            visibility = rng.choice(VISIBILITIES) if groups else rng.choice(VISIBILITIES[:-1])
            title = f"{quality.capitalize()} {subject}{MARK}{i}"
            text = " ".join(_zipf_sample(rng, sentences, 3))
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
                        challenges=" ".join(_zipf_sample(rng, sentences, 2)),
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
            sentences = _sentences(t.language)
            for position, stage in enumerate(rng.sample(STAGES, k=2)):
                title, text = _zipf_sample(rng, sentences, 2)
                criteria.append(
                    Criterion(template=t, position=position, stage=stage, title=title[:60], text=text)
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

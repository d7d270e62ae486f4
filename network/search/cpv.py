"""The CPV vocabulary in search: codes typed into the box, and codes found by their words.

* A CPV code in a query (``30213100-6``, ``30213100``) matches the code itself (documents index
  their codes with their descriptions) **or** its description as a phrase (``"portable
  computers"``): a lesson about portable computers is found by the code.
* :func:`find_codes` looks codes up by words in the interface language (``laptop`` →
  30213100-6): the official English labels, plus the names buyers use for the ICT codes they meet
  most, in English, Finnish and Swedish (:data:`COMMON_NAMES`; the official CPV carries only
  English here). Words go through the same analysis chain as search, so *kannettavat* finds
  *kannettava tietokone*.
"""

from __future__ import annotations

import re
from functools import lru_cache

from network.search.analysis import query_alternatives, terms_for_text
from network.search.query import Atom, ParsedQuery
from network.search.text import words

CODE_RE = re.compile(r"^\d{8}$")

#: Everyday names of the ICT codes buyers use most, per interface language (code → language → names).
COMMON_NAMES: dict[str, dict[str, str]] = {
    "30213100": {
        "en": "laptop, notebook computer, portable computer",
        "fi": "kannettava tietokone, läppäri, kannettava",
        "sv": "bärbar dator, laptop",
    },
    "30213000": {
        "en": "desktop computer, PC",
        "fi": "pöytätietokone, tietokone",
        "sv": "persondator, stationär dator",
    },
    "30213200": {"en": "tablet, iPad", "fi": "tabletti, taulutietokone", "sv": "surfplatta, läsplatta"},
    "30231000": {
        "en": "monitor, display, screen",
        "fi": "näyttö, tietokoneen näyttö",
        "sv": "bildskärm, skärm",
    },
    "32250000": {
        "en": "smartphone, mobile phone, cell phone",
        "fi": "älypuhelin, matkapuhelin, kännykkä",
        "sv": "smarttelefon, mobiltelefon, mobil",
    },
    "30232110": {"en": "laser printer", "fi": "lasertulostin", "sv": "laserskrivare"},
    "30232100": {"en": "printer", "fi": "tulostin", "sv": "skrivare"},
    "30237200": {
        "en": "keyboard, mouse, docking station",
        "fi": "näppäimistö, hiiri, telakka",
        "sv": "tangentbord, mus, dockningsstation",
    },
    "48000000": {
        "en": "software, application",
        "fi": "ohjelmisto, sovellus",
        "sv": "programvara, applikation",
    },
    "48800000": {"en": "server", "fi": "palvelin", "sv": "server"},
    "72000000": {
        "en": "IT services, IT consulting",
        "fi": "IT-palvelut, tietotekniikkapalvelut",
        "sv": "IT-tjänster",
    },
    "50312000": {
        "en": "computer repair, laptop repair",
        "fi": "tietokoneiden korjaus, huolto",
        "sv": "datorreparation, service",
    },
    "30233000": {"en": "hard drive, storage, SSD", "fi": "kiintolevy, tallennus", "sv": "hårddisk, lagring"},
    "32322000": {
        "en": "projector, multimedia",
        "fi": "projektori, multimedia",
        "sv": "projektor, multimedia",
    },
}


@lru_cache(maxsize=50_000)
def _terms(code: str, label: str, language: str) -> frozenset[str]:
    """Terms a code's words carry in ``language`` (its label in English, its common names)."""
    texts = [(label, "en"), (COMMON_NAMES.get(code, {}).get("en", ""), "en")]
    if language != "en":
        texts.append((COMMON_NAMES.get(code, {}).get(language, ""), language))
    return frozenset(t for text, lang in texts if text for t in terms_for_text(text, lang))


def find_codes(text: str, language: str, codes) -> list:
    """CPV codes (from the ``codes`` queryset) whose words hold every word of ``text``, by the
    chain of ``language`` and English; best first (fewest words in the label)."""
    wanted = words(text)[:8]
    if not wanted:
        return []
    languages = list(dict.fromkeys([language, "en"]))
    per_word = [{t for lang in languages for t in query_alternatives(w, lang)} for w in wanted]
    found = []
    for code in codes.only("code", "check_digit", "label_en", "division"):
        terms = _terms(code.code, code.label_en, language)
        if all(alternatives & terms for alternatives in per_word):
            found.append(code)
    found.sort(key=lambda c: (c.code not in COMMON_NAMES, len(c.label_en), c.code))
    return found


def _label(code: str) -> str:
    from knowledge.models import CpvCode

    found = CpvCode.objects.filter(code=code).values_list("label_en", flat=True).first()
    return found or ""


def expand(parsed: ParsedQuery) -> ParsedQuery:
    """Each CPV code atom (``30213100`` or ``30213100-6``) also matches its description."""
    if parsed.blank:
        return parsed
    changed = False
    clauses = []
    for clause in parsed.clauses:
        atoms = list(clause)
        for atom in clause:
            code = atom.words[0]
            if CODE_RE.match(code) and (
                len(atom.words) == 1 or (len(atom.words) == 2 and atom.words[1].isdigit())
            ):
                label = words(_label(code))
                extra = [Atom((code,))] + ([Atom(tuple(label[:12]))] if label else [])
                for new in extra:
                    if new not in atoms:
                        atoms.append(new)
                        changed = True
        clauses.append(tuple(atoms))
    if not changed:
        return parsed
    return ParsedQuery(clauses=tuple(clauses), excluded=parsed.excluded, blank=False, forced=parsed.forced)

"""Languages detected, not assumed: content without a declared language gets one per field.

``lingua-language-detector`` restricted to the network's eight languages, in low-accuracy mode
(trigram models only: ~18 MB a process against several hundred for the full models, measured in
the README; py3langid needed ~90 MB with numpy). Short texts are where detectors guess, so the
caller passes a *prior* (the author's interface language, else the organisation's country
language): a text of a few words keeps the prior unless the detector is confident otherwise.
Detection never raises: without lingua every undeclared text keeps its prior (``und`` when none).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from network.search.text import LANGUAGES, UNDETERMINED, normalise_language, words

logger = logging.getLogger(__name__)

#: Country → language for the prior (the language most members there write in).
COUNTRY_LANGUAGES = {
    "FI": "fi",
    "SE": "sv",
    "DE": "de",
    "AT": "de",
    "NL": "nl",
    "BE": "nl",
    "FR": "fr",
    "LU": "fr",
    "ES": "es",
    "IT": "it",
    "IE": "en",
    "GB": "en",
    "MT": "en",
    "DK": "en",
    "NO": "en",
}
#: Texts with fewer words than this are "short": the prior wins unless the detector is sure.
SHORT_TEXT_WORDS = 4
SURE = 0.9
ENOUGH = 0.5
MAX_CHARS = 2000

_lock = threading.Lock()
_detector: Any = None
_error: str | None = None
_codes: dict[Any, str] = {}


def _get_detector() -> Any:
    global _detector, _error
    if _detector is not None or _error is not None:
        return _detector
    with _lock:
        if _detector is None and _error is None:
            try:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
                _codes.update({language: language.iso_code_639_1.name.lower() for language in chosen})
                _detector = LanguageDetectorBuilder.from_languages(*chosen).with_low_accuracy_mode().build()
            except Exception as exc:
                _error = f"{type(exc).__name__}: {exc}"
                logger.warning("Language detection is not available: %s", exc)
    return _detector


def status() -> str:
    return (
        f"lingua: ok (low accuracy mode, {len(LANGUAGES)} languages)"
        if _get_detector() is not None
        else f"lingua: missing ({_error})"
    )


def prior_for(person: Any = None, organisation: Any = None) -> str:
    """The prior for a short text: the person's interface language, else the country's language."""
    language = normalise_language(getattr(person, "language", None) or getattr(person, "ui_language", None))
    if language != UNDETERMINED:
        return language
    country = getattr(organisation, "country", None)
    code = str(getattr(country, "code", country) or "").upper()
    return COUNTRY_LANGUAGES.get(code, UNDETERMINED)


def detect(text: str | None, prior: str = UNDETERMINED) -> str:
    """The language of ``text`` (ISO 639-1), ``prior`` when unsure, ``und`` when nothing fits."""
    prior = normalise_language(prior)
    found = words(text)
    if not found:
        return prior
    detector = _get_detector()
    if detector is None:
        return prior
    try:
        values = detector.compute_language_confidence_values((text or "")[:MAX_CHARS])
    except Exception:  # never fail indexing over a detector error
        logger.exception("Language detection failed")
        return prior
    confidence = {_codes.get(v.language, ""): v.value for v in values}
    best = max(confidence, key=confidence.get, default="")
    if not best:
        return prior
    if len(found) < SHORT_TEXT_WORDS and prior != UNDETERMINED:
        return best if confidence[best] >= SURE and confidence.get(prior, 0.0) < 0.05 else prior
    if confidence[best] >= ENOUGH:
        return best
    return prior if prior != UNDETERMINED else best

"""Translated labels for the codes people see: ``{{ value|code_label:"strategic_goal" }}``.

Codes are stored (eForms strategic goals, means of proof, ISO 639 languages, ISO 3166 countries,
device categories...) and shown through their vocabulary's translated label, rendered in the
viewer's language at render time. An unknown code is shown as it is, never hidden, so free tags
keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from django import template
from django.db.models import TextChoices

register = template.Library()


@cache
def _vocabularies() -> dict[str, type[TextChoices]]:
    from knowledge.models import choices
    from network.categories import DeviceCategory

    return {
        "strategic_goal": choices.StrategicGoal,
        "means_of_proof": choices.MeansOfProof,
        "stage": choices.Stage,
        "lesson_stage": choices.LessonStage,
        "procedure": choices.Procedure,
        "tender_status": choices.TenderStatus,
        "ambition": choices.Ambition,
        "licence": choices.Licence,
        "device": DeviceCategory,
    }


def _language(code: str) -> str:
    from knowledge.models.choices import language_choices

    names = dict(language_choices())
    return str(names.get(code.lower(), code))


def _country(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code.upper())) or code


SPECIAL: dict[str, Callable[[str], str]] = {"language": _language, "country": _country}


def label_for(vocabulary: str, code: object) -> str:
    """The translated label of ``code`` in ``vocabulary`` (or the code itself when unknown)."""
    if code is None or code == "":
        return ""
    value = str(code)
    if vocabulary in SPECIAL:
        return SPECIAL[vocabulary](value)
    if vocabulary == "tag":
        # Free tags: a strategic goal code reads as its label, anything else as written.
        vocabulary = "strategic_goal"
    choices = _vocabularies().get(vocabulary)
    if choices is None:
        raise template.TemplateSyntaxError(f"unknown vocabulary {vocabulary!r}")
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def code_label(code: object, vocabulary: str) -> str:
    return label_for(vocabulary, code)


@lru_cache(maxsize=4096)
def _detected(text: str) -> str:
    from network.search.languages import detect
    from network.search.text import UNDETERMINED

    found = detect(text)
    return "" if found == UNDETERMINED else found


@register.filter
def lang_of(text: object) -> str:
    """The language of user content that declares none (statements, posts, events), detected by
    the search's detector, for a ``lang`` attribute (WCAG 3.1.2); empty when unsure, so the
    attribute is left out rather than guessed. Cached per text: a page re-renders the same posts."""
    value = str(text or "").strip()
    if len(value) < 20:
        return ""
    return _detected(value[:2000])

"""Facet labels, translated when a page or API response is rendered.

The index stores facet *codes* (``template``, ``FI``, ``30``, ``award``, ``fi``); what a person
reads is looked up here in the active language, so a Finnish page says *Tarjouspyyntöpohja* and
*Suomi* whatever language the indexer ran in. Names that are data (organisations, working groups,
labels such as *TCO Certified*) are stored with the document and shown as stored.
"""

from __future__ import annotations

from django.utils.translation import gettext

from network.search.spec import CODED_FACETS


def facet_label(name: str, value: str, stored: str = "") -> str:
    """The label of one facet value in the active language (the stored label for data names)."""
    if name not in CODED_FACETS:
        return stored or value
    try:
        if name == "type":
            from network.search.registry import index_for_type

            index = index_for_type(value)
            return str(index.type_label) if index else value
        if name == "language":
            from network.search.spec import language_label

            return language_label(value)
        if name == "country":
            from django_countries import countries

            return str(countries.name(value)) or value
        if name == "cpv":
            from network.search.indexes import cpv_division_label

            return str(cpv_division_label(value))
        if name == "stage":
            return _stage_label(value)
    except Exception:  # a label must never break a results page
        return stored or value
    return stored or value


def _stage_label(value: str) -> str:
    from knowledge.models.choices import LessonStage, Stage
    from network.search.indexes import EXTRA_STAGES

    for choices in (Stage, LessonStage):
        found = dict(choices.choices).get(value)
        if found:
            return str(found)
    extra = EXTRA_STAGES.get(value)
    return str(extra) if extra else gettext(value)

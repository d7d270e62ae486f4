"""Vocabularies shared by templates, lessons and planned tenders (values follow eForms where it has one)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    """The procedures of Directive 2014/24/EU (Art. 27 to 32); values are eForms procedure-type codes."""

    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    COMPETITIVE_NEGOTIATION = "neg-w-call", _("Competitive procedure with negotiation")
    COMPETITIVE_DIALOGUE = "comp-dial", _("Competitive dialogue")
    INNOVATION_PARTNERSHIP = "innovation", _("Innovation partnership")
    NEGOTIATED_WITHOUT_PUBLICATION = "neg-wo-call", _("Negotiated procedure without prior publication")


#: OCDS ``tender.procurementMethod`` (closed codelist: open, selective, limited, direct).
OCDS_METHOD = {
    Procedure.OPEN: "open",
    Procedure.RESTRICTED: "selective",
    Procedure.COMPETITIVE_NEGOTIATION: "selective",
    Procedure.COMPETITIVE_DIALOGUE: "selective",
    Procedure.INNOVATION_PARTNERSHIP: "selective",
    Procedure.NEGOTIATED_WITHOUT_PUBLICATION: "limited",
}


class Stage(models.TextChoices):
    """Where a criterion sits in the procurement cycle (EU GPP document structure)."""

    EXCLUSION = "exclusion", _("Exclusion grounds")
    SELECTION = "selection", _("Selection criteria")
    TECHNICAL_SPECIFICATION = "technical_specification", _("Technical specifications")
    AWARD = "award", _("Award criteria")
    CONTRACT_PERFORMANCE = "contract_performance", _("Contract performance clauses")


class LessonStage(models.TextChoices):
    """Stages a lesson learned talks about: the criterion stages plus the work before and after."""

    PLANNING = "planning", _("Needs assessment and planning")
    MARKET_ENGAGEMENT = "market_engagement", _("Market dialogue")
    EXCLUSION = "exclusion", _("Exclusion grounds")
    SELECTION = "selection", _("Selection criteria")
    TECHNICAL_SPECIFICATION = "technical_specification", _("Technical specifications")
    AWARD = "award", _("Award criteria")
    CONTRACT_PERFORMANCE = "contract_performance", _("Contract performance and monitoring")


class Ambition(models.TextChoices):
    CORE = "core", _("Core")
    COMPREHENSIVE = "comprehensive", _("Comprehensive")


class MeansOfProof(models.TextChoices):
    LABEL = "label", _("Label")
    THIRD_PARTY = "third_party", _("Third-party verification")
    SELF_DECLARATION = "self_declaration", _("Self-declaration")
    AUDIT = "audit", _("Audit")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("CC BY 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("CC BY-SA 4.0")
    CC0 = "CC0-1.0", _("CC0 1.0 (public domain)")
    RESERVED = "all-rights-reserved", _("All rights reserved")


class TenderStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    MARKET_CONSULTATION = "market_consultation", _("Market consultation")
    PUBLISHED = "published", _("Published")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class StrategicGoal(models.TextChoices):
    """eForms BT-774 (green: environmental-impact), BT-775 (social: social-objective), BT-06 innovation."""

    CLIMATE_MITIGATION = "green:clim-mitig", _("Green: climate change mitigation")
    CLIMATE_ADAPTATION = "green:clim-adapt", _("Green: climate change adaptation")
    CIRCULAR_ECONOMY = "green:circ-econ", _("Green: transition to a circular economy")
    POLLUTION = "green:pollu-prev", _("Green: pollution prevention and control")
    BIODIVERSITY = "green:biodiv-eco", _("Green: biodiversity and ecosystems")
    WATER = "green:water-mar", _("Green: water and marine resources")
    HUMAN_RIGHTS = "social:hum-right", _("Social: human rights due diligence in global supply chains")
    WORKING_CONDITIONS = "social:work-cond", _("Social: fair working conditions")
    ACCESSIBILITY = "social:acc-all", _("Social: accessibility for all")
    GENDER_EQUALITY = "social:gen-eq", _("Social: gender equality")
    EMPLOYMENT_OPPORTUNITIES = "social:opp", _("Social: employment opportunities")
    INNOVATION = "innovation:inn-pur", _("Innovative purchase")


def language_choices() -> list[tuple[str, str]]:
    """ISO 639-1 languages of EU/EEA buyers (the ones the network expects content in)."""
    return [
        (code, _(name))
        for code, name in [
            ("bg", "Bulgarian"),
            ("cs", "Czech"),
            ("da", "Danish"),
            ("de", "German"),
            ("el", "Greek"),
            ("en", "English"),
            ("es", "Spanish"),
            ("et", "Estonian"),
            ("fi", "Finnish"),
            ("fr", "French"),
            ("ga", "Irish"),
            ("hr", "Croatian"),
            ("hu", "Hungarian"),
            ("is", "Icelandic"),
            ("it", "Italian"),
            ("lt", "Lithuanian"),
            ("lv", "Latvian"),
            ("mt", "Maltese"),
            ("nb", "Norwegian Bokmål"),
            ("nl", "Dutch"),
            ("no", "Norwegian"),
            ("pl", "Polish"),
            ("pt", "Portuguese"),
            ("ro", "Romanian"),
            ("sk", "Slovak"),
            ("sl", "Slovenian"),
            ("sv", "Swedish"),
        ]
    ]


LANGUAGES = language_choices()


# --- rules of list-valued fields (JSON lists), declared on the models' fields (#18) -------------


@deconstructible
class ChoiceListValidator:
    """A JSON list whose every item is one of ``choices`` (a ``TextChoices`` class)."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        self.choices = choices

    def __call__(self, value: Any) -> None:
        if not isinstance(value, list):
            raise ValidationError(_("Choose from the list."), code="invalid")
        for item in value:
            if item not in self.choices.values:
                raise ValidationError(_("“%(v)s” is not a valid choice.") % {"v": item}, code="not_a_choice")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceListValidator) and other.choices is self.choices


MAX_TAGS = 30
MAX_TAG_LENGTH = 50


def validate_tags(value: Any) -> None:
    """At most 30 tags of at most 50 characters (normalised before: trimmed, lower-case, unique)."""
    if not isinstance(value, list):
        raise ValidationError(_("Give tags as a list."), code="invalid")
    if any(len(str(tag)) > MAX_TAG_LENGTH for tag in value):
        raise ValidationError(_("A tag has at most 50 characters."), code="tag_length")
    if len(value) > MAX_TAGS:
        raise ValidationError(_("At most 30 tags."), code="tag_count")

"""ICT device categories used for buyer profiles and declared demand (units a year)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

#: An upper bound that no single public buyer reaches; larger numbers are typing mistakes.
MAX_UNITS_PER_YEAR = 10_000_000


class DeviceCategory(models.TextChoices):
    LAPTOPS = "laptops", _("Laptops")
    DESKTOPS = "desktops", _("Desktops")
    MONITORS = "monitors", _("Monitors")
    PHONES = "phones", _("Smartphones")
    TABLETS = "tablets", _("Tablets")
    SERVERS = "servers", _("Servers")


def validate_volumes(value: object) -> None:
    """Volumes are ``{category: units a year}`` with known categories and whole, plausible numbers."""
    if not isinstance(value, dict):
        raise ValidationError(_("Volumes must be an object of category → units a year."))
    for category, units in value.items():
        if category not in DeviceCategory.values:
            raise ValidationError(
                _("Unknown category “%(c)s”; use one of %(all)s.")
                % {"c": category, "all": ", ".join(DeviceCategory.values)}
            )
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValidationError(_("Units for %(c)s must be a whole number.") % {"c": category})
        if units < 0 or units > MAX_UNITS_PER_YEAR:
            raise ValidationError(
                _("Units for %(c)s must be between 0 and %(max)s.")
                % {"c": category, "max": f"{MAX_UNITS_PER_YEAR:,}"}
            )

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


#: The CPV code each category is bought under (CPV 2008). The network demand page and the tender
#: calendar use it to answer a CPV filter with categories, and to put a planned tender's quantity
#: in a category: a planned tender whose CPV code falls under one of these is counted there.
CATEGORY_CPV: dict[str, str] = {
    DeviceCategory.LAPTOPS: "30213100",  # portable computers
    DeviceCategory.DESKTOPS: "30213300",  # desktop computer
    DeviceCategory.MONITORS: "30231000",  # computer screens and consoles
    DeviceCategory.PHONES: "32250000",  # mobile telephones
    DeviceCategory.TABLETS: "30213200",  # tablet computer
    DeviceCategory.SERVERS: "48820000",  # servers
}


def _significant(code: str) -> str:
    """The digits of a CPV code that mean something: trailing zeros only pad the hierarchy."""
    digits = code.split("-")[0].strip()
    return digits[:2] + digits[2:].rstrip("0")


def categories_for_cpv(prefix: str) -> list[str]:
    """Categories a CPV filter covers: its code is under the filter, or the filter under its code.

    ``30`` (a division) covers laptops, desktops, monitors and tablets; ``30213100`` covers laptops;
    ``30213`` (personal computers) covers laptops, desktops and tablets.
    """
    wanted = _significant(prefix)
    return [
        category
        for category, code in CATEGORY_CPV.items()
        if code.startswith(wanted) or wanted.startswith(_significant(code))
    ]


def category_for_cpv(code: str) -> str | None:
    """The category a CPV code belongs to (it is the category's code or below it), if any."""
    digits = _significant(code)
    for category, own in CATEGORY_CPV.items():
        if digits.startswith(_significant(own)):
            return category
    return None

"""Planned tenders as Open Contracting Data Standard 1.1 releases (planning stage).

One release per tender, tag ``planning``, ``tender.status`` ``planning``; the buyer is the owning
organisation; items carry the CPV classification; the estimated value is the planning budget and the
tender value; the planned publication quarter becomes a planning milestone. ``ocid`` is the
publisher's prefix (``settings.OCDS_OCID_PREFIX``, registered with the OCDS helpdesk in production)
plus ``bn-tender-<id>``. The release id changes whenever the tender changes (its ``updated_at``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from knowledge.models import PlannedTender
from knowledge.models.choices import OCDS_METHOD, Procedure, StrategicGoal

DEFAULT_PREFIX = "ocds-bnet01"
#: The official OCDS 1.1.5 schemas, vendored (knowledge/data/README.md says where from).
DATA_DIR = Path(__file__).resolve().parent / "data"
RELEASE_SCHEMA_FILE = DATA_DIR / "ocds-1.1.5-release-schema.json"
RELEASE_PACKAGE_SCHEMA_FILE = DATA_DIR / "ocds-1.1.5-release-package-schema.json"


@cache
def package_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The release package schema and the release schema it ``$ref``s by the id URL
    ``release_schema["id"]``; a validator registers the second under that id, so nothing is fetched."""
    package = json.loads(RELEASE_PACKAGE_SCHEMA_FILE.read_text(encoding="utf-8"))
    release = json.loads(RELEASE_SCHEMA_FILE.read_text(encoding="utf-8"))
    return package, release


_QUARTER_START = {1: 1, 2: 4, 3: 7, 4: 10}


def ocid_prefix() -> str:
    return getattr(settings, "OCDS_OCID_PREFIX", DEFAULT_PREFIX)


def ocid(tender: PlannedTender) -> str:
    return f"{ocid_prefix()}-bn-tender-{tender.pk}"


def _iso(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def _party_id(org: Any) -> str:
    return f"bn-org-{org.slug}"


def release(tender: PlannedTender) -> dict[str, Any]:
    org = tender.organisation
    codes = list(tender.cpv_codes.all())
    site = getattr(settings, "SITE_URL", "")
    items = [
        {
            "id": str(index + 1),
            "description": code.label_en,
            "classification": {
                "scheme": "CPV",
                "id": code.code,
                "description": code.label_en,
                "uri": f"https://ted.europa.eu/en/simap/cpv#{code.code}",
            },
            **({"quantity": tender.estimated_quantity} if index == 0 and tender.estimated_quantity else {}),
        }
        for index, code in enumerate(codes)
    ]
    tender_section: dict[str, Any] = {
        "id": f"bn-tender-{tender.pk}",
        "title": tender.title,
        "description": tender.description,
        "status": "planning",
        "procurementMethod": OCDS_METHOD[Procedure(tender.procedure)],
        "procurementMethodDetails": str(Procedure(tender.procedure).label),
        "procuringEntity": {"id": _party_id(org), "name": org.name},
        "items": items,
    }
    planning: dict[str, Any] = {
        "rationale": ", ".join(
            str(StrategicGoal(g).label) for g in tender.strategic_goals if g in StrategicGoal.values
        ),
        "milestones": [
            {
                "id": "planned-publication",
                "title": f"Planned publication {tender.planned_publication}",
                "type": "approval",
                "dueDate": _iso(dt.date(tender.planned_year, _QUARTER_START[tender.planned_quarter], 1)),
                "status": "scheduled",
            }
        ],
    }
    if tender.estimated_value_eur is not None:
        amount = {"amount": float(tender.estimated_value_eur), "currency": "EUR"}
        planning["budget"] = {"amount": amount, "description": "Estimated value"}
        tender_section["value"] = amount
    if not planning["rationale"]:
        del planning["rationale"]
    return {
        "ocid": ocid(tender),
        "id": f"{ocid(tender)}-planning-{int(tender.updated_at.timestamp())}",
        "date": _iso(tender.updated_at),
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "en",
        "parties": [
            {
                "id": _party_id(org),
                "name": org.name,
                "address": {"countryName": org.country.name} if org.country else {},
                "roles": ["buyer", "procuringEntity"],
                **({"contactPoint": {"url": org.website}} if org.website else {}),
            }
        ],
        "buyer": {"id": _party_id(org), "name": org.name},
        "planning": planning,
        "tender": tender_section,
        "links": [{"rel": "canonical", "href": f"{site}{tender.get_absolute_url()}"}] if site else [],
    }


def release_package(tenders: Iterable[PlannedTender], *, uri: str) -> dict[str, Any]:
    """A release package for ``tenders`` (already filtered through the visibility policy)."""
    releases = [release(t) for t in tenders]
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _iso(timezone.now()),
        "publisher": {
            "name": "Buyers Network",
            "uri": getattr(settings, "SITE_URL", "") or "https://buyers.network",
        },
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": f"{getattr(settings, 'SITE_URL', '')}/library/",
        "releases": releases,
    }

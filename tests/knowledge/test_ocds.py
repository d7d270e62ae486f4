"""The OCDS export validates against the official OCDS 1.1.5 release package schema."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from knowledge.ocds import package_schemas
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def validator():
    """The official schemas shipped in knowledge/data/ (no network, nothing outside the repo)."""
    package, release = package_schemas()
    registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def assert_valid(validator, package):
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_per_tender_export_validates_and_maps_the_fields(api_client, validator):
    org = f.organisation("Helsinki", slug="helsinki", website="https://hel.fi")
    owner = kf.editor(org)
    tender = kf.tender(
        owner, org, visibility="public", procedure="restricted", cpv_codes=["30213100-6", "30213200-7"]
    )
    r = api_client.get(f"/api/v1/tenders/{tender.pk}/ocds/")
    assert r.status_code == 200
    package = json.loads(r.content)
    assert_valid(validator, package)
    (release,) = package["releases"]
    assert release["tag"] == ["planning"]
    assert release["ocid"].startswith("ocds-") and release["ocid"].endswith(f"-{tender.pk}")
    assert release["buyer"] == {"id": "bn-org-helsinki", "name": "Helsinki"}
    assert release["parties"][0]["roles"][0] == "buyer"
    assert release["tender"]["status"] == "planning"
    assert release["tender"]["procurementMethod"] == "selective"
    assert [i["classification"]["id"] for i in release["tender"]["items"]] == ["30213100", "30213200"]
    assert release["tender"]["items"][0]["classification"]["scheme"] == "CPV"
    assert release["planning"]["budget"]["amount"] == {"amount": 12000000.0, "currency": "EUR"}
    assert release["planning"]["milestones"][0]["dueDate"].startswith("2027-04-01")


def test_list_export_honours_filters_and_visibility_and_validates(api_client, validator):
    fi = f.organisation("Helsinki", slug="helsinki", country="FI")
    se = f.organisation("Malmo", slug="malmo", country="SE")
    kf.tender(kf.editor(fi), fi, visibility="network", title="FI laptops")
    kf.tender(
        kf.editor(se),
        se,
        visibility="network",
        title="SE phones",
        cpv_codes=["32250000-0"],
        estimated_value_eur=None,
        strategic_goals=[],
        procedure="neg-wo-call",
    )
    kf.tender(kf.editor(se), se, visibility="private", title="SE secret")
    api_client.force_authenticate(f.member(fi))
    package = api_client.get("/api/v1/tenders/ocds/").json()
    assert_valid(validator, package)
    assert sorted(r["tender"]["title"] for r in package["releases"]) == ["FI laptops", "SE phones"]
    only_se = api_client.get("/api/v1/tenders/ocds/?country=SE").json()
    assert [r["tender"]["title"] for r in only_se["releases"]] == ["SE phones"]
    assert only_se["releases"][0]["tender"]["procurementMethod"] == "limited"


def test_html_ocds_downloads_follow_visibility_from_other_organisation(client, validator):
    fi = f.organisation("Helsinki", slug="helsinki")
    se = f.organisation("Malmo", slug="malmo")
    secret = kf.tender(kf.editor(se), se, title="SE secret")
    shared = kf.tender(kf.editor(se), se, visibility="network", title="SE shared")
    client.force_login(f.member(fi))
    assert client.get(f"/library/tenders/{secret.pk}/ocds.json").status_code == 404
    r = client.get(f"/library/tenders/{shared.pk}/ocds.json")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert_valid(validator, json.loads(r.content))
    package = json.loads(client.get("/library/tenders/ocds.json").content)
    assert [x["tender"]["title"] for x in package["releases"]] == ["SE shared"]

"""The knowledge API through the real stack: CRUD, versions, diff, fork, lineage, errors, isolation."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.models import Criterion, Lesson, PlannedTender, TemplateVersion, TenderTemplate
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return f.organisation("Helsinki", country="FI", slug="helsinki")


@pytest.fixture
def malmo():
    return f.organisation("Malmo", country="SE", slug="malmo")


def body(**extra):
    kf.label()
    return {
        "organisation": "helsinki",
        "title": "Laptops, fair and circular",
        "summary": "Portable computers.",
        "procedure": "open",
        "language": "en",
        "visibility": "network",
        "cpv_codes": ["30213100-6"],
        "tags": ["laptops", "Circular"],
        "criteria": kf.criteria(),
        **extra,
    }


def test_done_when_create_publish_edit_publish_diff_fork_lineage(api_client, helsinki, malmo):
    author = kf.editor(helsinki)
    api_client.force_authenticate(author)
    r = api_client.post("/api/v1/templates/", body(), format="json")
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    assert r.data["tags"] == ["laptops", "circular"]
    assert [c["stage"] for c in r.data["criteria"]][:2] == ["technical_specification", "contract_performance"]

    r = api_client.post(f"/api/v1/templates/{pk}/versions/", {"change_note": "First"}, format="json")
    assert r.status_code == 201 and r.data["number"] == 1

    criteria = api_client.get(f"/api/v1/templates/{pk}/").data["criteria"]
    edited = [
        {
            k: c[k]
            for k in (
                "key",
                "stage",
                "title",
                "text",
                "ambition",
                "means_of_proof",
                "labels",
                "weight",
                "verification_text",
            )
        }
        for c in criteria
    ]
    edited[1]["text"] = "The contractor discloses final assembly and component factories within 30 days."
    r = api_client.patch(f"/api/v1/templates/{pk}/", {"criteria": edited}, format="json")
    assert r.status_code == 200, r.data
    r = api_client.post(f"/api/v1/templates/{pk}/versions/", {"change_note": "Components too"}, format="json")
    assert r.data["number"] == 2

    r = api_client.get(f"/api/v1/templates/{pk}/diff/?from=1&to=2")
    assert r.status_code == 200
    assert r.data["added"] == [] and r.data["removed"] == []
    (change,) = r.data["changed"]
    assert change["title"] == "Supply chain transparency"
    words = [seg for ch in change["changes"] for seg in ch["words"]]
    assert ["insert", "and component"] in words or any(op == "insert" and "component" in t for op, t in words)

    assert [v["number"] for v in api_client.get(f"/api/v1/templates/{pk}/versions/").data] == [2, 1]
    assert (
        api_client.get(f"/api/v1/templates/{pk}/versions/1/")
        .data["snapshot"]["criteria"][1]["text"]
        .startswith("The contractor discloses final assembly factories")
    )

    forker = kf.editor(malmo)
    api_client.force_authenticate(forker)
    r = api_client.post(
        f"/api/v1/templates/{pk}/fork/", {"organisation": "malmo", "version": 2}, format="json"
    )
    assert r.status_code == 201, r.data
    fork_id = r.data["id"]
    assert r.data["visibility"] == "private"
    assert r.data["forked_from"] == {"template": pk, "version": 2, "hidden": False}

    lineage = api_client.get(f"/api/v1/templates/{pk}/lineage/").data
    assert [t["id"] for t in lineage["forks"]] == [fork_id]
    up = api_client.get(f"/api/v1/templates/{fork_id}/lineage/").data
    assert up["ancestors"][0]["template"]["id"] == pk and up["ancestors"][0]["version"] == 2

    # a colleague of the author: one fork exists, it is not visible, nothing about it is disclosed
    api_client.force_authenticate(f.member(helsinki))
    lineage = api_client.get(f"/api/v1/templates/{pk}/lineage/").data
    assert lineage["fork_count"] == 1 and lineage["forks"] == [] and lineage["hidden_fork_count"] == 1
    assert "malmo" not in str(lineage).lower()
    assert api_client.get(f"/api/v1/templates/{fork_id}/lineage/").status_code == 404


def test_invalid_cpv_is_a_400_naming_the_field_and_stores_nothing(api_client, helsinki):
    api_client.force_authenticate(kf.editor(helsinki))
    r = api_client.post("/api/v1/templates/", body(cpv_codes=["30213100-9"]), format="json")
    assert r.status_code == 400
    assert "cpv_codes" in r.data["errors"] and "check digit" in r.data["detail"]
    assert not TenderTemplate.objects.exists() and not Criterion.objects.exists()


def test_award_weights_not_100_is_a_400_and_stores_nothing(api_client, helsinki):
    api_client.force_authenticate(kf.editor(helsinki))
    r = api_client.post("/api/v1/templates/", body(criteria=kf.criteria(weights=(50, 20))), format="json")
    assert r.status_code == 400
    assert "add up to 70" in r.data["detail"]
    assert not TenderTemplate.objects.exists()


def test_update_with_bad_weights_keeps_the_stored_template(api_client, helsinki):
    author = kf.editor(helsinki)
    template = kf.template(author, helsinki)
    api_client.force_authenticate(author)
    r = api_client.patch(
        f"/api/v1/templates/{template.pk}/",
        {"title": "Changed", "criteria": kf.criteria(weights=(90, 20))},
        format="json",
    )
    assert r.status_code == 400
    template.refresh_from_db()
    assert template.title == "Laptops" and template.criteria.count() == 4


def test_editing_someone_elses_visible_template_is_403_and_private_is_404(api_client, helsinki, malmo):
    author = kf.editor(helsinki)
    public = kf.template(author, helsinki, visibility="public", title="Public one")
    private = kf.template(author, helsinki, title="Private one")
    api_client.force_authenticate(kf.editor(malmo))
    r = api_client.patch(f"/api/v1/templates/{public.pk}/", {"title": "Hijacked"}, format="json")
    assert r.status_code == 403 and r.data["detail"]
    assert (
        api_client.patch(f"/api/v1/templates/{private.pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert api_client.post(f"/api/v1/templates/{public.pk}/versions/", {}, format="json").status_code == 403
    assert api_client.delete(f"/api/v1/templates/{public.pk}/").status_code == 403
    public.refresh_from_db()
    assert public.title == "Public one" and not TemplateVersion.objects.exists()


def test_creating_in_an_organisation_one_is_not_editor_of_is_403(api_client, helsinki, malmo):
    api_client.force_authenticate(kf.editor(malmo))
    r = api_client.post("/api/v1/templates/", body(), format="json")
    assert r.status_code == 403
    assert not TenderTemplate.objects.exists()


def test_anonymous_cannot_write(api_client, helsinki):
    assert api_client.post("/api/v1/templates/", body(), format="json").status_code in (401, 403)


def test_template_endpoints_hide_private_templates_from_other_organisation(api_client, helsinki, malmo):
    author = kf.editor(helsinki)
    secret = kf.template(author, helsinki, title="Secret laptops")
    services.template_publish(person=author, template=secret)
    shared = kf.template(author, helsinki, title="Shared laptops", visibility="network")
    api_client.force_authenticate(kf.editor(malmo))
    titles = [t["title"] for t in api_client.get("/api/v1/templates/").data["results"]]
    assert titles == ["Shared laptops"]
    for suffix in ["", "versions/", "versions/1/", "diff/?from=1&to=1", "lineage/", "attachments/"]:
        assert api_client.get(f"/api/v1/templates/{secret.pk}/{suffix}").status_code == 404, suffix
    r = api_client.post(f"/api/v1/templates/{secret.pk}/fork/", {"organisation": "malmo"}, format="json")
    assert r.status_code == 404
    # same for anonymous people
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/v1/templates/{shared.pk}/").status_code == 404
    assert api_client.get("/api/v1/templates/").data["count"] == 0


def test_template_filters(api_client, helsinki, malmo):
    author = kf.editor(helsinki)
    kf.template(author, helsinki, visibility="public", title="Laptops FI")
    other = kf.editor(malmo)
    kf.template(
        other,
        malmo,
        visibility="public",
        title="Phones SE",
        cpv_codes=["32250000-0"],
        criteria=[{"stage": "selection", "title": "Supply chain", "text": "x"}],
    )

    def titles(query):
        return sorted(t["title"] for t in api_client.get(f"/api/v1/templates/?{query}").data["results"])

    assert titles("cpv=3225") == ["Phones SE"]
    assert titles("cpv=30213100-6") == ["Laptops FI"]
    assert titles("country=se") == ["Phones SE"]
    assert titles("organisation=helsinki") == ["Laptops FI"]
    assert titles("label=tco-certified") == ["Laptops FI"]
    assert titles("stage=selection") == ["Phones SE"]
    assert titles("language=en&procedure=open&status=draft") == ["Laptops FI", "Phones SE"]
    assert api_client.get("/api/v1/templates/?stage=nonsense").status_code == 400


def test_template_list_query_count_does_not_grow(api_client, helsinki, django_assert_max_num_queries):
    author = kf.editor(helsinki)
    api_client.force_authenticate(author)
    for i in range(3):
        kf.template(author, helsinki, title=f"T{i}", visibility="network")
    with django_assert_max_num_queries(12) as small:
        api_client.get("/api/v1/templates/")
    for i in range(12):
        t = kf.template(
            author, helsinki, title=f"More {i}", visibility="network", cpv_codes=["30213100-6", "30213200-7"]
        )
        if i % 3 == 0:
            v = services.template_publish(person=author, template=t)
            services.template_fork(person=author, version=v, organisation=helsinki)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = api_client.get("/api/v1/templates/")
    assert r.data["count"] == 19


def test_lessons_api_crud_filters_and_isolation(api_client, helsinki, malmo):
    author = kf.editor(helsinki)
    api_client.force_authenticate(author)
    r = api_client.post(
        "/api/v1/lessons/",
        {
            "organisation": "helsinki",
            "title": "Market dialogue",
            "stages": ["market_engagement"],
            "recommendations": ["Start early", "Share criteria"],
            "visibility": "private",
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    assert api_client.get("/api/v1/lessons/?stage=market_engagement").data["count"] == 1
    assert api_client.get("/api/v1/lessons/?stage=award").data["count"] == 0
    api_client.force_authenticate(kf.editor(malmo))
    assert api_client.get("/api/v1/lessons/").data["count"] == 0
    assert api_client.get(f"/api/v1/lessons/{pk}/").status_code == 404
    assert api_client.patch(f"/api/v1/lessons/{pk}/", {"title": "x"}, format="json").status_code == 404
    assert Lesson.objects.get(pk=pk).title == "Market dialogue"


def test_lesson_cannot_link_a_template_the_author_cannot_see(api_client, helsinki, malmo):
    hidden = kf.template(kf.editor(malmo), malmo)
    api_client.force_authenticate(kf.editor(helsinki))
    r = api_client.post(
        "/api/v1/lessons/",
        {"organisation": "helsinki", "title": "x", "related_templates": [hidden.pk]},
        format="json",
    )
    assert r.status_code == 409 and "related_templates" in r.data["errors"]
    assert not Lesson.objects.exists()


def test_labels_are_listed_publicly(api_client):
    kf.label()
    r = api_client.get("/api/v1/labels/")
    assert r.status_code == 200 and r.data["results"][0]["slug"] == "tco-certified"
    assert api_client.get("/api/v1/labels/tco-certified/").data["issuer"] == "TCO Development"


def test_tenders_api_interest_and_isolation(api_client, helsinki, malmo):
    owner = kf.editor(helsinki)
    api_client.force_authenticate(owner)
    r = api_client.post(
        "/api/v1/tenders/",
        {
            "organisation": "helsinki",
            "title": "Smartphones 2027",
            "cpv_codes": ["32250000-0"],
            "planned_year": 2027,
            "planned_quarter": 1,
            "visibility": "network",
            "joint_procurement_open": True,
            "strategic_goals": ["social:hum-right"],
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    secret = kf.tender(owner, helsinki, title="Secret servers")

    # a plain member may not speak for the organisation's interest; an editor may
    api_client.force_authenticate(f.member(malmo))
    r = api_client.post(f"/api/v1/tenders/{pk}/interest/", {"note": "Plain member"}, format="json")
    assert r.status_code == 403 and r.data["detail"]
    peer = kf.editor(malmo)
    api_client.force_authenticate(peer)
    r = api_client.post(
        f"/api/v1/tenders/{pk}/interest/", {"note": "We buy 6,000 phones a year"}, format="json"
    )
    assert r.status_code == 200, r.data
    r = api_client.post(f"/api/v1/tenders/{pk}/interest/", {"note": "Updated"}, format="json")
    assert r.status_code == 200
    assert [i["note"] for i in api_client.get(f"/api/v1/tenders/{pk}/interest/").data] == ["Updated"]
    assert [t["title"] for t in api_client.get("/api/v1/tenders/").data["results"]] == ["Smartphones 2027"]
    for suffix in ["", "interest/", "ocds/"]:
        assert api_client.get(f"/api/v1/tenders/{secret.pk}/{suffix}").status_code == 404
    package = api_client.get("/api/v1/tenders/ocds/").data
    assert [r["tender"]["title"] for r in package["releases"]] == ["Smartphones 2027"]

    third = f.organisation("Oslo", slug="oslo")
    api_client.force_authenticate(f.member(third))
    assert api_client.get(f"/api/v1/tenders/{pk}/interest/").data == []  # others' interest is not shown

    api_client.force_authenticate(owner)
    seen = api_client.get(f"/api/v1/tenders/{pk}/interest/").data
    assert [(i["organisation"]["slug"], i["note"]) for i in seen] == [("malmo", "Updated")]
    assert api_client.get("/api/v1/tenders/?status=planning&cpv=3225").data["count"] == 1
    assert api_client.get("/api/v1/tenders/?country=se").data["count"] == 0
    assert PlannedTender.objects.get(pk=pk).interests.count() == 1


def test_tender_with_invalid_cpv_is_refused(api_client, helsinki):
    api_client.force_authenticate(kf.editor(helsinki))
    r = api_client.post(
        "/api/v1/tenders/",
        {
            "organisation": "helsinki",
            "title": "x",
            "cpv_codes": ["32250000-1"],
            "planned_year": 2027,
            "planned_quarter": 1,
        },
        format="json",
    )
    assert r.status_code == 400 and "cpv_codes" in r.data["errors"]
    assert not PlannedTender.objects.exists()


def test_tender_list_query_count_does_not_grow(api_client, helsinki, django_assert_max_num_queries):
    owner = kf.editor(helsinki)
    api_client.force_authenticate(owner)
    kf.tender(owner, helsinki)
    with django_assert_max_num_queries(12) as small:
        api_client.get("/api/v1/tenders/")
    for i in range(10):
        kf.tender(owner, helsinki, title=f"T{i}", cpv_codes=["30213100-6", "30213200-7"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api_client.get("/api/v1/tenders/").data["count"] == 11
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        assert len(api_client.get("/api/v1/tenders/ocds/").data["releases"]) == 11

"""The library pages through the Django test client: forms keep input on errors, isolation, queries."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.models import Lesson, PlannedTender, TenderInterest, TenderTemplate
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


def management(prefix="criteria", total=2, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(org, **extra):
    kf.label()
    data = {
        "organisation": org.slug,
        "title": "Tablets for schools",
        "summary": "Tablet computers.",
        "cpv_codes": "30213200-7",
        "procedure": "open",
        "language": "en",
        "licence": "CC-BY-4.0",
        "tags": "tablets, schools",
        "visibility": "network",
        **management(),
        "criteria-0-stage": "award",
        "criteria-0-title": "Battery life",
        "criteria-0-text": "Longer battery life earns points.",
        "criteria-0-ambition": "core",
        "criteria-0-weight": "60",
        "criteria-1-stage": "award",
        "criteria-1-title": "Warranty",
        "criteria-1-text": "Each extra year of warranty earns points.",
        "criteria-1-ambition": "comprehensive",
        "criteria-1-labels": ["tco-certified"],
        "criteria-1-means_of_proof": ["label", "audit"],
        "criteria-1-weight": "40",
    }
    data.update(extra)
    return data


def test_create_template_with_criteria_editor_then_publish_and_diff(client):
    org = f.organisation("Helsinki", slug="helsinki")
    author = kf.editor(org)
    client.force_login(author)
    assert client.get("/library/templates/new/").status_code == 200
    r = client.post("/library/templates/new/", form_data(org))
    assert r.status_code == 302, r.content.decode()[:3000]
    template = TenderTemplate.objects.get()
    assert [c.title for c in template.criteria.order_by("position")] == ["Battery life", "Warranty"]
    assert template.criteria.get(title="Warranty").labels.get().slug == "tco-certified"
    client.post(f"/library/templates/{template.pk}/publish/", {"change_note": "First"})
    keys = [str(c.key) for c in template.criteria.order_by("position")]
    edit = form_data(org, **management(total=3, initial=2))
    edit.pop("organisation")
    edit.update(
        {
            "criteria-0-key": keys[0],
            "criteria-1-key": keys[1],
            "criteria-1-text": "Each extra year of warranty and spare parts earns points.",
        }
    )
    r = client.post(f"/library/templates/{template.pk}/edit/", edit)
    assert r.status_code == 302, [x for x in r.content.decode().split("\n") if "error" in x]
    client.post(f"/library/templates/{template.pk}/publish/", {"change_note": "Spare parts"})
    page = client.get(f"/library/templates/{template.pk}/").content.decode()
    assert "v2" in page and "Spare parts" in page and "Award criteria" in page
    diff = client.get(f"/library/templates/{template.pk}/diff/?from=1&to=2").content.decode()
    assert '<ins class="diff-add">' in diff and "spare parts" in diff


def test_form_errors_keep_what_was_typed_and_store_nothing(client):
    org = f.organisation("Helsinki", slug="helsinki")
    client.force_login(kf.editor(org))
    r = client.post(
        "/library/templates/new/", form_data(org, **{"criteria-1-weight": "30", "cpv_codes": "30213200-7"})
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "add up to 90" in page
    assert "Each extra year of warranty earns points." in page and 'value="Tablets for schools"' in page
    r = client.post("/library/templates/new/", form_data(org, cpv_codes="30213200-1"))
    assert "wrong check digit" in r.content.decode() and 'value="30213200-1"' in r.content.decode()
    r = client.post(
        "/library/templates/new/",
        form_data(org, **{"criteria-0-weight": "60", "criteria-0-stage": "selection"}),
    )
    assert "Only award criteria carry a weight." in r.content.decode()
    assert not TenderTemplate.objects.exists()


def test_editing_someone_elses_template_page_is_forbidden(client):
    owner_org, other = f.organisation("Helsinki"), f.organisation("Malmo")
    public = kf.template(kf.editor(owner_org), owner_org, visibility="public")
    private = kf.template(kf.editor(owner_org), owner_org, title="Private")
    client.force_login(kf.editor(other))
    assert client.get(f"/library/templates/{public.pk}/edit/").status_code == 403
    r = client.post(f"/library/templates/{public.pk}/edit/", form_data(other))
    assert r.status_code == 403
    assert client.get(f"/library/templates/{private.pk}/edit/").status_code == 404
    public.refresh_from_db()
    assert public.title == "Laptops"


def test_library_and_detail_pages_hide_private_items_from_other_organisation(client):
    fi, se = f.organisation("Helsinki"), f.organisation("Malmo")
    owner = kf.editor(se)
    t = kf.template(owner, se, title="Hidden template")
    v = services.template_publish(person=owner, template=t)
    lesson = kf.lesson(owner, se, title="Hidden lesson")
    tender = kf.tender(owner, se, title="Hidden tender")
    kf.template(owner, se, title="Shared template", visibility="network")
    client.force_login(f.member(fi))
    page = client.get("/library/").content.decode()
    assert "Shared template" in page
    for secret in ("Hidden template", "Hidden lesson", "Hidden tender"):
        assert secret not in page
    for url in [
        f"/library/templates/{t.pk}/",
        f"/library/templates/{t.pk}/diff/?from={v.number}&to={v.number}",
        f"/library/lessons/{lesson.pk}/",
        f"/library/tenders/{tender.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/library/templates/{t.pk}/fork/", {"organisation": "x", "version": 1}).status_code
        == 404
    )


def test_lineage_on_template_page_from_other_organisation(client):
    fi, se, no = f.organisation("Helsinki"), f.organisation("Malmo"), f.organisation("Oslo")
    author = kf.editor(fi)
    t = kf.template(author, fi, visibility="network", title="Original")
    v = services.template_publish(person=author, template=t)
    forker = kf.editor(se)
    client.force_login(forker)
    r = client.post(f"/library/templates/{t.pk}/fork/", {"organisation": se.slug, "version": v.number})
    fork = TenderTemplate.objects.get(organisation=se)
    assert r.status_code == 302 and r["Location"] == fork.get_absolute_url()
    page = client.get(f"/library/templates/{t.pk}/").content.decode()
    assert fork.get_absolute_url() in page
    client.force_login(f.member(no))
    page = client.get(f"/library/templates/{t.pk}/").content.decode()
    assert fork.get_absolute_url() not in page and "1 fork is not visible to you" in page


def test_library_filters_and_query_count(client, django_assert_max_num_queries):
    org = f.organisation("Helsinki", country="FI")
    owner = kf.editor(org)
    client.force_login(owner)
    kf.template(owner, org, visibility="network")
    kf.lesson(owner, org)
    kf.tender(owner, org)
    with django_assert_max_num_queries(30) as small:
        client.get("/library/")
    for i in range(6):
        kf.template(owner, org, title=f"T{i}", cpv_codes=["30213100-6", "30213200-7"])
        kf.lesson(owner, org, title=f"L{i}")
        kf.tender(owner, org, title=f"Planned tender {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/library/").content.decode()
    assert "T5" in page
    filtered = client.get("/library/?kind=tender&country=SE").content.decode()
    assert "Planned tender 5" not in filtered and "No planned tenders match." in filtered
    assert "T0" in client.get("/library/?kind=template&cpv=302132").content.decode()


def test_lesson_and_tender_forms_and_interest(client):
    fi, se = f.organisation("Helsinki", slug="helsinki"), f.organisation("Malmo", slug="malmo")
    owner = kf.editor(fi)
    client.force_login(owner)
    r = client.post(
        "/library/lessons/new/",
        {
            "organisation": "helsinki",
            "title": "",
            "visibility": "public",
            "language": "en",
            "context": "Typed context",
        },
    )
    assert r.status_code == 200 and "Typed context" in r.content.decode() and not Lesson.objects.exists()
    r = client.post(
        "/library/lessons/new/",
        {
            "organisation": "helsinki",
            "title": "Dialogue",
            "visibility": "public",
            "language": "en",
            "recommendations": "One\nTwo",
            "stages": ["planning"],
        },
    )
    assert r.status_code == 302
    assert Lesson.objects.get().recommendations == ["One", "Two"]
    r = client.post(
        "/library/tenders/new/",
        {
            "organisation": "helsinki",
            "title": "Phones",
            "planned_year": "2027",
            "planned_quarter": "3",
            "procedure": "open",
            "status": "planning",
            "visibility": "network",
            "cpv_codes": "32250000-0",
        },
    )
    assert r.status_code == 302
    tender = PlannedTender.objects.get()
    client.force_login(f.member(se))
    page = client.get(tender.get_absolute_url()).content.decode()
    assert "We are interested" not in page and "An owner, admin or editor" in page
    peer = kf.editor(se)
    client.force_login(peer)
    r = client.post(tender.get_absolute_url(), {"organisation": "malmo", "note": "Count us in"})
    assert r.status_code == 302
    client.post(tender.get_absolute_url(), {"organisation": "malmo", "note": "Count us in"})
    assert TenderInterest.objects.count() == 1
    client.force_login(owner)
    assert "Count us in" in client.get(tender.get_absolute_url()).content.decode()

"""Diffs people can read: criteria aligned by key, numbers as "60 → 50", forks against their origin."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.diff import diff_snapshots, diff_versions
from members.models import Role
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


def current_criteria(template) -> list[dict]:
    return [
        {
            "key": str(c.key),
            "stage": c.stage,
            "title": c.title,
            "text": c.text,
            "ambition": c.ambition,
            "means_of_proof": c.means_of_proof,
            "labels": [lb.slug for lb in c.labels.all()],
            "verification_text": c.verification_text,
            "weight": c.weight,
        }
        for c in template.criteria.order_by("position")
    ]


@pytest.fixture
def published():
    org = f.organisation("Helsinki", slug="helsinki")
    author = kf.editor(org)
    template = kf.template(author, org, visibility="public")
    v1 = services.template_publish(person=author, template=template)
    return author, template, v1


def republish(author, template, criteria):
    services.template_update(
        person=author,
        template=template,
        data=services.TemplateData.of(template).with_changes({"criteria": criteria}),
    )
    return services.template_publish(person=author, template=template, change_note="Edit")


def test_deleting_the_first_criterion_is_one_removal_and_nothing_moves(published):
    author, template, v1 = published
    criteria = current_criteria(template)
    first = criteria.pop(0)
    diff = diff_versions(v1, republish(author, template, criteria))
    assert [c["key"] for c in diff["removed"]] == [first["key"]]
    assert diff["added"] == [] and diff["changed"] == []


def test_a_real_move_is_reported_for_the_moved_criterion_only(published):
    author, template, v1 = published
    criteria = current_criteria(template)
    criteria.append(criteria.pop(0))  # the first goes last
    diff = diff_versions(v1, republish(author, template, criteria))
    assert [c["title"] for c in diff["changed"] if c["moved"]] == ["TCO Certified or equivalent"]


def test_numeric_changes_read_old_arrow_new(published, api_client):
    author, template, v1 = published
    criteria = current_criteria(template)
    weights = [c for c in criteria if c["weight"] is not None]
    weights[0]["weight"], weights[1]["weight"] = 50, 50
    v2 = republish(author, template, criteria)
    changed = diff_versions(v1, v2)["changed"]
    displays = [ch["display"] for c in changed for ch in c["changes"] if ch["field"] == "weight"]
    assert displays == ["60 → 50", "40 → 50"]
    body = api_client.get(f"/api/v1/templates/{template.pk}/diff/?from=1&to=2").json()
    assert "60 → 50" in str(body)
    html = api_client.get(f"/library/templates/{template.pk}/diff/?from=1&to=2").content.decode()
    assert "60 → 50" in html


def test_number_from_or_to_nothing():
    old = {
        "criteria": [{"key": "k", "position": 0, "title": "A", "stage": "award", "text": "", "weight": None}]
    }
    new = {
        "criteria": [{"key": "k", "position": 0, "title": "A", "stage": "award", "text": "", "weight": 20}]
    }
    [change] = diff_snapshots(old, new)["changed"][0]["changes"]
    assert change["display"] == "\u2013 → 20"


def test_a_fork_compares_with_the_version_it_came_from(published, client, api_client):
    _author, template, v1 = published
    malmo = f.organisation("Malmo", slug="malmo")
    forker = kf.editor(malmo)
    fork = services.template_fork(person=forker, version=v1, organisation=malmo)
    criteria = current_criteria(fork)
    removed = criteria.pop(0)
    next(w for w in criteria if w["weight"] == 60)["weight"] = 70
    next(w for w in criteria if w["weight"] == 40)["weight"] = 30
    services.template_update(
        person=forker,
        template=fork,
        data=services.TemplateData.of(fork).with_changes({"title": "Laptops, Malmö", "criteria": criteria}),
    )
    api_client.force_authenticate(forker)
    body = api_client.get(f"/api/v1/templates/{fork.pk}/origin-diff/").json()
    assert body["origin"] == {"id": template.pk, "title": template.title, "version": 1}
    assert [c["title"] for c in body["removed"]] == [removed["title"]] and body["added"] == []
    assert sorted(ch["display"] for c in body["changed"] for ch in c["changes"]) == ["40 → 30", "60 → 70"]
    assert [ch["field"] for ch in body["template"]] == ["title"]
    client.force_login(forker)
    page = client.get(fork.get_absolute_url()).content.decode()
    assert "Changed since its origin:" in page and "1 removed" in page and "2 changed" in page
    html = client.get(f"/library/templates/{fork.pk}/origin-diff/").content.decode()
    assert "60 → 70" in html and removed["title"] in html


def test_an_unchanged_fork_says_so(published, client):
    _author, _template, v1 = published
    malmo = f.organisation("Malmo", slug="malmo")
    forker = kf.editor(malmo)
    fork = services.template_fork(person=forker, version=v1, organisation=malmo)
    client.force_login(forker)
    assert "Unchanged since it was forked." in client.get(fork.get_absolute_url()).content.decode()


def test_origin_diff_of_an_original_or_a_hidden_origin_from_other_organisation_is_404(api_client, client):
    helsinki = f.organisation()
    author = kf.editor(helsinki)
    private = kf.template(author, helsinki, visibility="private")
    v1 = services.template_publish(person=author, template=private)
    fork = services.template_fork(person=author, version=v1, organisation=helsinki)
    services.template_update(
        person=author,
        template=fork,
        data=services.TemplateData.of(fork).with_changes({"visibility": "public"}),
    )
    outsider = f.member(f.organisation(), Role.EDITOR)
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/templates/{fork.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/templates/{fork.pk}/origin-diff/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/library/templates/{fork.pk}/origin-diff/").status_code == 404
    assert "Changed since its origin" not in client.get(fork.get_absolute_url()).content.decode()
    api_client.force_authenticate(author)
    original = kf.template(author, helsinki, visibility="public", title="Original")
    assert api_client.get(f"/api/v1/templates/{original.pk}/origin-diff/").status_code == 404

"""Template services: the issue's "Done when" for templates, versions, diffs and forks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from knowledge import selectors, services
from knowledge.diff import diff_versions
from knowledge.models import Criterion, TemplateVersion, TenderTemplate
from members.models import Role
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Real elements and attributes in ``html`` (escaped text does not count)."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_template_lifecycle_publish_edit_diff_fork_and_lineage():
    helsinki = f.organisation("Helsinki")
    author = kf.editor(helsinki)
    template = kf.template(author, helsinki, visibility="network")
    v1 = services.template_publish(person=author, template=template, change_note="First version")
    assert v1.number == 1
    assert v1.snapshot["cpv_codes"] == ["30213100-6"]

    criteria = [
        {
            "key": str(c.key),
            "stage": c.stage,
            "title": c.title,
            "text": c.text,
            "weight": c.weight,
            "ambition": c.ambition,
            "means_of_proof": c.means_of_proof,
            "labels": [lb.slug for lb in c.labels.all()],
        }
        for c in template.criteria.order_by("position")
    ]
    criteria[0]["text"] = (
        "The laptop **shall** hold TCO Certified, generation 10, or an equivalent type 1 ecolabel."
    )
    criteria.pop(1)
    criteria.append({"stage": "selection", "title": "Supply chain management", "text": "Describe it."})
    services.template_update(
        person=author,
        template=template,
        data=services.TemplateData.of(template).with_changes({"criteria": criteria}),
    )
    v2 = services.template_publish(person=author, template=template, change_note="Sharper label clause")
    assert v2.number == 2

    diff = diff_versions(v1, v2)
    assert [c["title"] for c in diff["added"]] == ["Supply chain management"]
    assert [c["title"] for c in diff["removed"]] == ["Supply chain transparency"]
    changed = {c["title"]: c for c in diff["changed"]}
    text_change = next(
        ch for ch in changed["TCO Certified or equivalent"]["changes"] if ch["field"] == "text"
    )
    assert ["insert", "type 1 ecolabel."] in text_change["words"] or any(
        op == "insert" and "ecolabel" in text for op, text in text_change["words"]
    )
    # v1 stays frozen
    assert "type 1" not in TemplateVersion.objects.get(pk=v1.pk).snapshot["criteria"][0]["text"]

    malmo = f.organisation("Malmo")
    forker = kf.editor(malmo)
    fork = services.template_fork(person=forker, version=v2, organisation=malmo)
    assert fork.organisation == malmo
    assert fork.visibility == "private"
    assert fork.forked_from == v2
    assert fork.criteria.count() == template.criteria.count()

    # the author's colleague sees the fork counted but not who made it (private fork)
    colleague = f.member(helsinki)
    seen = selectors.lineage(colleague, template)
    assert seen.fork_count == 1 and seen.forks == [] and seen.hidden_fork_count == 1
    # the forker sees their fork and the ancestor
    theirs = selectors.lineage(forker, template)
    assert theirs.forks == [fork]
    up = selectors.lineage(forker, fork)
    assert up.ancestors[0].template == template and up.ancestors[0].version_number == 2

    # once the fork is shared with the network, the author's colleague sees it too
    services.template_update(
        person=forker,
        template=fork,
        data=services.TemplateData.of(fork).with_changes({"visibility": "network"}),
    )
    assert selectors.lineage(colleague, template).forks == [fork]


def test_invalid_cpv_stores_nothing():
    org = f.organisation()
    author = kf.editor(org)
    for bad in ["30213100-5", "3021310-6", "45000000-7"]:
        with pytest.raises(ValidationError) as exc:
            kf.template(author, org, cpv_codes=[bad])
        assert "cpv_codes" in exc.value.message_dict
    assert not TenderTemplate.objects.exists()
    assert not Criterion.objects.exists()


@pytest.mark.parametrize("weights", [(60, 30), (60, 50), (100, 1)])
def test_award_weights_must_add_up_to_100(weights):
    org = f.organisation()
    author = kf.editor(org)
    with pytest.raises(ValidationError) as exc:
        kf.template(author, org, criteria=kf.criteria(weights=weights))
    assert f"add up to {sum(weights)}" in exc.value.message_dict["criteria"][0]
    assert not TenderTemplate.objects.exists()


def test_weights_on_some_award_criteria_only_are_refused():
    org = f.organisation()
    author = kf.editor(org)
    items = kf.criteria(weights=(100,))
    items.append({"stage": "award", "title": "Unweighted", "text": "x"})
    with pytest.raises(ValidationError, match="every award criterion needs one"):
        kf.template(author, org, criteria=items)


def test_weight_on_a_non_award_criterion_is_refused_with_its_position():
    org = f.organisation()
    author = kf.editor(org)
    items = kf.criteria(weights=())
    items[0]["weight"] = 10
    with pytest.raises(ValidationError) as exc:
        kf.template(author, org, criteria=items)
    assert exc.value.item_errors[0]["weight"] == ["Only award criteria carry a weight."]
    assert "Criterion 1" in exc.value.message_dict["criteria"][0]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script> text",
        '<img src=x onerror="alert(2)">',
        "[click](javascript:alert(3))",
        '<a href="#" onclick="x()">a</a>',
        "<iframe src=https://evil.example></iframe>",
        "[x](JaVaScRiPt:alert(1))",
        "<svg/onload=alert(1)>",
    ],
)
def test_hostile_markdown_is_refused_with_a_clear_error_and_stores_nothing(hostile):
    org = f.organisation()
    author = kf.editor(org)
    items = kf.criteria(weights=())
    items[0]["text"] = hostile
    with pytest.raises(ValidationError) as exc:
        kf.template(author, org, criteria=items)
    assert "may not contain scripts" in exc.value.item_errors[0]["text"][0]
    assert not TenderTemplate.objects.exists() and not Criterion.objects.exists()


def test_markdown_that_is_stored_renders_without_active_content():
    """Defence in depth: what passes the check still goes through the safe renderer."""
    org = f.organisation()
    author = kf.editor(org)
    items = kf.criteria(weights=())
    items[0]["text"] = (
        '<form action="https://evil.example"><input name=x></form> <b>raw html</b> '
        "No JavaScript needed. [ok](https://example.org) **bold**"
    )
    template = kf.template(author, org, criteria=items)
    html = template.criteria.order_by("position").first().text_html
    tags = parse_tags(html)
    assert {t for t, _a in tags} <= {"p", "a", "strong"}
    for _tag, attrs in tags:
        assert not any(name.startswith("on") for name, _v in attrs)
        assert not any((value or "").strip().lower().startswith("javascript:") for _n, value in attrs)
    assert "<strong>bold</strong>" in html and 'href="https://example.org"' in html


def test_editing_someone_elses_template_is_refused_and_stores_nothing():
    owner_org, other_org = f.organisation(), f.organisation()
    template = kf.template(kf.editor(owner_org), owner_org, visibility="public")
    stranger = kf.editor(other_org)
    with pytest.raises(PermissionDenied):
        services.template_update(
            person=stranger, template=template, data=services.TemplateData(title="Mine now")
        )
    with pytest.raises(PermissionDenied):
        services.template_publish(person=stranger, template=template)
    plain_member = f.member(owner_org, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.template_update(
            person=plain_member, template=template, data=services.TemplateData(title="Mine now")
        )
    template.refresh_from_db()
    assert template.title == "Laptops" and template.version_count == 0
    assert not TemplateVersion.objects.exists()


def test_forking_a_template_one_cannot_read_is_refused():
    owner_org, other_org = f.organisation(), f.organisation()
    author = kf.editor(owner_org)
    template = kf.template(author, owner_org)
    version = services.template_publish(person=author, template=template)
    with pytest.raises(PermissionDenied):
        services.template_fork(person=kf.editor(other_org), version=version, organisation=other_org)
    assert TenderTemplate.objects.count() == 1


def test_forking_into_an_organisation_one_does_not_edit_is_refused():
    owner_org, other_org = f.organisation(), f.organisation()
    author = kf.editor(owner_org)
    template = kf.template(author, owner_org, visibility="public")
    version = services.template_publish(person=author, template=template)
    with pytest.raises(PermissionDenied):
        services.template_fork(person=f.member(other_org), version=version, organisation=other_org)
    assert TenderTemplate.objects.count() == 1

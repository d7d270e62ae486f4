"""Audit entries and versions are immutable; exports are safe; the chart is accessible; demo loads."""

from __future__ import annotations

import io

import pytest

from knowledge.statements import charts, exports, services
from knowledge.statements.models import AuditEntry, StatementVersion
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted(statement):
    entry = AuditEntry.objects.get(statement=statement)
    entry.details = {"forged": True}
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).details == {"version": 1}


def test_versions_cannot_be_changed(statement):
    version = statement.current_version
    version.body = "rewritten history"
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        StatementVersion.objects.update(body="x")


def test_signatures_keep_the_version_they_signed(statement):
    first = sf.sign(statement)
    services.statement_update(
        person=statement.created_by,
        statement=statement,
        data=services.StatementData.of(statement).with_changes({"body": "New text"}),
        change_note="Sharper wording",
    )
    second = sf.sign(statement)
    assert (first.version.number, second.version.number) == (1, 2)
    first.version.refresh_from_db()
    assert first.version.body == "We **ask** the market for fair phones."


def test_draft_edits_happen_in_place(db):
    draft = sf.draft()
    services.statement_update(
        person=draft.created_by,
        statement=draft,
        data=services.StatementData.of(draft).with_changes({"body": "Changed"}),
    )
    assert not StatementVersion.objects.exists()
    draft.refresh_from_db()
    assert draft.body == "Changed" and "Changed" in draft.body_html


def test_csv_export_is_safe_against_formula_injection(statement):
    sf.sign(statement, factories.organisation(name="=HYPERLINK(1) City"), comment="+cmd|' /C calc'!A0")
    sf.sign(statement, comment="@SUM(A1)")
    sf.sign(statement, comment="-2+3")
    text = exports.signatories_csv(None, statement)
    import csv

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["organisation"] == "'=HYPERLINK(1) City"
    assert [r["comment"] for r in rows] == ["'+cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3"]
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())


def test_markdown_body_is_sanitised(db):
    draft = sf.draft()
    hostile = "<script>alert(1)</script> [x](javascript:alert(1))"
    services.statement_update(
        person=draft.created_by,
        statement=draft,
        data=services.StatementData.of(draft).with_changes({"body": hostile}),
    )
    draft.refresh_from_db()
    assert "<script" not in draft.body_html and 'href="javascript' not in draft.body_html


def test_chart_is_accessible_and_escapes_its_title():
    import datetime

    svg = charts.cumulative_step_svg(
        [(datetime.date(2021, 1, 29), 4), (datetime.date(2021, 3, 1), 6)], title="<b>Phones</b>"
    )
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "&lt;b&gt;Phones&lt;/b&gt;" in svg and "<b>" not in svg
    assert "from 4 to 6" in svg
    assert "No signatures yet" in charts.cumulative_step_svg([], title="Empty")


def test_timeline_counts_withdrawals(statement, signer):
    from knowledge.statements.selectors import signatures_timeline

    person, org = signer
    services.statement_sign(person=person, statement=statement, organisation=org)
    sf.sign(statement)
    services.signature_withdraw(person=person, statement=statement, organisation=org, reason="r")
    assert [n for _, n in signatures_timeline(statement)] == [1]  # +2 -1 on the same day


def test_demo_loads_idempotently_with_the_smartphone_statement(db):
    from knowledge.statements import demo as statements_demo
    from knowledge.statements.models import Signature, Statement
    from members import demo as members_demo

    out = io.StringIO()
    members_demo.load(out)
    statements_demo.load(out)
    statements_demo.load(out)
    phones = Statement.objects.get(slug=statements_demo.SMARTPHONES)
    assert phones.status == "open" and phones.demands.count() == 9
    assert {o.slug for o in phones.issuers.all()} == {"helsinki", "malmo", "oslo", "copenhagen"}
    helsinki = Signature.objects.active().get(statement=phones, organisation__slug="helsinki")
    assert helsinki.volumes == {"phones": 6500} and helsinki.volumes_public
    assert Signature.objects.count() == 4
    draft = Statement.objects.get(slug=statements_demo.LAPTOPS)
    assert draft.status == "draft"
    assert not Statement.objects.visible_to(None).filter(pk=draft.pk).exists()

"""Admin for joint statements: read-only. Statements, their signatures and their audit trail are
the network's record of what was signed by whom; staff read them here (with the audit trail), and
every change goes through the statement services."""

from __future__ import annotations

from django.contrib import admin

from knowledge.statements.models import AuditEntry, Signature, Statement
from network.admin_base import ReadOnlyAdmin, ReadOnlyInline


class SignatureInline(ReadOnlyInline):
    model = Signature
    fields = ["organisation", "signed_by", "version", "signed_at", "withdrawn_at", "withdrawal_reason"]
    readonly_fields = fields


class AuditEntryInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "action", "actor", "organisation", "details"]
    readonly_fields = fields
    ordering = ["-at"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "status", "visibility", "opens_on", "closes_on", "opened_at"]
    list_filter = ["status", "visibility"]
    search_fields = ["title", "summary", "slug", "organisation__name", "issuers__name"]
    list_select_related = ["organisation"]
    exclude = ["body_html"]
    inlines = [SignatureInline, AuditEntryInline]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["statement", "organisation", "signed_by", "signed_at", "withdrawn_at"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter), "statement"]
    search_fields = ["statement__title", "organisation__name", "signed_by__email"]
    list_select_related = ["statement", "organisation", "signed_by"]
    date_hierarchy = "signed_at"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "statement", "action", "actor", "organisation"]
    list_filter = ["action"]
    search_fields = ["statement__title", "actor__email", "organisation__name"]
    list_select_related = ["statement", "actor", "organisation"]
    date_hierarchy = "at"

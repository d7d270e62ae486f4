"""Admin for organisations, people, memberships, invitations and working groups.

Verification goes through :func:`members.services.organisation_verify` (actions with a reason, on an
intermediate page), never through a bare checkbox, so the admin, the staff verification page and
the API keep one audit trail and tell the organisation's managers.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import GroupMembership, Invitation, Membership, Organisation, Person, WorkingGroup


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


class PersonMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name_plural = _("memberships")


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "title", "is_staff", "is_active", "last_login", "date_joined"]
    list_filter = ["is_staff", "is_active", "is_superuser", "memberships__role", "groups"]
    search_fields = ["email", "name", "memberships__organisation__name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [PersonMembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "title", "email_notifications"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request, obj=None):
        """Only superusers hand out staff and superuser rights."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    @admin.action(description=_("Deactivate the selected people (they can no longer sign in)"))
    def deactivate(self, request, queryset):
        changed = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, _("%(n)d people deactivated.") % {"n": changed})

    @admin.action(description=_("Reactivate the selected people"))
    def activate(self, request, queryset):
        changed = queryset.update(is_active=True)
        self.message_user(request, _("%(n)d people reactivated.") % {"n": changed})


class VerificationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the organisation's history and sent to its managers)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "verified", "verified_at", "created_at"]
    list_filter = ["verified", "kind", "country"]
    search_fields = ["name", "slug", "website", "verified_domains"]
    readonly_fields = ["verified", "verified_at", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]
    date_hierarchy = "created_at"

    def _verification(self, request, queryset, *, verified: bool):
        title = _("Verify organisations") if verified else _("Withdraw verification")
        if "apply" in request.POST:
            form = VerificationForm(request.POST)
            if form.is_valid():
                done = 0
                for org in queryset:
                    try:
                        services.organisation_verify(
                            actor=request.user,
                            organisation=org,
                            verified=verified,
                            reason=form.cleaned_data["reason"],
                        )
                    except ValidationError as exc:
                        self.message_user(request, f"{org}: {' '.join(exc.messages)}", messages.ERROR)
                    else:
                        done += 1
                self.message_user(
                    request,
                    (_("%(n)d organisations verified.") if verified else _("%(n)d organisations unverified."))
                    % {"n": done},
                    messages.SUCCESS,
                )
                return None
        else:
            form = VerificationForm()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "organisations": queryset,
            "form": form,
            "action": request.POST.get("action"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "verified": verified,
        }
        return TemplateResponse(request, "admin/members/organisation/verify.html", context)

    @admin.action(description=_("Verify the selected organisations (with a reason)"), permissions=["change"])
    def verify(self, request, queryset):
        return self._verification(request, queryset, verified=True)

    @admin.action(description=_("Withdraw verification (with a reason)"), permissions=["change"])
    def unverify(self, request, queryset):
        return self._verification(request, queryset, verified=False)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__verified"]
    search_fields = ["person__email", "person__name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    fk_name = "group"
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "status", "created_at", "decided_at"]
    readonly_fields = ["created_at", "decided_at"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["name", "slug", "description", "conveners__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["conveners"]
    inlines = [GroupMembershipInline]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "group", "status", "created_at", "decided_at"]
    list_filter = ["status", "group"]
    search_fields = ["organisation__name", "group__name"]
    autocomplete_fields = ["organisation", "group"]
    list_select_related = ["organisation", "group"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["key", "invited_by", "accepted_at", "accepted_by", "created_at"]
    list_select_related = ["organisation"]

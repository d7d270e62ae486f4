"""Admin for events and registrations: staff find an event, see who registered and correct a
registration (e.g. a guest who wrote to the network instead of using the cancel link)."""

from __future__ import annotations

from django.contrib import admin

from network.events.models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["person", "guest_name", "guest_email", "organisation", "status", "position", "created_at"]
    readonly_fields = ["person", "guest_name", "guest_email", "organisation", "created_at"]
    show_change_link = True


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "starts_at",
        "status",
        "visibility",
        "capacity",
        "registration_open",
    ]
    list_filter = ["status", "visibility", "registration_open"]
    search_fields = ["title", "slug", "description", "place", "organisation__name", "hosts__name"]
    readonly_fields = ["organisation", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["hosts", "shared_groups"]
    list_select_related = ["organisation"]
    date_hierarchy = "starts_at"
    exclude = ["description_html"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "event",
        "status",
        "organisation",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]
    list_filter = ["status"]
    search_fields = ["guest_name", "guest_email", "person__email", "person__name", "event__title"]
    readonly_fields = ["event", "person", "organisation", "created_at", "confirmed_at", "cancelled_at"]
    list_select_related = ["event", "organisation", "person"]

from django.contrib import admin

from network.accessibility.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "page_url", "email", "emailed_at", "answered_at"]
    list_filter = ["kind", "answered_at"]
    readonly_fields = ["created_at", "emailed_at", "person", "language"]
    search_fields = ["message", "email", "page_url"]

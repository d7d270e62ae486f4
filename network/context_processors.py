from django.conf import settings


def site(request):
    """Site-wide template context: unread notification count for the header."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from network.models import Notification

        unread = Notification.objects.for_person(user).unread().count()
    return {"SITE_NAME": "Buyers Network", "unread_notifications": unread, "DEBUG": settings.DEBUG}

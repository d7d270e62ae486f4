from django.conf import settings


def site(request):
    """Site-wide template context: unread notification count for the header."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from network.models import Notification

        unread = Notification.objects.for_person(user).unread().count()
    return {
        "SITE_NAME": "Buyers Network",
        "unread_notifications": unread,
        "DEBUG": settings.DEBUG,
        "content_links": content_links,
    }


def content_links() -> list[dict[str, str]]:
    """Pages of content types that declare their own (network.content): the library's sub-navigation.

    A callable, so only the templates that use it pay for it.
    """
    from django.urls import reverse

    from network import content

    links = []
    for ct in content.content_types():
        if ct.urls:
            namespace = ct.urls[1][1] if isinstance(ct.urls[1], tuple) else ct.kind
            links.append({"url": reverse(f"{namespace}:list"), "label": str(ct.label)})
    return links

"""Writes of the accessibility app: storing feedback and telling network staff about it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from network.accessibility.models import Feedback

logger = logging.getLogger(__name__)


def feedback_recipients() -> list[str]:
    """Who reads accessibility feedback: ``ACCESSIBILITY_FEEDBACK_EMAILS`` when set, else every
    active staff account with an e-mail address."""
    configured = [a for a in getattr(settings, "ACCESSIBILITY_FEEDBACK_EMAILS", []) if a]
    if configured:
        return configured
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return sorted(staff.values_list("email", flat=True))


def _email_staff(feedback: Feedback) -> None:
    recipients = feedback_recipients()
    if not recipients:
        logger.warning("accessibility feedback %s stored, but no staff address to e-mail", feedback.pk)
        return
    admin_url = settings.SITE_URL + reverse("admin:accessibility_feedback_change", args=[feedback.pk])
    lines = [
        f"Kind: {feedback.get_kind_display()}",
        f"Page: {feedback.page_url or '-'}",
        f"From: {feedback.name or '-'} <{feedback.email or 'no address given'}>",
        f"Language: {feedback.language or '-'}",
        f"Answer due (Act 306/2019, 14 days): {feedback.answer_due:%Y-%m-%d}",
        "",
        feedback.message,
        "",
        f"Stored as {admin_url}",
    ]
    message = EmailMessage(
        subject=f"[Buyers Network] Accessibility feedback #{feedback.pk}",
        body="\n".join(lines),
        to=recipients,
        reply_to=[feedback.email] if feedback.email else None,
    )
    try:
        message.send()
    except Exception:  # the report is stored; staff find it in the admin even if mail fails
        logger.warning("accessibility feedback %s: e-mail to staff failed", feedback.pk, exc_info=True)
        return
    Feedback.objects.filter(pk=feedback.pk).update(emailed_at=timezone.now())


def feedback_submit(*, data: dict[str, Any], person: Any = None, language: str = "") -> Feedback:
    """Store a report, then e-mail staff once the row is committed (a failed e-mail loses nothing)."""
    feedback = Feedback.objects.create(
        kind=data.get("kind") or Feedback.Kind.PROBLEM,
        message=data["message"],
        page_url=data.get("page_url", "")[:500],
        name=data.get("name", ""),
        email=data.get("email", ""),
        language=language[:10],
        person=person if person is not None and person.is_authenticated else None,
    )
    transaction.on_commit(lambda: _email_staff(feedback))
    return feedback

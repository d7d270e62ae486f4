"""Network staff: ``manage.py createstaff`` makes an account with the permissions it needs; staff
verify an organisation in the admin (an action with a reason) and on the verification page outside
the admin; they moderate; every listed model has an admin page staff can open."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client

from forums import services as forum_services
from forums.models import Forum
from members.models import Person
from network.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "members/organisation",
    "members/person",
    "members/membership",
    "members/workinggroup",
    "members/groupmembership",
    "members/invitation",
    "knowledge/tendertemplate",
    "knowledge/lesson",
    "knowledge/plannedtender",
    "statements/statement",
    "statements/signature",
    "statements/auditentry",
    "events/event",
    "events/registration",
    "forums/forum",
    "forums/thread",
    "forums/post",
    "forums/postreport",
    "forums/moderationaction",
]


def _staff() -> Person:
    call_command(
        "createstaff", "staff@network.example", "--password", "a-long-staff-password", "--name", "Sam Staff"
    )
    return Person.objects.get(email="staff@network.example")


def test_createstaff_makes_a_staff_account_that_is_not_a_superuser():
    staff = _staff()
    assert staff.is_staff and not staff.is_superuser and staff.check_password("a-long-staff-password")
    assert staff.has_perm("members.change_organisation") and staff.has_perm("forums.change_post")
    assert staff.has_perm("statements.view_signature") and not staff.has_perm("statements.change_signature")
    call_command("createstaff", "staff@network.example", "--no-password")  # again: a promotion, no error
    assert Person.objects.filter(email="staff@network.example").count() == 1


def test_staff_opens_every_admin_page_with_search():
    client = Client()
    client.force_login(_staff())
    assert client.get("/admin/").status_code == 200
    for page in ADMIN_PAGES:
        response = client.get(f"/admin/{page}/?q=x")
        assert response.status_code == 200, page


def test_staff_verifies_an_organisation_in_the_admin_with_a_reason():
    staff = _staff()
    org = factories.organisation("City of Pending", verified=False)
    owner = factories.member(org, "owner")
    client = Client()
    client.force_login(staff)
    form = {"action": "verify", "_selected_action": [org.pk]}
    confirm = client.post("/admin/members/organisation/", form)
    assert confirm.status_code == 200 and "Reason" in confirm.content.decode()
    done = client.post(
        "/admin/members/organisation/", {**form, "apply": "1", "reason": "Checked the website"}
    )
    assert done.status_code == 302
    org.refresh_from_db()
    assert org.verified and org.verified_at
    assert "Checked the website" in LogEntry.objects.get(object_id=str(org.pk)).get_change_message()
    assert Notification.objects.filter(recipient=owner, kind="organisation.verified").exists()


def test_verification_page_outside_the_admin():
    staff = _staff()
    org = factories.organisation("City of Waiting", verified=False)
    client = Client()
    client.force_login(staff)
    page = client.get("/staff/verification/")
    assert page.status_code == 200 and "City of Waiting" in page.content.decode()
    prefix = f"org{org.pk}-"
    bad = client.post(f"/staff/verification/{org.slug}/", {prefix + "verified": "1", prefix + "reason": ""})
    assert bad.status_code == 400
    org.refresh_from_db()
    assert not org.verified
    ok = client.post(
        f"/staff/verification/{org.slug}/",
        {
            prefix + "verified": "1",
            prefix + "verified_domains": "waiting.example",
            prefix + "reason": "Called them",
        },
    )
    assert ok.status_code == 302
    org.refresh_from_db()
    assert org.verified and org.verified_domains == ["waiting.example"]


def test_verification_page_is_for_staff_only():
    member = factories.member(factories.organisation())
    org = factories.organisation("City of Hopefuls", verified=False)
    client = Client()
    client.force_login(member)
    assert client.get("/staff/verification/").status_code == 403
    assert client.post(f"/staff/verification/{org.slug}/", {f"org{org.pk}-verified": "1"}).status_code == 403
    org.refresh_from_db()
    assert not org.verified


def test_staff_made_by_the_command_moderates_the_network_forum():
    staff = _staff()
    org = factories.organisation("Verified Village")
    author, reporter = factories.member(org), factories.member(org)
    network = Forum.objects.get(kind="network")
    thread = forum_services.thread_create(person=author, forum=network, title="Offer", body="Cheap laptops!")
    report = forum_services.post_report(person=reporter, post=thread.posts.get(), reason="Spam")
    client = Client()
    client.force_login(staff)
    assert "Spam" in client.get("/forums/moderation/").content.decode()
    response = client.post(
        f"/forums/moderation/reports/{report.pk}/resolve/", {"outcome": "post_hidden", "reason": "Ad"}
    )
    assert response.status_code == 302
    assert thread.posts.get().hidden_by_moderator

"""The moderation queue: a report reaches the right moderators (conveners for a group forum, the
owning organisation's admins for its forums, network staff for the network forum), is resolved with
a reason (dismiss, hide the post, lock the thread), the reporter is told, every action is logged
for the other moderators; resolving twice is idempotent; reporting is rate limited."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from forums import services
from forums.models import Forum, ModerationAction, PostReport
from network.models import Notification
from tests import factories
from tests.forums.factories import world

pytestmark = pytest.mark.django_db


def api(person) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


def browser(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_report_flows_to_the_conveners_queue_and_is_resolved_by_hiding_the_reporter_is_told():
    w = world(posts=3)
    post = w.thread.posts.get(seq=2)
    co_moderator = factories.member(w.convener_org, "owner", name="Otto Owner")
    response = api(w.bob).post(f"/api/v1/posts/{post.pk}/report/", {"reason": "Advertising"}, format="json")
    assert response.status_code == 201
    queue = api(w.moderator).get("/api/v1/moderation/reports/").json()["results"]
    assert [(r["post"]["id"], r["reason"], r["open"]) for r in queue] == [(post.pk, "Advertising", True)]
    assert api(w.alice).get("/api/v1/moderation/reports/").json()["results"] == []
    page = browser(w.moderator).get("/forums/moderation/").content.decode()
    assert "Advertising" in page and "Post 3" in page and "First post" in page  # the post in context
    report_id = queue[0]["id"]
    response = api(w.moderator).post(
        f"/api/v1/moderation/reports/{report_id}/resolve/",
        {"outcome": "post_hidden", "reason": "Sales pitch"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["outcome"] == "post_hidden"
    post.refresh_from_db()
    assert post.hidden_by_moderator
    told = Notification.objects.get(recipient=w.bob, kind="forum.report_resolved")
    assert "hidden" in told.title and told.body == "Sales pitch"
    # the log, visible to the other moderator
    log = api(co_moderator).get("/api/v1/moderation/log/").json()["results"]
    assert [(e["action"], e["actor"], e["reason"]) for e in log] == [
        ("hide", "Maria Moderator", "Sales pitch")
    ]
    assert "Sales pitch" in browser(co_moderator).get("/forums/moderation/").content.decode()
    # twice: idempotent, nobody told again
    again = api(w.moderator).post(
        f"/api/v1/moderation/reports/{report_id}/resolve/", {"outcome": "dismissed"}, format="json"
    )
    assert again.status_code == 200 and again.json()["outcome"] == "post_hidden"
    assert Notification.objects.filter(recipient=w.bob, kind="forum.report_resolved").count() == 1
    assert ModerationAction.objects.count() == 1


def test_dismiss_and_lock_through_the_page():
    w = world(posts=2)
    first, second = w.thread.posts.order_by("seq")
    services.post_report(person=w.bob, post=first, reason="Off topic")
    services.post_report(person=w.bob, post=second, reason="Heated")
    reports = {r.post_id: r for r in PostReport.objects.all()}
    client = browser(w.moderator)
    response = client.post(
        f"/forums/moderation/reports/{reports[first.pk].pk}/resolve/",
        {"outcome": "dismissed", "reason": "Fine"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/forums/moderation/reports/{reports[second.pk].pk}/resolve/", {"outcome": "thread_locked"}
    )
    assert response.status_code == 302
    w.thread.refresh_from_db()
    assert w.thread.locked
    assert set(PostReport.objects.values_list("outcome", flat=True)) == {"dismissed", "thread_locked"}
    assert {a.action for a in ModerationAction.objects.all()} == {"dismiss", "lock"}
    assert Notification.objects.filter(recipient=w.bob, kind="forum.report_resolved").count() == 2


def test_report_on_an_already_hidden_post_is_recorded_resolved_and_no_one_is_disturbed():
    w = world(posts=2)
    post = w.thread.posts.get(seq=2)
    services.post_set_hidden(person=w.moderator, post=post, hidden=True)
    before = Notification.objects.filter(kind="forum.report").count()
    report = services.post_report(person=w.bob, post=post, reason="Spam")
    assert not report.is_open and report.outcome == "post_hidden"
    assert Notification.objects.filter(kind="forum.report").count() == before
    assert services.post_report(person=w.bob, post=post, reason="Spam again").pk == report.pk


def test_network_forum_reports_go_to_network_staff():
    staff = factories.person("moderator@network.example", is_staff=True)
    org = factories.organisation("Verified Town")
    author, reporter = factories.member(org), factories.member(org)
    network = Forum.objects.get(kind="network")
    thread = services.thread_create(person=author, forum=network, title="Hi", body="Buy my stuff")
    post = thread.posts.get()
    services.post_report(person=reporter, post=post, reason="Spam")
    assert Notification.objects.filter(recipient=staff, kind="forum.report").exists()
    queue = api(staff).get("/api/v1/moderation/reports/").json()["results"]
    assert [r["post"]["id"] for r in queue] == [post.pk]
    # the organisation's admin does not moderate the network forum
    admin = factories.member(org, "admin")
    assert api(admin).get("/api/v1/moderation/reports/").json()["results"] == []


def test_moderation_queue_from_other_organisation():
    w = world(posts=2)
    post = w.thread.posts.get(seq=2)
    services.post_report(person=w.bob, post=post, reason="Rude")
    report = PostReport.objects.get()
    intruder = factories.member(w.outsider_org, "admin")
    assert api(intruder).get("/api/v1/moderation/reports/").json()["results"] == []
    assert api(intruder).get(f"/api/v1/moderation/reports/{report.pk}/").status_code == 404
    response = api(intruder).post(
        f"/api/v1/moderation/reports/{report.pk}/resolve/", {"outcome": "dismissed"}, format="json"
    )
    assert response.status_code == 404
    assert api(intruder).get("/api/v1/moderation/log/").json()["results"] == []
    assert (
        browser(intruder)
        .post(f"/forums/moderation/reports/{report.pk}/resolve/", {"outcome": "dismissed"})
        .status_code
        == 404
    )
    report.refresh_from_db()
    assert report.is_open
    # a plain member of the group has no queue at all
    assert browser(w.alice).get("/forums/moderation/").status_code == 403
    assert api(None).get("/api/v1/moderation/reports/").status_code in {401, 403}


def test_bad_outcome_is_a_clear_error():
    w = world(posts=2)
    services.post_report(person=w.bob, post=w.thread.posts.get(seq=2), reason="Rude")
    report = PostReport.objects.get()
    response = api(w.moderator).post(
        f"/api/v1/moderation/reports/{report.pk}/resolve/", {"outcome": "ban"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.json()["errors"]
    report.refresh_from_db()
    assert report.is_open


def test_reporting_is_rate_limited():
    w = world(posts=services.REPORTS_PER_HOUR + 2)
    posts = list(w.thread.posts.order_by("seq"))
    for post in posts[: services.REPORTS_PER_HOUR]:
        assert (
            api(w.bob).post(f"/api/v1/posts/{post.pk}/report/", {"reason": "x"}, format="json").status_code
            == 201
        )
    response = api(w.bob).post(
        f"/api/v1/posts/{posts[services.REPORTS_PER_HOUR].pk}/report/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 429 and "many reports" in response.json()["detail"]
    page = browser(w.bob).post(f"/forums/p/{posts[-1].pk}/report/", {"reason": "x"})
    assert page.status_code == 429 and "many reports" in page.content.decode()
    assert PostReport.objects.count() == services.REPORTS_PER_HOUR

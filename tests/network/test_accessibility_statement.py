"""The accessibility statement, its feedback channel, the status page, the shared error summary and
the locale formats: what every page inherits from issue 19's foundations."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import translation

from network.accessibility.models import Feedback
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "enforcement"),
    [
        ("en", "Accessibility statement", "Enforcement procedure"),
        ("fi", "Saavutettavuusseloste", "Valvontamenettely"),
        ("sv", "Tillgänglighetsredogörelse", "Tillsynsförfarande"),
    ],
)
def test_the_statement_follows_the_model_in_each_language(client, language, heading, enforcement):
    response = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert enforcement in html
    assert "saavutettavuusvaatimukset.fi" in html and 'id="feedback"' in html
    # The model statement's dates, through the language's own format.
    expected = {"en": "2 December 2026", "fi": "2. joulukuuta 2026", "sv": "2 december 2026"}[language]
    assert expected in html


def test_every_page_links_the_statement_and_the_feedback_form(client):
    html = client.get("/").content.decode()
    assert 'href="/accessibility/"' in html
    assert 'href="/accessibility/?page=/#feedback"' in html
    assert 'href="/status/"' in html and 'href="/readyz"' not in html


def test_feedback_is_stored_and_e_mailed_to_staff(client, django_capture_on_commit_callbacks):
    factories.person("staff@buyers.example", is_staff=True)
    factories.person("someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accessibility/",
            {
                "kind": "problem",
                "message": "The chart on the statement page has no keyboard access.",
                "page_url": "/statements/fair-phones/",
                "email": "reader@example.org",
            },
            HTTP_ACCEPT_LANGUAGE="fi",
        )
    assert response.status_code == 302 and response["Location"] == "/accessibility/#feedback"
    feedback = Feedback.objects.get()
    assert feedback.page_url == "/statements/fair-phones/" and feedback.language == "fi"
    assert [m.to for m in mail.outbox] == [["staff@buyers.example"]]
    assert "keyboard access" in mail.outbox[0].body and mail.outbox[0].reply_to == ["reader@example.org"]
    assert "Answer due" in mail.outbox[0].body
    feedback.refresh_from_db()
    assert feedback.emailed_at is not None


def test_feedback_goes_to_the_configured_addresses_when_set(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_FEEDBACK_EMAILS = ["accessibility@buyers.example"]
    factories.person("staff@buyers.example", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accessibility/", {"kind": "request", "message": "An accessible version of the PDF, please."}
        )
    assert [m.to for m in mail.outbox] == [["accessibility@buyers.example"]]


def test_bad_feedback_gets_a_focused_error_summary_and_stores_nothing(client):
    response = client.post(
        "/accessibility/", {"kind": "problem", "message": "short", "email": "not-an-address"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert "<title>Error: Accessibility statement" in html
    assert 'id="error-summary" role="alert" tabindex="-1"' in html
    assert 'href="#id_message"' in html and 'href="#id_email"' in html
    # Each field's error list has the id its aria-describedby names.
    assert (
        'id="id_message_error"' in html and 'aria-describedby="id_message_helptext id_message_error"' in html
    )
    assert 'aria-invalid="true"' in html


def test_the_status_page_speaks_words_not_json(client):
    response = client.get("/status/", HTTP_ACCEPT_LANGUAGE="sv")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Allt fungerar." in html and "Fritextsökning" in html
    assert "ok (" not in html  # the technical detail stays in /readyz


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "29 January 2021 · 29 Jan 2021 · 29 January 2021, 21:07 · 7,000"),
        ("fi", "29. tammikuuta 2021 · 29.1.2021 · 29. tammikuuta 2021 klo 21.07 · 7\xa0000"),
        ("sv", "29 januari 2021 · 2021-01-29 · 29 januari 2021 kl. 21.07 · 7\xa0000"),
    ],
)
def test_dates_and_figures_read_as_natives_write_them(language, expected):
    moment = datetime.datetime(2021, 1, 29, 19, 7, tzinfo=datetime.UTC)  # 21:07 in Helsinki
    template = Template(
        '{% load humanize %}{{ d|date:"DATE_FORMAT" }} · {{ d|date:"SHORT_DATE_FORMAT" }} · '
        '{{ d|date:"DATETIME_FORMAT" }} · {{ n|intcomma }}'
    )
    with translation.override(language):
        assert template.render(Context({"d": moment, "n": 7000})) == expected


def test_a_checkbox_comes_before_its_label_on_one_line():
    from django import forms

    class F(forms.Form):
        agree = forms.BooleanField(label="I agree", help_text="Needed")

    html = F().render()
    assert html.index('type="checkbox"') < html.index('<label for="id_agree">I agree</label>')
    assert 'class="check"' in html and 'id="id_agree_helptext"' in html


def test_posts_and_statements_without_a_declared_language_get_the_detected_one(client):
    """WCAG 3.1.2: Finnish content on an English page is marked lang="fi"; a text too short to
    tell is left unmarked rather than guessed."""
    from forums import services as forum_services
    from members.models import Role
    from tests.statements import factories as sf

    city = factories.organisation("City of Helsinki", country="FI")
    from knowledge.statements.models import Statement

    statement = sf.open_statement(city, title="Reilut älypuhelimet")
    Statement.objects.filter(pk=statement.pk).update(
        body="Hankimme yhdessä reiluja ja kestäviä älypuhelimia, joita käytetään pidempään ja jotka korjataan."
    )
    html = client.get(statement.get_absolute_url()).content.decode()
    assert '<div class="prose" lang="fi">' in html and '<h1 lang="fi">' in html

    editor = factories.member(city, Role.EDITOR)
    group = factories.working_group("Eettinen ICT", conveners=[city])
    forum = forum_services.group_forum_ensure(group=group)
    thread = forum_services.thread_create(
        person=editor,
        forum=forum,
        title="Markkinavuoropuhelu",
        body="Kuka osallistuu markkinavuoropuheluun toukokuussa?",
    )
    forum_services.post_create(person=editor, thread=thread, body="Yes.")
    client.force_login(editor)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert '<div class="post-body prose" lang="fi">' in html
    assert '<div class="post-body prose"><p>Yes.</p>' in html

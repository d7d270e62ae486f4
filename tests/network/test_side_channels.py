"""Side channels that confirmed what the directory and the visibility policy hide (#20 item 6).

* A request naming an organisation the person may not see (an unverified one, hidden from the
  directory) answers exactly like a slug that does not exist, never a 403 that names it.
* Slugs of statements, events and forums never reveal that another (private) item has the same
  title, and cannot be guessed from a title; addresses already given out keep working.
* Search facets and filters derived from related rows (a lesson's CPV divisions, borrowed from the
  templates it cites) count only rows everyone who reads the document may read.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from knowledge import services as knowledge_services
from members.models import Membership, Role
from network.events.models import Event
from tests import factories as f
from tests.events.factories import event
from tests.knowledge import factories as kf
from tests.search import factories as sf
from tests.statements import factories as stf

pytestmark = pytest.mark.django_db

HIDDEN = "shadow-procurement"
MISSING = "no-such-organisation"


@pytest.fixture
def naming_world():
    """A person with every role in a verified organisation, an unverified organisation they are not
    in (hidden from them), and an open statement to sign."""
    stf.ensure_cpv()
    hidden = f.organisation("Shadow Procurement Ltd", slug=HIDDEN, verified=False)
    f.member(hidden, Role.SIGNATORY)
    mine = f.organisation("City of Malmö", slug="malmo", verified=True)
    person = f.member(mine, Role.OWNER)
    statement = stf.open_statement(mine)
    client = APIClient()
    client.force_authenticate(person)
    return client, statement


def _requests(statement) -> list[tuple[str, dict]]:
    starts = timezone.now() + timedelta(days=10)
    return [
        ("/api/v1/statements/", {"organisation": "{slug}", "title": "Fair phones", "body": "We ask."}),
        ("/api/v1/statements/", {"organisation": "malmo", "issuers": ["{slug}"], "title": "T", "body": "B"}),
        (f"/api/v1/statements/{statement.slug}/signatures/", {"organisation": "{slug}"}),
        (f"/api/v1/statements/{statement.slug}/signatures/{{slug}}/withdraw/", {"reason": "Changed plans"}),
        (
            f"/api/v1/statements/{statement.slug}/signatures/{{slug}}/amend/",
            {"volumes": {"phones": 10}, "volumes_public": True},
        ),
        ("/api/v1/templates/", {"organisation": "{slug}", "title": "Laptops", "language": "en"}),
        ("/api/v1/lessons/", {"organisation": "{slug}", "title": "What we learned", "language": "en"}),
        ("/api/v1/forums/", {"organisation": "{slug}", "name": "Secret forum"}),
        ("/api/v1/resources/", {"organisation": "{slug}", "title": "Guide", "url": "https://example.org/"}),
        (
            "/api/v1/events/",
            {
                "organisation": "{slug}",
                "title": "Webinar",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
        ),
        (
            "/api/v1/events/",
            {
                "organisation": "malmo",
                "co_hosts": ["{slug}"],
                "title": "Webinar",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
        ),
    ]


def _fill(value, slug: str):
    if isinstance(value, str):
        return value.replace("{slug}", slug)
    if isinstance(value, list):
        return [_fill(v, slug) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, slug) for k, v in value.items()}
    return value


def test_naming_a_hidden_organisation_from_other_organisation_answers_like_a_missing_one(naming_world):
    client, statement = naming_world
    for path, body in _requests(statement):
        missing = client.post(_fill(path, MISSING), _fill(body, MISSING), format="json")
        hidden = client.post(_fill(path, HIDDEN), _fill(body, HIDDEN), format="json")
        # The request reached the organisation check: the missing slug is refused for what it names
        # (409: a reference to a row the caller cannot find, network.api.errors).
        assert missing.status_code in (404, 409), (path, missing.content)
        if missing.status_code == 409:
            assert any(k in missing.json()["errors"] for k in ("organisation", "issuers", "co_hosts")), (
                path,
                missing.content,
            )
        assert hidden.status_code == missing.status_code, (path, hidden.content)
        assert hidden.content.decode().replace(HIDDEN, MISSING) == missing.content.decode(), path
        assert b"Shadow" not in hidden.content


def test_members_of_the_hidden_organisation_still_name_it(naming_world):
    from members.models import Organisation

    hidden_member = f.member(f.organisation("Other", verified=True), Role.EDITOR)
    Membership.objects.create(
        person=hidden_member, organisation=Organisation.objects.get(slug=HIDDEN), role=Role.EDITOR
    )
    own = APIClient()
    own.force_authenticate(hidden_member)
    response = own.post(
        "/api/v1/statements/", {"organisation": HIDDEN, "title": "Ours", "body": "Text"}, format="json"
    )
    assert response.status_code == 201, response.content


# --- slugs ------------------------------------------------------------------------------------

SLUG_WITH_RANDOM_PART = r"{base}-[a-z2-9]{{8}}"


def test_statement_slug_from_other_organisation_reveals_no_private_title():
    private = stf.draft(
        f.organisation("Espoo", verified=True), title="Secret plan X", visibility_level="private"
    )
    mine = stf.draft(f.organisation("Malmö", verified=True), title="Secret plan X")
    alone = stf.draft(f.organisation("Turku", verified=True), title="Open plan Y")
    for statement, base in ((private, "secret-plan-x"), (mine, "secret-plan-x"), (alone, "open-plan-y")):
        assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base=base), statement.slug), statement.slug
    assert private.slug != mine.slug
    anonymous = APIClient()
    assert anonymous.get("/api/v1/statements/secret-plan-x/").status_code == 404


def test_event_slug_from_other_organisation_reveals_no_private_title():
    starts = timezone.now() + timedelta(days=20)
    private = event(
        f.organisation("Espoo", verified=True), visibility="private", title="Secret plan X", starts_at=starts
    )
    mine = event(
        f.organisation("Malmö", verified=True), visibility="public", title="Secret plan X", starts_at=starts
    )
    base = f"secret-plan-x-{starts:%Y-%m-%d}"
    for ev in (private, mine):
        assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base=base), ev.slug), ev.slug
    assert private.slug != mine.slug


def test_forum_slug_from_other_organisation_reveals_no_private_name():
    from forums import services as forum_services

    espoo = f.organisation("Espoo", verified=True)
    malmo = f.organisation("Malmö", verified=True)
    private = forum_services.organisation_forum_create(
        actor=f.member(espoo, Role.OWNER),
        organisation=espoo,
        data=forum_services.ForumData(name="Secret plan X"),
    )
    mine = forum_services.organisation_forum_create(
        actor=f.member(malmo, Role.OWNER),
        organisation=malmo,
        data=forum_services.ForumData(name="Secret plan X"),
    )
    for forum in (private, mine):
        assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base="secret-plan-x"), forum.slug), forum.slug


def _hidden_claim(name: str):
    """An unverified organisation created through the service by someone else: hidden from others."""
    from members import services as member_services

    return member_services.organisation_create(actor=f.person(), name=name, country="FI")


def test_organisation_created_through_the_api_reveals_no_hidden_organisation_of_the_same_name():
    hidden = _hidden_claim("Secret Procurement Oy")
    client = APIClient()
    client.force_authenticate(f.person())
    response = client.post("/api/v1/organisations/", {"name": "SECRET procurement oy", "country": "FI"})
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    for org_slug in (hidden.slug, slug):
        assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base="secret-procurement-oy"), org_slug), org_slug
    assert slug != hidden.slug and hidden.slug not in response.content.decode()
    assert client.get(f"/api/v1/organisations/{hidden.slug}/").status_code == 404
    assert client.get("/api/v1/organisations/secret-procurement-oy-2/").status_code == 404


def test_organisation_created_through_the_page_reveals_no_hidden_organisation_of_the_same_name(client):
    from members.models import Organisation

    hidden = _hidden_claim("Secret Procurement Oy")
    client.force_login(f.person())
    response = client.post(
        "/organisations/new/", {"name": "Secret Procurement Oy", "country": "FI", "kind": "municipality"}
    )
    assert response.status_code == 302, response.content.decode()
    mine = Organisation.objects.exclude(pk=hidden.pk).get(name="Secret Procurement Oy")
    assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base="secret-procurement-oy"), mine.slug), mine.slug
    assert response["Location"] == f"/organisations/{mine.slug}/"
    assert hidden.slug not in client.get(response["Location"]).content.decode()


def test_renaming_to_the_name_of_a_hidden_organisation_from_other_organisation_is_not_refused():
    hidden = _hidden_claim("Secret Procurement Oy")
    mine = f.organisation("City of Lahti", slug="lahti", verified=True)
    client = APIClient()
    client.force_authenticate(f.member(mine, Role.OWNER))
    response = client.patch("/api/v1/organisations/lahti/", {"name": "Secret Procurement Oy"}, format="json")
    assert response.status_code == 200, response.content
    assert hidden.slug not in response.content.decode()


def test_a_name_the_person_can_see_is_still_refused_and_verified_names_stay_unique():
    """Refusing a visible name leaks nothing; two verified organisations never share a name."""
    from members import services as member_services

    claim = _hidden_claim("City of Helsinki")
    helsinki = f.organisation("Helsinki", slug="helsinki", verified=True)
    owner = f.member(helsinki, Role.OWNER)
    member_services.organisation_update(actor=owner, organisation=helsinki, name="City of HELSINKI ")
    client = APIClient()
    client.force_authenticate(f.person())
    response = client.post("/api/v1/organisations/", {"name": "city of helsinki", "country": "FI"})
    assert response.status_code == 409 and "already taken" in response.json()["errors"]["name"][0]
    staff = APIClient()
    staff.force_authenticate(f.person(is_staff=True))
    refused = staff.post(f"/api/v1/organisations/{claim.slug}/verify/", {}, format="json")
    assert refused.status_code == 409 and "name" in refused.json()["errors"], refused.content
    claim.refresh_from_db()
    assert not claim.verified
    claimant = claim.memberships.get().person
    member_services.organisation_update(actor=claimant, organisation=claim, name="Helsinki Region Oy")
    assert staff.post(f"/api/v1/organisations/{claim.slug}/verify/", {}, format="json").status_code == 200


def test_working_group_slugs_do_not_count_up_through_page_and_api(client):
    from members.models import WorkingGroup

    convener = f.organisation("Federal Institute", slug="fisd", verified=True)
    chair = f.member(convener, Role.OWNER)
    f.working_group("Circular phones", conveners=[convener])
    api = APIClient()
    api.force_authenticate(chair)
    by_api = api.post("/api/v1/working-groups/", {"name": "Circular phones!", "convener": "fisd"})
    assert by_api.status_code == 201, by_api.content
    client.force_login(chair)
    by_page = client.post(
        "/working-groups/new/",
        {"name": "Circular: phones", "description": "", "visibility": "network", "convener": convener.pk},
    )
    assert by_page.status_code == 302, by_page.content.decode()
    page_slug = WorkingGroup.objects.get(name="Circular: phones").slug
    for slug in (by_api.json()["slug"], page_slug):
        assert re.fullmatch(SLUG_WITH_RANDOM_PART.format(base="circular-phones"), slug), slug


def test_addresses_given_out_before_keep_working():
    """Slugs stored before the change (counted up from the title) are kept and still resolve."""
    org = f.organisation("Helsinki", verified=True)
    statement = stf.draft(org, title="Old style", visibility_level="public")
    type(statement).objects.filter(pk=statement.pk).update(slug="old-style-2")
    ev = event(org, visibility="public", title="Old event")
    Event.objects.filter(pk=ev.pk).update(slug="old-event-2026-01-01")
    anonymous = APIClient()
    assert anonymous.get("/api/v1/statements/old-style-2/").status_code == 200
    assert anonymous.get("/events/old-event-2026-01-01/").status_code == 200


# --- search facets through related rows ----------------------------------------------------------


def _changed(template, **changes):
    return knowledge_services.TemplateData.of(template).with_changes(changes)


def _cpv_facet(client, **params) -> tuple[set[str], dict[str, int]]:
    response = client.get("/api/v1/search/", {"type": "lesson", **params})
    assert response.status_code == 200, response.content
    body = response.json()
    return {r["title"] for r in body["results"]}, {
        v["value"]: v["count"] for v in body["facets"].get("cpv", [])
    }


def test_search_cpv_of_a_private_template_from_other_organisation_is_neither_counted_nor_filterable(
    django_capture_on_commit_callbacks,
):
    org = f.organisation("Helsinki", slug="helsinki", verified=True)
    author = kf.editor(org)
    with django_capture_on_commit_callbacks(execute=True):
        sf.cpv("48000000")
        template = kf.template(author, org, visibility="public", title="Case management system")
        template.cpv_codes.set([sf.cpv("48000000")])
        lesson = kf.lesson(
            author,
            org,
            visibility="public",
            title="What the case system taught us",
            related_templates=[template.pk],
        )
    anonymous = APIClient()
    other = APIClient()
    other.force_authenticate(kf.editor(f.organisation("Malmö", slug="malmo", verified=True)))
    for client in (anonymous, other):
        titles, counts = _cpv_facet(client)
        assert lesson.title in titles and counts.get("48") == 1
        assert lesson.title in _cpv_facet(client, cpv="48")[0]
    with django_capture_on_commit_callbacks(execute=True):
        knowledge_services.template_update(
            person=author, template=template, data=_changed(template, visibility="private")
        )
    for client in (anonymous, other):
        titles, counts = _cpv_facet(client)
        assert lesson.title in titles  # the lesson is still public...
        assert "48" not in counts  # ...but the private template's division is not counted
        assert _cpv_facet(client, cpv="48")[0] == set()  # nor found by
    with django_capture_on_commit_callbacks(execute=True):
        knowledge_services.template_update(
            person=author, template=template, data=_changed(template, visibility="public")
        )
    assert _cpv_facet(anonymous, cpv="48")[0] == {lesson.title}

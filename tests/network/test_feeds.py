"""Atom feeds and the planned-tender iCalendar: valid Atom 1.0, public items only, filters, 400s."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.utils import timezone

from knowledge.statements import services as statement_services
from members.models import Role
from tests import factories
from tests.events.factories import event
from tests.knowledge import factories as kf
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db

FEEDS = ("/statements/feed.atom", "/library/tenders/feed.atom", "/events/feed.atom")


def parse(client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.version == "atom10", parsed.version
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def titles(parsed) -> list[str]:
    return [e.title for e in parsed.entries]


@pytest.fixture
def network():
    helsinki = factories.organisation("City of Helsinki", country="FI")
    malmo = factories.organisation("Malmö stad", country="SE")
    hel_editor = factories.member(helsinki, Role.EDITOR)
    # statements: open (phones, FI issuer), open closing soon (laptops, SE issuer), private draft
    phones = sf.open_statement(helsinki, title="Fair phones")
    laptops = sf.open_statement(
        malmo,
        title="Circular laptops",
        demands=[{"text": "Repairable laptops.", "category": "laptops", "cpv_code": "30213100-6"}],
        closes_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    sf.draft(helsinki, title="Secret draft statement")
    sf.sign(
        phones, factories.organisation("Oslo kommune", country="NO"), volumes={"phones": 4242}, public=False
    )
    # tenders: public joint (laptops FI), public joint (phones SE), public not joint, private joint
    kf.tender(
        hel_editor, helsinki, visibility="public", title="Joint laptops 2027", joint_procurement_open=True
    )
    kf.tender(
        factories.member(malmo, Role.EDITOR),
        malmo,
        visibility="public",
        title="Joint phones 2027",
        joint_procurement_open=True,
        cpv_codes=["32250000-0"],
    )
    kf.tender(hel_editor, helsinki, visibility="public", title="Solo tender", joint_procurement_open=False)
    kf.tender(
        hel_editor,
        helsinki,
        visibility="network",
        title="Network-only joint tender",
        joint_procurement_open=True,
    )
    # events: public (laptops CPV), network-only
    event(helsinki, visibility="public", title="Laptop market dialogue", cpv_codes=["30213100-6"])
    event(malmo, visibility="network", title="Members-only workshop")
    return {"phones": phones, "laptops": laptops, "helsinki": helsinki, "editor": hel_editor}


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_are_valid_atom(client, network, url):
    parsed = parse(client, url)
    assert parsed.feed.title and parsed.feed.updated and parsed.feed.id.startswith("tag:")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id.startswith("tag:") and entry.link.startswith("http") and entry.updated


def test_statements_feed_has_opened_closing_soon_and_new_signatories(client, network):
    names = titles(parse(client, "/statements/feed.atom"))
    assert "Open for signature: Fair phones" in names
    assert any(t.startswith("Closing on") and "Circular laptops" in t for t in names)
    assert "Oslo kommune signed “Fair phones”" in names


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_contain_only_public_items_even_for_members_of_other_organisation(client, network, url):
    """Signed in as the owner organisation's editor, the feed is still the public one."""
    client.force_login(network["editor"])
    text = client.get(url).content.decode()
    for private in (
        "Secret draft statement",
        "Network-only joint tender",
        "Members-only workshop",
        "4242",
        "4,242",
    ):
        assert private not in text, (url, private)


def test_tenders_feed_lists_only_joint_procurement(client, network):
    assert sorted(titles(parse(client, "/library/tenders/feed.atom"))) == [
        "2027 Q2: Joint laptops 2027",
        "2027 Q2: Joint phones 2027",
    ]


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("/library/tenders/feed.atom", {"category": "phones"}, ["2027 Q2: Joint phones 2027"]),
        ("/library/tenders/feed.atom", {"cpv": "30"}, ["2027 Q2: Joint laptops 2027"]),
        ("/library/tenders/feed.atom", {"country": "se"}, ["2027 Q2: Joint phones 2027"]),
        ("/events/feed.atom", {"cpv": "30"}, None),
        ("/events/feed.atom", {"category": "phones"}, []),
    ],
)
def test_feed_filters(client, network, url, params, expected):
    names = titles(parse(client, url, **params))
    if expected is None:
        assert len(names) == 1 and names[0].endswith("Laptop market dialogue")
    else:
        assert names == expected


def test_statement_feed_filters(client, network):
    laptops = titles(parse(client, "/statements/feed.atom", category="laptops"))
    assert laptops and all("Circular laptops" in t for t in laptops)
    swedish = titles(parse(client, "/statements/feed.atom", country="SE"))
    assert swedish and all("Circular laptops" in t for t in swedish)
    phones_division = titles(parse(client, "/statements/feed.atom", cpv="32"))
    assert phones_division and all("Fair phones" in t for t in phones_division)


@pytest.mark.parametrize("url", [*FEEDS, "/library/tenders/calendar.ics"])
@pytest.mark.parametrize(
    "params", [{"category": "toasters"}, {"country": "ZZ"}, {"cpv": "phones"}, {"colour": "red"}]
)
def test_unknown_filters_are_a_clear_400(client, network, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert len(response.content.decode().strip()) > 10


def test_tender_calendar_ics(client, network):
    response = client.get("/library/tenders/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20270401" in text and "DTEND;VALUE=DATE:20270701" in text
    assert "Network-only joint tender" not in text and "Solo tender" not in text
    only_phones = client.get("/library/tenders/calendar.ics", {"category": "phones"}).content.decode()
    assert only_phones.count("BEGIN:VEVENT") == 1 and "Joint phones 2027" in only_phones


def test_tender_calendar_from_other_organisation_member_is_still_public_only(client, network):
    client.force_login(network["editor"])
    assert "Network-only joint tender" not in client.get("/library/tenders/calendar.ics").content.decode()


def test_amendment_does_not_make_a_new_signatory_entry(client, network):
    person, org = sf.signatory(factories.organisation("Bergen kommune", country="NO"))
    statement_services.statement_sign(person=person, statement=network["laptops"], organisation=org)
    statement_services.signature_amend(
        person=person,
        statement=network["laptops"],
        organisation=org,
        volumes={"laptops": 10},
        volumes_public=True,
    )
    names = titles(parse(client, "/statements/feed.atom"))
    assert names.count("Bergen kommune signed “Circular laptops”") == 1


def test_library_shows_joint_quantities_per_quarter_and_category(client, network):
    kf.tender(
        network["editor"],
        network["helsinki"],
        visibility="public",
        title="Joint laptops 2027 bis",
        joint_procurement_open=True,
        estimated_quantity=500,
    )
    html = client.get("/library/", {"kind": "tender"}).content.decode()
    start = html.index('id="joint-caption"')
    table = html[start : html.index("</table>", start)]
    assert "2027 Q2" in table and "20,500" in table and "6,500" not in table
    # the network-only joint tender (20,000 laptops) is not in an anonymous visitor's figures
    client.force_login(network["editor"])
    html = client.get("/library/", {"kind": "tender"}).content.decode()
    start = html.index('id="joint-caption"')
    assert "40,500" in html[start : html.index("</table>", start)]


def test_pages_link_their_feeds(client, network):
    assert 'href="/statements/feed.atom"' in client.get("/statements/").content.decode()
    assert 'href="/events/feed.atom"' in client.get("/events/").content.decode()
    library = client.get("/library/", {"kind": "tender"}).content.decode()
    assert (
        'href="/library/tenders/feed.atom"' in library and 'href="/library/tenders/calendar.ics"' in library
    )

"""What a procurement officer reads in the library: the country filter starts with the network's
own countries, codes read as translated labels, and "withdraw" appears only after an interest."""

from __future__ import annotations

import re

import pytest

from members.models import Role
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


def test_the_country_filter_lists_the_networks_countries_first(client):
    f.organisation("City of Helsinki", country="FI")
    f.organisation("Malmö stad", country="SE")
    f.organisation("Unverified town", country="AF", verified=False)
    html = client.get("/library/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    select = html[html.index('name="country"') : html.index("</select>", html.index('name="country"'))]
    first = re.search(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert first.group(1) == "Verkoston maat"
    assert re.findall(r'value="([A-Z]{2})"', first.group(2)) == ["SE", "FI"]  # Ruotsi, Suomi
    assert ">Suomi<" in first.group(2) and ">Ruotsi<" in first.group(2)
    assert select.index('value="SE"') < select.index('value="AF"')


def test_codes_read_as_labels_in_the_viewers_language(client):
    city = f.organisation("City of Helsinki", country="FI")
    editor = kf.editor(city)
    tender = kf.tender(editor, city, visibility="network")
    client.force_login(f.member(city, Role.MEMBER))
    html = client.get(tender.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "green:circ-econ" not in html and "social:work-cond" not in html
    assert "Miljö: omställning till en cirkulär ekonomi" in html


def test_withdraw_our_interest_shows_only_after_an_interest(client):
    city = f.organisation("City of Helsinki", slug="helsinki")
    peer = f.organisation("Malmö stad", slug="malmo")
    tender = kf.tender(kf.editor(city), city, visibility="network")
    client.force_login(kf.editor(peer))
    assert "Withdraw our interest" not in client.get(tender.get_absolute_url()).content.decode()
    client.post(tender.get_absolute_url(), {"organisation": "malmo", "note": "Count us in"})
    assert "Withdraw our interest" in client.get(tender.get_absolute_url()).content.decode()


def test_the_template_editor_is_in_stage_sections_with_a_summary(client):
    city = f.organisation("City of Helsinki", slug="helsinki")
    editor = kf.editor(city)
    template = kf.template(editor, city)
    client.force_login(editor)
    html = client.get(f"{template.get_absolute_url()}edit/").content.decode()
    assert 'aria-labelledby="editor-summary-heading"' in html
    assert 'href="#part-general"' in html and 'id="part-general"' in html
    # The factory's criteria: award criteria weighted 60 + 40, summed in the summary.
    assert 'id="part-award"' in html and "weights add up to 100 %" in html
    assert html.index('id="part-award"') < html.index('id="part-new"')

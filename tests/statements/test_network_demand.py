"""The network demand (``/demand/``, ``/api/v1/demand/``): totals, filters, exports, isolation."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from knowledge.statements import services
from knowledge.statements.models import Statement, StatementStatus
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db

API = "/api/v1/demand/"
SECRET = 987_654  # an undisclosed figure: it must never appear anywhere


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {r["key"]: r for r in rows}


def sign_as(statement, org, volumes, public=True):
    person, org = sf.signatory(org)
    signature = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes=volumes, volumes_public=public
    )
    return person, signature


@pytest.fixture
def network():
    """Two open statements, a draft and a closed one; disclosed and undisclosed signatures."""
    phones = sf.open_statement(title="Fair phones")
    laptops = sf.open_statement(title="Circular laptops")
    helsinki = factories.organisation("City of Helsinki", country="FI")
    malmo = factories.organisation("Malmö stad", country="SE")
    oslo = factories.organisation("Oslo kommune", country="NO")
    secretive = factories.organisation("Secretive City", country="FI")
    hel_signer, _ = sign_as(phones, helsinki, {"phones": 6500, "tablets": 5000})
    sign_as(phones, malmo, {"phones": 3000})
    sign_as(laptops, oslo, {"laptops": 20000})
    sign_as(phones, secretive, {"phones": SECRET, "laptops": SECRET}, public=False)
    draft = sf.draft(title="A private draft")  # never opened: no signature possible, not public
    closed = sf.open_statement(title="Closed statement")
    sign_as(closed, factories.organisation("Closed City", country="DK"), {"phones": 111})
    services.statement_close(person=closed.created_by, statement=closed)
    return {
        "phones": phones,
        "laptops": laptops,
        "helsinki": helsinki,
        "hel_signer": hel_signer,
        "malmo": malmo,
        "oslo": oslo,
        "secretive": secretive,
        "draft": draft,
        "closed": closed,
    }


def test_totals_are_the_sum_of_disclosed_volumes_across_open_statements(api_client, network):
    body = api_client.get(API).json()
    totals = {k: r["total"] for k, r in by_key(body["by_category"]).items()}
    assert totals == {"phones": 6500 + 3000, "laptops": 20000, "tablets": 5000}
    assert body["total_units"] == 6500 + 3000 + 20000 + 5000
    assert body["undisclosed_organisations"] == 1
    assert body["signatory_organisations"] == 4
    assert body["disclosing_organisations"] == 3
    assert body["statements"] == 2
    phones = by_key(body["by_category"])["phones"]
    assert [b["name"] for b in phones["buyers"]] == ["City of Helsinki", "Malmö stad"]
    countries = {k: r["total"] for k, r in by_key(body["by_country"]).items()}
    assert countries == {"FI": 11500, "SE": 3000, "NO": 20000}
    statements = {k: r["total"] for k, r in by_key(body["by_statement"]).items()}
    assert statements == {network["phones"].slug: 14500, network["laptops"].slug: 20000}
    year = str(timezone.localdate().year)
    assert by_key(body["by_year"])[year]["total"] == 34500


def test_undisclosed_volumes_never_appear_anywhere(client, api_client, network):
    """API, HTML, CSV and JSON: the secret figure and the secretive buyer's name are absent."""
    secret = str(SECRET)
    secret_grouped = f"{SECRET:,}"
    for url in (API, "/api/v1/demand/declarations.json", "/api/v1/demand/declarations.csv", "/demand/"):
        text = client.get(url).content.decode()
        assert secret not in text and secret_grouped not in text, url
        assert "Secretive City" not in text, url
    # … also for the secretive organisation's own members and the issuers: the page is public data.
    client.force_login(factories.member(network["secretive"], Role.OWNER))
    assert secret not in client.get("/demand/").content.decode()


def test_totals_change_at_once_when_a_signature_is_withdrawn(api_client, network):
    services.signature_withdraw(
        person=network["hel_signer"],
        statement=network["phones"],
        organisation=network["helsinki"],
        reason="Budget cut",
    )
    totals = {k: r["total"] for k, r in by_key(api_client.get(API).json()["by_category"]).items()}
    assert totals == {"phones": 3000, "laptops": 20000}


def test_totals_change_at_once_when_a_signature_is_amended(api_client, network):
    services.signature_amend(
        person=network["hel_signer"],
        statement=network["phones"],
        organisation=network["helsinki"],
        volumes={"phones": 7000},
        volumes_public=True,
    )
    totals = {k: r["total"] for k, r in by_key(api_client.get(API).json()["by_category"]).items()}
    assert totals == {"phones": 7000 + 3000, "laptops": 20000}


def test_amending_to_undisclosed_takes_the_figures_out_and_counts_the_organisation(api_client, network):
    services.signature_amend(
        person=network["hel_signer"],
        statement=network["phones"],
        organisation=network["helsinki"],
        volumes={"phones": 6500, "tablets": 5000},
        volumes_public=False,
    )
    body = api_client.get(API).json()
    assert by_key(body["by_category"])["phones"]["total"] == 3000
    assert "tablets" not in by_key(body["by_category"])
    assert body["undisclosed_organisations"] == 2


def test_a_statement_past_its_closing_date_leaves_the_totals_before_the_command_runs(api_client, network):
    Statement.objects.filter(pk=network["laptops"].pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = api_client.get(API).json()
    assert "laptops" not in by_key(body["by_category"])
    assert Statement.objects.filter(pk=network["laptops"].pk, status=StatementStatus.OPEN).exists()


def test_closed_statement_is_not_counted(api_client, network):
    text = api_client.get(API).content.decode()
    assert "Closed City" not in text and network["closed"].slug not in text


def test_an_organisation_on_two_statements_is_counted_once_per_category(api_client, network):
    sign_as(network["laptops"], network["malmo"], {"phones": 3200, "laptops": 900})
    body = api_client.get(API).json()
    totals = {k: r["total"] for k, r in by_key(body["by_category"]).items()}
    assert totals["phones"] == 6500 + 3200  # Malmö's latest phone figure, not 3000 + 3200
    assert totals["laptops"] == 20000 + 900
    statements = by_key(body["by_statement"])
    assert statements[network["phones"].slug]["units"]["phones"] == 6500 + 3000
    assert statements[network["laptops"].slug]["units"]["phones"] == 3200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "phones"}, {"phones": 9500}),
        ({"country": "fi"}, {"phones": 6500, "tablets": 5000}),
        ({"cpv": "30"}, {"laptops": 20000, "tablets": 5000}),
        ({"cpv": "32250000-0"}, {"phones": 9500}),
        ({"cpv": "30213100"}, {"laptops": 20000}),
    ],
)
def test_filters(api_client, network, params, expected):
    body = api_client.get(API, params).json()
    assert {k: r["total"] for k, r in by_key(body["by_category"]).items()} == expected


def test_statement_filter(api_client, network):
    body = api_client.get(API, {"statement": network["laptops"].slug}).json()
    assert {k: r["total"] for k, r in by_key(body["by_category"]).items()} == {"laptops": 20000}
    assert body["undisclosed_organisations"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "toasters"}, "category"),
        ({"country": "XX"}, "country"),
        ({"cpv": "laptops"}, "cpv"),
        ({"colour": "red"}, "non_field_errors"),
    ],
)
def test_bad_filters_answer_400_with_field_errors(api_client, client, network, params, field):
    response = api_client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and field in body["errors"]
    for url in ("/api/v1/demand/declarations.csv", "/api/v1/demand/declarations.json"):
        assert api_client.get(url, params).status_code == 400
    page = client.get("/demand/", params)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()


def test_statement_filter_does_not_reveal_drafts_or_closed_statements_from_other_organisation(
    api_client, network
):
    """A draft's slug answers exactly like a missing one: a reference to a row the caller cannot
    find, so a state rule (409) on every export, and the page says it beside the filter."""
    for url in (API, "/api/v1/demand/declarations.csv", "/api/v1/demand/declarations.json"):
        assert api_client.get(url, {"statement": network["draft"].slug}).status_code == 409
    draft = api_client.get(API, {"statement": network["draft"].slug}).json()
    missing = api_client.get(API, {"statement": "no-such-statement"}).json()
    closed = api_client.get(API, {"statement": network["closed"].slug}).json()
    assert draft["errors"]["statement"][0].replace(network["draft"].slug, "X") == missing["errors"][
        "statement"
    ][0].replace("no-such-statement", "X")
    assert "statement" in closed["errors"]


def test_network_demand_is_the_same_for_members_of_other_organisation(api_client, network):
    """The figures are public data: a member of an issuer or of the undisclosing buyer sees the same."""
    anonymous = api_client.get(API).json()
    api_client.force_authenticate(factories.member(network["secretive"], Role.SIGNATORY))
    assert api_client.get(API).json() == anonymous
    api_client.force_authenticate(factories.member(network["phones"].organisation, Role.OWNER))
    assert api_client.get(API).json() == anonymous


def test_csv_export_lists_each_disclosed_declaration_and_neutralises_formulas(client, network):
    org = factories.organisation("=HYPERLINK(1)", country="FI")
    sign_as(network["laptops"], org, {"laptops": 5})
    response = client.get("/api/v1/demand/declarations.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    pairs = {(r["organisation"], r["category"], r["units_per_year"]) for r in rows}
    assert ("City of Helsinki", "phones", "6500") in pairs
    assert ("Oslo kommune", "laptops", "20000") in pairs
    assert ("'=HYPERLINK(1)", "laptops", "5") in pairs
    assert len(rows) == 5


def test_json_export(client, network):
    body = client.get("/api/v1/demand/declarations.json").json()
    assert body["undisclosed_organisations"] == 1
    assert {d["organisation"] for d in body["declarations"]} == {
        "City of Helsinki",
        "Malmö stad",
        "Oslo kommune",
    }


def test_page_shows_chart_table_and_undisclosed_count(client, network):
    response = client.get("/demand/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="chart bar-chart"' in html and "<title id=" in html
    assert "<caption" in html and "20,000" in html
    assert "1 organisation did not disclose its volumes." in html
    assert "City of Helsinki (6,500)" in html


def test_statement_page_links_to_network_demand(client, network):
    html = client.get(network["phones"].get_absolute_url()).content.decode()
    assert f'href="/demand/?statement={network["phones"].slug}"' in html
    assert 'href="/demand/"' in html


def test_demand_queries_do_not_grow_with_the_network(client, api_client):
    def build(n: int) -> None:
        statement = sf.open_statement()
        for i in range(n):
            sign_as(statement, factories.organisation(country=["FI", "SE", "NO"][i % 3]), {"laptops": i + 1})

    build(2)

    def queries(c, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/demand/", API, "/api/v1/demand/declarations.csv", "/api/v1/demand/declarations.json"]
    few = [queries(client, u) for u in urls]
    for _ in range(3):
        build(8)
    assert [queries(client, u) for u in urls] == few

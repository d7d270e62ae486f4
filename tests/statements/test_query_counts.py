"""List pages and endpoints run a constant number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def statement_with(n: int):
    statement = sf.open_statement()
    for i in range(n):
        sf.sign(statement, factories.organisation(country=["FI", "SE", "NO"][i % 3]), public=bool(i % 2))
    return statement


@pytest.mark.parametrize(
    "suffix", ["signatures/", "signatories.csv", "signatories.json", "demand/", "versions/", "audit/"]
)
def test_signatory_endpoints_do_not_grow_with_signatures(client, suffix):
    small, large = statement_with(3), statement_with(30)
    issuer = factories.member(small.organisation)
    large.issuers.add(small.organisation)
    client.force_login(issuer)
    few = count_queries(client, f"/api/v1/statements/{small.slug}/{suffix}")
    many = count_queries(client, f"/api/v1/statements/{large.slug}/{suffix}")
    assert few == many, (few, many)


def test_statement_page_does_not_grow_with_signatures(client):
    small, large = statement_with(3), statement_with(30)
    few = count_queries(client, f"/statements/{small.slug}/")
    many = count_queries(client, f"/statements/{large.slug}/")
    assert few == many, (few, many)


def test_statements_list_does_not_grow_with_statements_or_signatures(client, django_assert_max_num_queries):
    viewer = factories.member(factories.organisation())
    client.force_login(viewer)
    statement_with(3)
    few_api = count_queries(client, "/api/v1/statements/")
    few_html = count_queries(client, "/statements/")
    for _ in range(6):
        statement_with(5)
    assert count_queries(client, "/api/v1/statements/") == few_api
    assert count_queries(client, "/statements/") == few_html
    with django_assert_max_num_queries(12):
        client.get("/api/v1/statements/")

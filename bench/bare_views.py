"""Bare Django baselines for the API benchmark: the same JSON as three real list endpoints, built
by hand with ``values()`` and ``JsonResponse`` — no DRF, no serializers, no filter backends.

They keep what any correct implementation must do (session authentication through the middleware,
the visibility filter through ``Model.objects.visible_to(person)``, pagination with a total), so
the gap to the real endpoint is the framework and serializer overhead, not skipped work. The
benchmark checks that each bare response equals the real one before timing them.
Mounted by :mod:`bench.urls` only; never part of the product's URLconf.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils import timezone


def _iso(value: datetime | None) -> str | None:
    """Datetimes as DRF renders them: local time zone, ISO 8601, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _page(request: HttpRequest, total: int) -> tuple[int, int, str | None, str | None]:
    """Page-number pagination like ``network.api.pagination`` (``page``, ``page_size`` ≤ 100)."""
    try:
        size = min(max(int(request.GET.get("page_size", 25)), 1), 100)
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        size, number = 25, 1
    last = max(1, -(-total // size))
    if number > last:
        raise Http404

    def link(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        if page == 1:
            query.pop("page")
        encoded = query.urlencode()
        return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))

    following = link(number + 1) if number < last else None
    previous = link(number - 1) if number > 1 else None
    return (number - 1) * size, size, following, previous


def _organisation(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "slug": row[f"{prefix}__slug"],
        "name": row[f"{prefix}__name"],
        "country": row[f"{prefix}__country"],
    }


def templates(request: HttpRequest) -> JsonResponse:
    """``GET /api/v1/templates/`` by hand: 3 queries for any page size (count, page, CPV codes)
    plus one when a template on the page is a fork."""
    from knowledge.models import TenderTemplate

    qs = TenderTemplate.objects.visible_to(request.user).order_by("-updated_at", "-pk")
    total = qs.count()
    offset, size, following, previous = _page(request, total)
    rows = list(
        qs.values(
            "id", "title", "slug", "summary", "visibility", "status", "procedure", "language", "licence",
            "tags", "version_count", "updated_at", "organisation__slug", "organisation__name",
            "organisation__country", "forked_from_id", "forked_from__template_id", "forked_from__number",
        )[offset : offset + size]
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    cpv: dict[int, list[dict[str, str]]] = defaultdict(list)
    through = TenderTemplate.cpv_codes.through
    for link in (
        through.objects.filter(tendertemplate_id__in=ids)
        .order_by("pk")
        .values("tendertemplate_id", "cpvcode__code", "cpvcode__check_digit", "cpvcode__label_en")
    ):
        cpv[link["tendertemplate_id"]].append(
            {
                "code": f"{link['cpvcode__code']}-{link['cpvcode__check_digit']}",
                "label": link["cpvcode__label_en"],
            }
        )
    origins = {row["forked_from__template_id"] for row in rows if row["forked_from_id"]}
    readable = (
        set(
            TenderTemplate.objects.visible_to(request.user)
            .filter(pk__in=origins)
            .values_list("pk", flat=True)
        )
        if origins
        else set()
    )
    url_prefix = reverse("knowledge:template", kwargs={"pk": 0})[:-2]
    results = []
    for row in rows:
        forked = None
        if row["forked_from_id"]:
            shown = row["forked_from__template_id"] in readable
            forked = {
                "template": row["forked_from__template_id"] if shown else None,
                "version": row["forked_from__number"] if shown else None,
                "hidden": not shown,
            }
        results.append(
            {
                "id": row["id"],
                "url": f"{url_prefix}{row['id']}/",
                "title": row["title"],
                "slug": row["slug"],
                "summary": row["summary"],
                "organisation": _organisation(row, "organisation"),
                "visibility": row["visibility"],
                "status": row["status"],
                "procedure": row["procedure"],
                "language": row["language"],
                "licence": row["licence"],
                "tags": row["tags"],
                "cpv_codes": cpv.get(row["id"], []),
                "forked_from": forked,
                "version_count": row["version_count"],
                "updated_at": _iso(row["updated_at"]),
            }
        )
    return JsonResponse({"count": total, "next": following, "previous": previous, "results": results})


def signatures(request: HttpRequest, slug: str) -> JsonResponse:
    """``GET /api/v1/statements/<slug>/signatures/`` by hand (public volumes only: the bench reader
    is not in an issuing organisation, so undisclosed volumes are hidden from it either way)."""
    from knowledge.statements.models import Signature, Statement

    statement_id = (
        Statement.objects.visible_to(request.user).filter(slug=slug).values_list("pk", flat=True).first()
    )
    if statement_id is None:
        raise Http404
    qs = Signature.objects.filter(statement_id=statement_id, withdrawn_at__isnull=True).order_by(
        "signed_at", "id"
    )
    total = qs.count()
    offset, size, following, previous = _page(request, total)
    rows = qs.values(
        "organisation__slug", "organisation__name", "organisation__country", "version__number",
        "signed_at", "volumes", "volumes_public", "comment",
    )[offset : offset + size]  # fmt: skip
    results = [
        {
            "organisation": _organisation(row, "organisation"),
            "version": row["version__number"],
            "signed_at": _iso(row["signed_at"]),
            "volumes": row["volumes"] if row["volumes_public"] else None,
            "volumes_public": row["volumes_public"],
            "comment": row["comment"],
            "active": True,
        }
        for row in rows
    ]
    return JsonResponse({"count": total, "next": following, "previous": previous, "results": results})


def posts(request: HttpRequest, pk: int) -> JsonResponse:
    """``GET /api/v1/threads/<pk>/posts/?after=&limit=`` by hand: thread, posts, reactions."""
    from forums.models import Post, Reaction, Thread

    thread = Thread.objects.visible_to(request.user).filter(pk=pk).values("pk", "last_seq").first()
    if thread is None:
        raise Http404
    try:
        after = max(int(request.GET.get("after", 0)), 0)
        limit = min(max(int(request.GET.get("limit", 100)), 1), 100)
    except ValueError:
        after, limit = 0, 100
    rows = list(
        Post.objects.filter(thread_id=pk, seq__gt=after)
        .order_by("seq")
        .values(
            "id", "thread_id", "seq", "author_id", "author__name", "author__email", "author_organisation__name",
            "body", "body_html", "reply_to_id", "reply_to__seq", "created_at", "edited_at", "removed_at",
            "hidden_by_moderator",
        )[: limit + 1]
    )  # fmt: skip
    more = len(rows) > limit
    rows = rows[:limit]
    reactions: dict[int, dict[str, int]] = {row["id"]: {} for row in rows}
    for reaction in (
        Reaction.objects.filter(post_id__in=list(reactions))
        .values("post_id", "code")
        .annotate(n=Count("id"))
        .order_by("post_id", "code")
    ):
        reactions[reaction["post_id"]][reaction["code"]] = reaction["n"]
    results = []
    for row in rows:
        shown = row["removed_at"] is None and not row["hidden_by_moderator"]
        name = row["author__name"] or (row["author__email"] or "").split("@")[0]
        results.append(
            {
                "id": row["id"],
                "thread": row["thread_id"],
                "seq": row["seq"],
                "author": {
                    "id": row["author_id"],
                    "name": name if row["author_id"] else "",
                    "organisation": row["author_organisation__name"],
                },
                "body": row["body"] if shown else "",
                "body_html": row["body_html"] if shown else "",
                "reply_to": row["reply_to_id"],
                "reply_to_seq": row["reply_to__seq"],
                "created_at": row["created_at"].isoformat(),
                "edited_at": row["edited_at"].isoformat() if row["edited_at"] else None,
                "removed": row["removed_at"] is not None,
                "hidden": row["hidden_by_moderator"],
                "reactions": reactions[row["id"]],
            }
        )
    return JsonResponse(
        {"results": results, "next_after": rows[-1]["seq"] if more else None, "last_seq": thread["last_seq"]}
    )


urlpatterns = [
    path("bench/bare/templates/", templates),
    path("bench/bare/statements/<slug:slug>/signatures/", signatures),
    path("bench/bare/threads/<int:pk>/posts/", posts),
]

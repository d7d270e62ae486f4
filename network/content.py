"""The content-type registry: each app declares its types once, the fabric iterates the declarations.

A content type (a tender template, a lesson, a joint statement, a thread, an event, a resource…)
used to be wired by hand through some twenty files: hard-coded lists in the library filter, the
dashboard, the events' outcome kinds and the isolation test, each looking models up by a string
label with a ``LookupError`` fallback, so a typo silently dropped the type. Now each app has a
``content.py`` that calls :func:`register` from its ``AppConfig.ready``; the library filter, the
dashboard, event outcomes, notifications, demo data and the isolation test read :func:`content_types`,
and :func:`check_registry` (a Django system check) fails at start-up on an unknown model, field,
index or accessor.

One kind slug per type, everywhere: the registry key is the search ``type`` and the library's
``?kind=`` value and the outcome kind (``lesson``, never ``lessons``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models


@dataclass(frozen=True)
class LibrarySection:
    """How a type appears in the library (``/library/``): its readable rows and how to show them.

    ``rows(person, params)`` returns the rows the person may read, filtered by the library's common
    parameters; ``template`` renders one section (it gets ``page``, ``kind``, ``query``).
    """

    rows: Callable[[Any, dict[str, Any]], Any]
    template: str
    order: int = 100
    #: ``context(rows) -> dict`` adds the section's extra context to the library page.
    context: Callable[[Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class ContentType:
    """One declaration per content type (see the module docstring)."""

    kind: str
    model: str  # "app_label.ModelName"
    label: Any  # plural, for filters and headings
    #: the search index ``type`` (None: not searchable); must equal ``kind`` when set.
    search_type: str | None = None
    #: the type's ``network.search.spec.SearchIndex`` (the search package declares none itself).
    search_index: Any = None
    #: ``(url prefix, urlconf module or list)`` mounted by ``network.urls`` (e.g. ``("resources/", …)``).
    urls: tuple[str, Any] | None = None
    #: ``[(prefix, viewset, basename)]`` registered on the ``/api/v1/`` router.
    api_routes: tuple[tuple[str, Any, str], ...] = ()
    #: ``section(scope) -> Section | None`` callables: the type's sections on the dashboard, at
    #: ``dashboard_order``; an ``(order, section)`` pair places one section elsewhere.
    dashboard: tuple[Callable[[Any], Any] | tuple[int, Callable[[Any], Any]], ...] = ()
    dashboard_order: int = 100
    #: lookups an event outcome may name the object by, tried in order (None: not an outcome).
    outcome_lookups: tuple[str, ...] | None = None
    library: LibrarySection | None = None
    #: ``demo(stdout) -> None`` loads the type's demo data (``manage.py loaddemo``).
    demo: Callable[..., Any] | None = None
    #: names the notification kinds this type sends (documentation and the system check).
    notification_kinds: tuple[str, ...] = ()
    #: fields the type's capability selector guards (see ``network.capabilities``).
    guarded_fields: tuple[str, ...] = ()
    #: guarded fields of the type's own parts, as ``("app_label.Model", field)`` (a statement's
    #: signature volumes); the capability is ``sees_<field>`` as for ``guarded_fields``.
    guarded_related: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def model_class(self) -> type[models.Model]:
        """The model; raises ``LookupError`` (the system check reports it at start-up)."""
        return apps.get_model(self.model)


_REGISTRY: dict[str, ContentType] = {}
#: model label → search index, declared with its type (or alone, for a searchable part of a type
#: such as a forum post, or the organisation directory).
_SEARCH: dict[str, Any] = {}


def register_search(*indexes: Any) -> None:
    """Declare search indexes (``network.search.spec.SearchIndex``) beside their types; idempotent."""
    for index in indexes:
        existing = _SEARCH.get(index.model)
        if existing is not None and existing.type != index.type:
            raise ValueError(f"search index for {index.model} declared twice ({existing.type})")
        _SEARCH[index.model] = index
        from network.search import signals

        signals.connect_declared(index)


def register(*types: ContentType) -> None:
    """Declare content types (called from each app's ``AppConfig.ready``; idempotent per kind)."""
    for content_type in types:
        existing = _REGISTRY.get(content_type.kind)
        if existing is not None and existing.model != content_type.model:
            raise ValueError(f"content kind {content_type.kind!r} declared twice ({existing.model})")
        _REGISTRY[content_type.kind] = content_type
        if content_type.search_index is not None:
            register_search(content_type.search_index)


def content_types() -> list[ContentType]:
    """Every declared type, in declaration order."""
    return list(_REGISTRY.values())


def get(kind: str) -> ContentType:
    """The type with this kind slug; ``KeyError`` for an unknown one (callers answer 400 or 404)."""
    return _REGISTRY[kind]


def for_model(model: type[models.Model] | models.Model) -> ContentType | None:
    label = model._meta.label
    return next((ct for ct in _REGISTRY.values() if ct.model == label), None)


def search_indexes() -> list[Any]:
    """Every declared search index (the search registry reads only these)."""
    return list(_SEARCH.values())


def url_patterns() -> list[Any]:
    """``path(prefix, include(urls))`` for every type that declares HTML pages."""
    from django.urls import include, path

    return [path(ct.urls[0], include(ct.urls[1])) for ct in _REGISTRY.values() if ct.urls]


def register_api_routes(router: Any) -> None:
    for ct in _REGISTRY.values():
        for prefix, viewset, basename in ct.api_routes:
            router.register(prefix, viewset, basename=basename)


def demo_loaders() -> list[Callable[..., Any]]:
    return [ct.demo for ct in _REGISTRY.values() if ct.demo is not None]


def outcome_types() -> list[ContentType]:
    return [ct for ct in _REGISTRY.values() if ct.outcome_lookups]


def library_types() -> list[ContentType]:
    return sorted((ct for ct in _REGISTRY.values() if ct.library), key=lambda ct: ct.library.order)


def dashboard_types() -> list[ContentType]:
    return sorted((ct for ct in _REGISTRY.values() if ct.dashboard), key=lambda ct: ct.dashboard_order)


# --- system check ------------------------------------------------------------------------------


def _field_errors(ct: ContentType, model: type[models.Model], names: Iterable[str], what: str) -> list:
    errors = []
    for name in names:
        if name == "pk":
            continue
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            if not hasattr(model, name):
                errors.append(
                    checks.Error(
                        f"content type {ct.kind!r}: {what} {name!r} is not a field or attribute of {ct.model}",
                        id="content.E003",
                    )
                )
    return errors


def _type_errors(ct: ContentType, index_types: set[str] | None) -> list:
    try:
        model = ct.model_class()
    except (LookupError, ValueError):
        return [checks.Error(f"content type {ct.kind!r}: unknown model {ct.model!r}", id="content.E001")]
    errors = _field_errors(ct, model, ct.outcome_lookups or (), "outcome lookup")
    errors += _field_errors(ct, model, ct.guarded_fields, "guarded field")
    for label, name in ct.guarded_related:
        try:
            part = apps.get_model(label)
        except (LookupError, ValueError):
            errors.append(
                checks.Error(f"content type {ct.kind!r}: unknown guarded model {label!r}", id="content.E001")
            )
            continue
        errors += _field_errors(ct, part, [name], f"guarded field of {label}")
    if not hasattr(model._default_manager, "visible_to"):
        errors.append(
            checks.Error(f"content type {ct.kind!r}: {ct.model} has no visible_to()", id="content.E004")
        )
    if ct.search_type is not None and ct.search_type != ct.kind:
        errors.append(
            checks.Error(
                f"content type {ct.kind!r}: search type {ct.search_type!r} differs from the kind slug",
                id="content.E005",
            )
        )
    if ct.search_type is not None and index_types is not None and ct.search_type not in index_types:
        errors.append(
            checks.Error(
                f"content type {ct.kind!r}: no search index of type {ct.search_type!r}", id="content.E002"
            )
        )
    return errors


def check_registry(app_configs: Any = None, **kwargs: Any) -> list:
    """``manage.py check`` (and every start-up): every declaration resolves to real models and fields."""
    index_types: set[str] | None = {i.type for i in search_indexes()}
    errors: list = []
    for ct in _REGISTRY.values():
        errors += _type_errors(ct, index_types)
    return errors

"""How a searchable type is described, and how an object becomes an :class:`IndexedDocument`.

A :class:`SearchIndex` is the one declaration per type (Wagtail's ``search_fields`` idea, kept out
of the models so each app's files stay its own): fields with their weight (title ``A``, summary
``B``, body ``C``), the language, facet extractors, url, date. Visibility is never declared by
hand: it is read from the model through the visibility policy's own conventions
(``TenantOwned`` fields, ``visibility_parent`` chains, ``visibility_public_when``), so search can
never disagree with ``Model.objects.visible_to(person)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone

from network.search.languages import detect, prior_for
from network.search.text import UNDETERMINED, normalise_language
from network.visibility import Visibility

Accessor = str | Callable[[Any], Any]
#: Facets whose values are codes with a translatable name (see network.search.labels).
CODED_FACETS = frozenset({"type", "language", "country", "cpv", "stage"})
FacetExtractor = Callable[[Any], Iterable[tuple[str, str]]]


@dataclass
class IndexedDocument:
    """A denormalised, engine-neutral document: text, facets and the visibility fields."""

    type: str
    content_type_id: int
    object_id: int
    title: str
    summary: str = ""
    body: str = ""
    language: str = "und"
    url: str = ""
    date: datetime | None = None
    organisation_id: int | None = None
    organisation_name: str = ""
    visibility: str = Visibility.PRIVATE
    is_public: bool = False
    group_ids: list[int] = field(default_factory=list)
    co_owner_ids: list[int] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: Language of each text field when it differs from ``language`` (mixed-language documents).
    field_languages: dict[str, str] = field(default_factory=dict)
    #: Documents sharing a key show as one hit (a thread and its posts: ``"thread:12"``).
    collapse: str = ""

    @property
    def key(self) -> str:
        return f"{self.content_type_id}-{self.object_id}"


def resolve(obj: Any, accessor: Accessor | None) -> Any:
    """``"a.b"`` attribute paths (callables are called), or a function of the object."""
    if accessor is None:
        return None
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return "\n".join(_text(v) for v in value if v is not None)
    return str(value)


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return None


#: Resolved declaration models by label (see :meth:`SearchIndex.model_class`).
_MODELS: dict[str, type[models.Model]] = {}


@dataclass
class SearchIndex:
    """The declaration of one searchable type.

    ``title`` is what a hit shows and is weighted ``A``; ``fields`` are ``(accessor, weight)`` pairs,
    weight ``"B"`` (summary-like) or ``"C"`` (body). ``language`` is an ISO 639-1 code or an accessor
    returning one. ``facets`` maps a facet name (see :data:`network.search.query.FACETS`) to a
    function returning ``(value, label)`` pairs; ``type``, ``language``, ``country``,
    ``organisation`` and ``year`` are added for every type. ``public`` marks a type that is not
    tenant-owned and is public by nature (the organisation directory).
    """

    model: str
    type: str
    type_label: Any
    title: Accessor
    fields: Sequence[tuple[Accessor, str]] = ()
    language: Accessor | None = "und"
    facets: dict[str, FacetExtractor] = field(default_factory=dict)
    url: Accessor = "get_absolute_url"
    date: Accessor | None = None
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    public: bool = False
    owner_organisation: Accessor | None = None
    #: Only rows matching this are indexed; others count as gone (a removed forum post).
    include: models.Q | None = None
    credit: Accessor | None = None
    collapse: Accessor | None = None
    #: other models whose change alters this type's documents (a criterion's text is part of its
    #: template), as ``model label → attribute path from the changed row to this type's pk``.
    related: dict[str, str] = field(default_factory=dict)
    #: models this type's documents borrow facets from (a lesson from the templates it cites), as
    #: ``model label → lookup from this type's model to that row``; rebuilt when one changes.
    derived: dict[str, str] = field(default_factory=dict)

    # --- model resolution ---------------------------------------------------------------------

    def model_class(self) -> type[models.Model]:
        """The model (every app is installed; ``manage.py check`` reports an unknown label)."""
        found = _MODELS.get(self.model)
        if found is None:
            # Remembered (a registered model never goes away): every search resolves the
            # declarations several times, and the registry lookup showed in profiles.
            found = _MODELS[self.model] = apps.get_model(self.model)
        return found

    def parent_path(self) -> list[str]:
        """Field names from the model to the object that carries the visibility (``thread.forum``)."""
        path: list[str] = []
        model = self.model_class()
        while model is not None and getattr(model, "visibility_parent", None):
            name = model.visibility_parent
            path.append(name)
            model = model._meta.get_field(name).related_model
        return path

    def owner_model(self) -> type[models.Model] | None:
        model = self.model_class()
        for name in self.parent_path():
            model = model._meta.get_field(name).related_model
        return model

    def queryset(self) -> models.QuerySet:
        """Everything of this type, with what building documents needs fetched up front."""
        model = self.model_class()
        qs = model._default_manager.all()
        path = "__".join(self.parent_path())
        related = list(self.select_related)
        prefetch = list(self.prefetch_related)
        if not self.public:
            owner = f"{path}__" if path else ""
            related.append(f"{owner}organisation")
            if path:
                related.append(path)
            prefetch.append(f"{owner}shared_groups")
            co_owners = getattr(self.owner_model(), "visibility_co_owners", None)
            if co_owners:
                prefetch.append(f"{owner}{co_owners}")
        if related:
            qs = qs.select_related(*related)
        if prefetch:
            qs = qs.prefetch_related(*prefetch)
        if self.include is not None:
            qs = qs.filter(self.include)
        return qs.order_by("pk")

    def owner_of(self, obj: Any) -> Any:
        for name in self.parent_path():
            obj = getattr(obj, name)
        return obj

    # --- building documents ---------------------------------------------------------------------

    def build(self, objects: Sequence[Any], content_type_id: int) -> list[IndexedDocument]:
        """Documents for ``objects`` (fetched with :meth:`queryset`), with at most one extra query."""
        public_ids = self._public_by_state([self.owner_of(o) for o in objects])
        return [self._build_one(obj, content_type_id, public_ids) for obj in objects]

    def _public_by_state(self, owners: list[Any]) -> set[int]:
        owner_model = self.owner_model()
        rule = getattr(owner_model, "visibility_public_when", None)
        if self.public or rule is None or not owners:
            return set()
        return set(
            owner_model._default_manager.filter(pk__in={o.pk for o in owners})
            .filter(rule)
            .values_list("pk", flat=True)
        )

    def _build_one(self, obj: Any, content_type_id: int, public_ids: set[int]) -> IndexedDocument:
        texts: dict[str, list[str]] = {"B": [], "C": []}
        for accessor, weight in self.fields:
            value = _text(resolve(obj, accessor)).strip()
            if value:
                texts[weight].append(value)
        title = _text(resolve(obj, self.title)).strip() or str(obj)
        summary, body = "\n".join(texts["B"]), "\n".join(texts["C"])
        credited = resolve(obj, self.credit) if self.credit else None
        try:
            url = _text(resolve(obj, self.url))
        except NoReverseMatch:  # the app's URLs have not landed yet
            url = ""
        when = _as_datetime(resolve(obj, self.date))
        if self.public:
            org = resolve(obj, self.owner_organisation) if self.owner_organisation else obj
            visibility, is_public, group_ids, co_owner_ids = Visibility.PUBLIC, True, [], []
        else:
            owner = self.owner_of(obj)
            org = owner.organisation
            visibility = owner.visibility
            is_public = visibility == Visibility.PUBLIC or owner.pk in public_ids
            group_ids = sorted(g.pk for g in owner.shared_groups.all())
            co_owners = getattr(type(owner), "visibility_co_owners", None)
            co_owner_ids = sorted(o.pk for o in getattr(owner, co_owners).all()) if co_owners else []
        shown_org = credited or org
        language, field_languages = self._languages(obj, title, summary, body, shown_org)
        # Labels of coded facets are translated when rendered (network.search.labels); only names
        # that are data (organisations, working groups, labels) are stored.
        facets: dict[str, list[tuple[str, str]]] = {"type": [(self.type, "")], "language": [(language, "")]}
        if shown_org is not None:
            facets["organisation"] = [(shown_org.slug, shown_org.name)]
            if getattr(shown_org, "country", None):
                facets["country"] = [(str(shown_org.country.code), "")]
        if when is not None:
            facets["year"] = [(str(when.year), str(when.year))]
        for name, extractor in self.facets.items():
            values = [
                (str(v)[:100], "" if name in CODED_FACETS else str(label)[:200])
                for v, label in extractor(obj)
                if v not in (None, "")
            ]
            if values:
                facets[name] = sorted(set(values))
        return IndexedDocument(
            type=self.type,
            content_type_id=content_type_id,
            object_id=obj.pk,
            title=title[:500],
            summary=summary,
            body=body,
            language=language,
            url=url[:500],
            date=when,
            organisation_id=getattr(org, "pk", None),
            organisation_name=getattr(shown_org, "name", "")[:200],
            visibility=str(visibility),
            is_public=is_public,
            group_ids=group_ids,
            co_owner_ids=co_owner_ids,
            facets=facets,
            field_languages=field_languages,
            collapse=_text(resolve(obj, self.collapse))[:64] if self.collapse else "",
        )

    def _languages(
        self, obj: Any, title: str, summary: str, body: str, organisation: Any
    ) -> tuple[str, dict[str, str]]:
        """The document's language and, for an undeclared one, each field's detected language."""
        if self.language is not None:
            fixed = isinstance(self.language, str) and len(self.language) <= 3
            declared = normalise_language(self.language if fixed else _text(resolve(obj, self.language)))
            if declared != UNDETERMINED or fixed:
                return declared, {}
        prior = prior_for(organisation=organisation)
        language = detect("\n".join(filter(None, [title, summary, body])), prior)
        fields = {}
        for name, text in (("title", title), ("summary", summary), ("body", body)):
            found = detect(text, language) if text else language
            if found != language:
                fields[name] = found
        return language, fields


def language_label(code: str) -> str:
    from django.utils.translation import gettext

    names = {
        "en": "English",
        "fi": "Finnish",
        "sv": "Swedish",
        "de": "German",
        "fr": "French",
        "nl": "Dutch",
        "es": "Spanish",
        "it": "Italian",
        "und": "Other",
    }
    return gettext(names.get(code, code))

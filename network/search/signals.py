"""Signal wiring: which saves, deletes and many-to-many changes touch which search documents.

Connected in :meth:`network.search.apps.SearchConfig.ready` for the declared types whose models
exist. Handlers only record keys (see :mod:`network.search.indexing`); the work runs on commit.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from network.search import indexing
from network.search.spec import SearchIndex

_connected: list[tuple[Any, Any, Any]] = []


def _connect(signal, receiver, sender) -> None:
    signal.connect(
        receiver, sender=sender, weak=False, dispatch_uid=f"search:{id(receiver)}:{sender._meta.label}"
    )
    _connected.append((signal, receiver, sender))


def _m2m_through(model: type[models.Model]) -> list[tuple[str, Any]]:
    return [(f.name, f.remote_field.through) for f in model._meta.local_many_to_many]


def _on_m2m(label: str, lookup: str | None = None):
    """An m2m change on ``label`` objects (forward: ``instance``; reverse: ``pk_set``)."""

    def handler(sender, instance, action, reverse, pk_set, **kwargs) -> None:
        if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
            return
        if not reverse:
            if action != "pre_clear":
                _schedule(label, lookup, instance)
            return
        if action == "pre_clear":  # the reverse side: which of ours point at ``instance``
            field = next(f for f in sender._meta.fields if f.related_model is type(instance))
            other = next(f for f in sender._meta.fields if f.is_relation and f is not field)
            pk_set = set(
                sender.objects.filter(**{field.name: instance}).values_list(other.attname, flat=True)
            )
        if pk_set and lookup is None:
            indexing.schedule(label, pk_set)

    return handler


def _schedule(label: str, path: str | None, instance: Any) -> None:
    if path is None:
        indexing.schedule(label, [instance.pk])
    else:
        indexing.schedule(label, [getattr(instance, path, None)])


def connect_index(index: SearchIndex) -> None:
    model = index.model_class()
    label = index.model

    def saved(sender, instance, raw=False, **kwargs) -> None:
        if not raw:
            indexing.schedule(label, [instance.pk])

    def deleted(sender, instance, **kwargs) -> None:
        indexing.schedule(label, [instance.pk])

    _connect(post_save, saved, model)
    _connect(post_delete, deleted, model)
    for _name, through in _m2m_through(model):
        _connect(m2m_changed, _on_m2m(label), through)
    # Ancestors whose visibility this type follows (post → thread → forum).
    ancestor, path = model, []
    for name in index.parent_path():
        ancestor = ancestor._meta.get_field(name).related_model
        path.append(name)
        _connect_ancestor(label, ancestor, "__".join(path))


def _connect_ancestor(label: str, ancestor: type[models.Model], lookup: str) -> None:
    def saved(sender, instance, raw=False, **kwargs) -> None:
        if not raw:
            indexing.schedule_lookup(label, lookup, instance.pk)

    _connect(post_save, saved, ancestor)
    for _name, through in _m2m_through(ancestor):

        def changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
            if action in ("post_add", "post_remove", "post_clear") and not reverse:
                indexing.schedule_lookup(label, lookup, instance.pk)

        _connect(m2m_changed, changed, through)


_owned: list[tuple[str, str]] = []  # (indexed model label, lookup to its owner organisation)


def _connect_owner_changes(targets: list[tuple[str, str]]) -> None:
    """The owner's name and country are copied into documents (facets): refresh when they change.

    Connected once; types declared later add their targets to the same receivers (a second set of
    receivers would find the first one's ``_search_before`` already cleaned up).
    """
    from members.models import Organisation

    first = not _owned
    _owned.extend(targets)
    if not first:
        return
    targets = _owned

    def before(sender, instance, raw=False, **kwargs) -> None:
        if raw or instance.pk is None:
            return
        if not hasattr(instance, "_search_before"):
            instance._search_before = (
                Organisation.objects.filter(pk=instance.pk).values_list("name", "country").first()
            )

    def saved(sender, instance, created=False, raw=False, **kwargs) -> None:
        before_values = getattr(instance, "_search_before", None)
        if raw or created or before_values is None:
            return
        if before_values != (instance.name, str(instance.country)):
            for label, lookup in targets:
                indexing.schedule_lookup(label, lookup, instance.pk)

    _connect(pre_save, before, Organisation)
    _connect(post_save, saved, Organisation)

    def cleanup(sender, instance, **kwargs) -> None:
        instance.__dict__.pop("_search_before", None)

    _connect(post_save, cleanup, Organisation)


def connect_related(indexes: list[SearchIndex]) -> None:
    """Models whose change alters another type's document (a criterion → its template)."""
    for related_label, target, path in [(r, i.model, p) for i in indexes for r, p in i.related.items()]:
        model = apps.get_model(related_label)

        def changed(sender, instance, raw=False, _target=target, _path=path, **kwargs) -> None:
            if not raw:
                _schedule(_target, _path, instance)

        _connect(post_save, changed, model)
        _connect(post_delete, changed, model)
        for _name, through in _m2m_through(model):
            _connect(m2m_changed, _on_m2m(target, path), through)


def connect_derived(indexes: list[SearchIndex]) -> None:
    """Documents that borrow facets from another model's rows (a lesson from its templates)."""
    available = {i.model: i for i in indexes}
    for index in indexes:
        for source_label, lookup in index.derived.items():
            _connect_derived(apps.get_model(source_label), [(index.model, lookup)], available)


def _connect_derived(
    model: type[models.Model], wanted: list[tuple[str, str]], available: dict[str, SearchIndex]
) -> None:
    """Rebuild the documents that borrow from ``model``'s rows when one changes or goes."""

    def changed(sender, instance, raw=False, _wanted=wanted, **kwargs) -> None:
        if not raw:
            for target, lookup in _wanted:
                indexing.schedule_lookup(target, lookup, instance.pk)

    def deleting(sender, instance, _wanted=wanted, **kwargs) -> None:
        # Resolved now: once the row is gone, so is the relation that finds its dependents.
        for target, lookup in _wanted:
            target_model = available[target].model_class()
            pks = target_model._default_manager.filter(**{lookup: instance.pk}).values_list("pk", flat=True)
            indexing.schedule(target, list(pks))

    _connect(post_save, changed, model)
    _connect(pre_delete, deleting, model)


_indexed: set[str] = set()  # model labels whose index updates are connected


def _connect_indexes(indexes: list[SearchIndex]) -> None:
    owned: list[tuple[str, str]] = []
    for index in indexes:
        if index.model in _indexed:
            continue
        _indexed.add(index.model)
        connect_index(index)
        if not index.public:
            path = "__".join(index.parent_path())
            owned.append((index.model, f"{path}__organisation" if path else "organisation"))
    if owned:
        _connect_owner_changes(owned)


_ready = False  # connect_all has run: indexes declared later connect as they come


def _connect_new(indexes: list[SearchIndex]) -> None:
    new = [i for i in indexes if i.model not in _indexed]
    _connect_indexes(new)
    connect_related(new)
    connect_derived(new)


def connect_all() -> None:
    global _ready
    from network.search.registry import indexes

    _ready = True
    _connect_new(indexes())


def connect_declared(index: SearchIndex) -> None:
    """An index declared after search's ``ready`` (see ``network.content.register_search``)."""
    if _ready:
        _connect_new([index])


def disconnect_all() -> None:
    global _ready
    _ready = False
    _indexed.clear()
    _owned.clear()
    while _connected:
        signal, receiver, sender = _connected.pop()
        signal.disconnect(receiver, sender=sender, dispatch_uid=f"search:{id(receiver)}:{sender._meta.label}")

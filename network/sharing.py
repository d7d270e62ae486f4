"""Sharing content with working groups (visibility ``group``): the one write rule and the one field.

Every tenant-owned type (templates, lessons, planned tenders, statements, events, forums,
resources) may be shared with working groups. Who then reads it is the policy's read rule
(:func:`network.visibility.visible_q`); this module holds the write side, used by every type's
service so that the page and the API answer alike:

* an owner shares only with groups it is an approved member of or convenes
  (:func:`network.visibility.sharing_groups_q`), so nobody pushes content into a group they are
  not part of;
* "working groups" visibility needs at least one group, or it would quietly mean "private".

Pages offer the owner's groups as checkboxes (:class:`SharedGroupsField`, filled by
:func:`offer`); the API takes slugs. Both hand the names to the service, which calls
:func:`resolve` with the rest of the type's rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network import validation, visibility
from network.validation import OpenMultipleChoiceField

FIELD = "shared_groups"
#: "Working groups" visibility names at least one group: :func:`resolve` checks it, the API schema
#: states it for every body with both fields (network.api.schema).
NEEDS_GROUPS = validation.NeededWhen(
    FIELD,
    "visibility",
    (visibility.Visibility.GROUP,),
    gettext_lazy("Name the working groups to share it with."),
)


def groups_offered(organisation_ids: Iterable[int]) -> QuerySet[Any]:
    """The working groups content of these organisations may be shared with, by name."""
    from members.models import WorkingGroup

    return (
        WorkingGroup.objects.filter(visibility.sharing_groups_q(organisation_ids)).distinct().order_by("name")
    )


def resolve(owner: Any, named: Sequence[Any] | None, errors: dict[str, list[Any]]) -> list[Any] | None:
    """The groups ``named`` (slugs or ``WorkingGroup`` objects) for ``owner``, a tenant-owned object
    whose ``organisation`` and ``visibility`` are already set to what is being saved.

    Problems go into ``errors`` under ``shared_groups`` (the service raises them with its other
    rules). ``None`` (nothing named) leaves an existing object's groups as they are and gives a new
    one none; the "needs a group" rule then applies to what it keeps."""
    if named is None:
        resolved = None
        kept = list(owner.shared_groups.all()) if owner.pk else []
    else:
        wanted = {str(getattr(g, "slug", g)): g for g in named}
        found = {g.slug: g for g in groups_offered([owner.organisation_id]).filter(slug__in=list(wanted))}
        outside = [getattr(g, "name", slug) for slug, g in wanted.items() if slug not in found]
        if outside:  # membership is state: the same request may succeed once the owner joins (409)
            errors[FIELD] = [
                validation.conflicting(
                    _("%(org)s is not a member or convener of: %(groups)s.")
                    % {"org": owner.organisation.name, "groups": ", ".join(sorted(outside))}
                )
            ]
        resolved = kept = [found[slug] for slug in wanted if slug in found]
    if owner.visibility == visibility.Visibility.GROUP and not kept and FIELD not in errors:
        message = _("Name the working groups to share it with.")
        # groups kept as stored (none named): the same change is accepted where some are stored
        errors[FIELD] = [validation.conflicting(message) if named is None and owner.pk else message]
    return resolved


class SharedGroupsField(OpenMultipleChoiceField):
    """Checkboxes of the working groups the owner may share with. Whether the posted names are
    allowed is :func:`resolve`'s rule, run by the service (an outdated page gets its message)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Share with working groups"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("With “Working groups”: the member organisations of these groups may read it."),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def offer(form: forms.Form, organisation_ids: Iterable[int]) -> None:
    """Fill the form's :class:`SharedGroupsField` with the groups of these (possible) owners. With
    none, the field stays (so a "working groups" choice gets its message beside it) and says why
    there is nothing to tick."""
    groups = list(groups_offered(organisation_ids))
    field = form.fields[FIELD]
    field.choices = [(g.slug, g.name) for g in groups]
    if not groups:
        field.help_text = gettext_lazy(
            "Your organisation is not in any working group yet: join or start one on the Working groups page "
            "to share with it."
        )


def named(form: forms.Form) -> list[str]:
    """The groups a bound, valid form names (none ticked: shared with none)."""
    return list(form.cleaned_data.get(FIELD) or [])


def groups_shown(person: Any, obj: Any) -> list[str]:
    """The slugs of the groups ``obj`` is shared with that ``person`` may be told about: all of them
    for the owner's (and co-owners') members, who chose them; otherwise only the groups the person's
    organisations are in, so a reader never learns of another group through the item. Reads the
    prefetched ``shared_groups``."""
    viewer = visibility.viewer_for(person)
    groups = list(obj.shared_groups.all())
    if obj.organisation_id in viewer.organisation_ids or _co_owned(viewer, obj):
        return [g.slug for g in groups]
    return [g.slug for g in groups if g.pk in viewer.group_ids]


def _co_owned(viewer: Any, obj: Any) -> bool:
    co_owners = getattr(type(obj), "visibility_co_owners", None)
    if not co_owners or not viewer.organisation_ids:
        return False
    return any(o.pk in viewer.organisation_ids for o in getattr(obj, co_owners).all())


def initial(obj: Any) -> list[str]:
    """What an edit form starts from: the slugs of the groups ``obj`` is shared with."""
    return [g.slug for g in obj.shared_groups.all()] if obj is not None and obj.pk else []

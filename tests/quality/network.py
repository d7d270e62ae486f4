"""Random networks for the isolation property test and the id-guessing test.

A :class:`NetworkSpec` (drawn by Hypothesis, or written by hand) says which organisations exist
(verified or not), which working groups (conveners, approved and pending members), who is who
(one viewer per organisation with a role, one person without an organisation, the anonymous
visitor) and which content exists (type, owner, visibility, shared groups, statement state).
:func:`build` creates it through the apps' real services; :func:`may_read` is the policy of
DESIGN.md written out again, independently of ``network.visibility``, as the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from django.utils import timezone
from hypothesis import strategies as st

from members.models import GroupMembership, Role
from network import content
from tests import factories

#: Every title carries this word, so one search finds exactly the generated content.
TOKEN = "Quokkafjord"
#: Every content type the registry declares (network.content): a new type joins the property test
#: by declaring itself; :data:`BUILDERS` must then know how to make one, or the test fails.
KINDS = tuple(ct.kind for ct in content.content_types())
VISIBILITIES = ("private", "group", "network", "public")
ROLES = (Role.OWNER, Role.ADMIN, Role.SIGNATORY, Role.EDITOR, Role.MEMBER)


@dataclass(frozen=True)
class GroupSpec:
    conveners: frozenset[int]
    members: frozenset[int]  # approved
    pending: frozenset[int]


@dataclass(frozen=True)
class ContentSpec:
    kind: str
    owner: int
    visibility: str
    groups: frozenset[int]
    opened: bool = False  # statements: opened for signature (public by state) or draft


@dataclass(frozen=True)
class NetworkSpec:
    verified: tuple[bool, ...]
    roles: tuple[str, ...]
    groups: tuple[GroupSpec, ...]
    content: tuple[ContentSpec, ...]


@st.composite
def networks(draw, max_orgs: int = 3, max_content: int = 6) -> NetworkSpec:
    n = draw(st.integers(2, max_orgs))
    orgs = st.sampled_from(range(n))
    verified = tuple(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    roles = tuple(draw(st.lists(st.sampled_from(ROLES), min_size=n, max_size=n)))
    groups = []
    for _ in range(draw(st.integers(0, 2))):
        conveners = draw(st.frozensets(orgs, max_size=1))
        members = draw(st.frozensets(orgs, max_size=n)) - conveners
        pending = draw(st.frozensets(orgs, max_size=1)) - members - conveners
        groups.append(GroupSpec(conveners, members, pending))
    group_ids = st.sampled_from(range(len(groups))) if groups else st.nothing()
    content = draw(
        st.lists(
            st.builds(
                ContentSpec,
                kind=st.sampled_from(KINDS),
                owner=orgs,
                visibility=st.sampled_from(VISIBILITIES),
                groups=st.frozensets(group_ids, max_size=2) if groups else st.just(frozenset()),
                opened=st.booleans(),
            ),
            min_size=1,
            max_size=max_content,
        )
    )
    return NetworkSpec(verified, roles, tuple(groups), tuple(content))


# --- the oracle: DESIGN.md's table, written out independently ---------------------------------


@dataclass(frozen=True)
class ViewerSpec:
    """Who is looking: the organisation they belong to (``None``: no organisation), or anonymous."""

    label: str
    org: int | None = None
    anonymous: bool = False


def group_orgs(spec: NetworkSpec, group: int) -> set[int]:
    """Organisations "in" a working group: its conveners and approved members (not pending)."""
    g = spec.groups[group]
    return set(g.conveners | g.members)


def may_read(spec: NetworkSpec, viewer: ViewerSpec, item: ContentSpec) -> bool:
    if item.kind == "statement" and item.opened:
        return True  # published statements are public, whatever they were drafted as
    if item.visibility == "public":
        return True
    if viewer.anonymous or viewer.org is None:
        # A signed-in person without an organisation is no member of anything.
        return False
    if viewer.org == item.owner:
        return True
    if item.visibility == "network":
        return spec.verified[viewer.org]
    if item.visibility == "group":
        return any(viewer.org in group_orgs(spec, g) for g in item.groups)
    return False


# --- building it through the real services ---------------------------------------------------


@dataclass
class Built:
    spec: NetworkSpec
    orgs: list[Any]
    groups: list[Any]
    editors: list[Any]
    viewers: dict[str, Any]  # label → Person or None (anonymous)
    viewer_specs: list[ViewerSpec]
    items: list[tuple[ContentSpec, Any]] = field(default_factory=list)

    def objects(self, kind: str) -> list[tuple[ContentSpec, Any]]:
        return [(s, o) for s, o in self.items if s.kind == kind]


def _template(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from tests.knowledge import factories as knowledge

    return knowledge.template(editor, org, visibility=item.visibility, title=title)


def _lesson(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from tests.knowledge import factories as knowledge

    return knowledge.lesson(editor, org, visibility=item.visibility, title=title)


def _tender(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from tests.knowledge import factories as knowledge

    return knowledge.tender(editor, org, visibility=item.visibility, title=title)


def _statement(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from tests.statements import factories as statements

    return statements.draft(org, editor=editor, title=title, visibility_level=item.visibility)


def _event(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from tests.events.factories import event as make_event

    starts = timezone.now() + timedelta(days=3)
    return make_event(org, person=editor, visibility=item.visibility, title=title, starts_at=starts)


def _thread(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from forums import services as forum_services

    forum = forum_services.forum_create(
        organisation=org, name=f"Forum {tag}", visibility_level=item.visibility
    )
    forum.shared_groups.set(shared)
    return forum_services.thread_create(person=editor, forum=forum, title=title, body="Opening post.")


def _resource(item: ContentSpec, org: Any, editor: Any, title: str, shared: list, tag: str) -> Any:
    from knowledge.resources import ResourceData, resource_create

    data = ResourceData(title=title, url="https://example.org/guide", visibility=item.visibility)
    return resource_create(person=editor, organisation=org, data=data)


#: kind → builder(item, organisation, editor, title, shared groups, tag), through the real services.
BUILDERS = {
    "template": _template,
    "lesson": _lesson,
    "tender": _tender,
    "statement": _statement,
    "event": _event,
    "thread": _thread,
    "resource": _resource,
}


def build(spec: NetworkSpec, tag: str = "") -> Built:
    from forums import services as forum_services

    orgs = [
        factories.organisation(f"Org {tag}{i}", verified=v, slug=f"org-{tag}{i}")
        for i, v in enumerate(spec.verified)
    ]
    editors = [factories.member(org, Role.EDITOR, name=f"Editor {tag}{i}") for i, org in enumerate(orgs)]
    groups = []
    for i, g in enumerate(spec.groups):
        group = factories.working_group(
            f"Group {tag}{i}", conveners=[orgs[o] for o in g.conveners], members=[orgs[o] for o in g.members]
        )
        for o in g.pending:
            GroupMembership.objects.create(
                group=group, organisation=orgs[o], status=GroupMembership.Status.PENDING
            )
        groups.append(group)
    viewers: dict[str, Any] = {"anonymous": None}
    viewer_specs = [ViewerSpec("anonymous", anonymous=True), ViewerSpec("no-organisation")]
    viewers["no-organisation"] = factories.person(f"loner{tag}@example.org", name=f"Loner {tag}")
    for i, (org, role) in enumerate(zip(orgs, spec.roles, strict=True)):
        label = f"viewer{tag}o{i}"
        viewers[label] = factories.member(org, role, email=f"{label}@example.org", name=f"Viewer {tag}o{i}")
        viewer_specs.append(ViewerSpec(label, org=i))

    built = Built(spec, orgs, groups, editors, viewers, viewer_specs)
    mentions = " ".join(f"@{label}" for label in viewers if label != "anonymous")
    mentions += f" @loner{tag}"
    for n, item in enumerate(spec.content):
        org, editor = orgs[item.owner], editors[item.owner]
        title = f"{TOKEN} {item.kind} {tag}{n}"
        shared = [groups[g] for g in item.groups]
        builder = BUILDERS.get(item.kind)
        if builder is None:
            raise AssertionError(f"content type {item.kind!r} has no builder in tests/quality/network.py")
        # Sharing goes through the services only with groups the owner is in (network.sharing);
        # the property also wants groups the owner is not (or no longer) in, so an item shared
        # with groups is written private and gets its level and groups stored after the write.
        grouped = item.kind != "thread" and item.visibility == "group"
        obj = builder(
            replace(item, visibility="private") if grouped else item, org, editor, title, shared, f"{tag}{n}"
        )
        if grouped:
            obj.visibility = item.visibility
            obj.save(update_fields=["visibility"])
        if item.kind != "thread":
            obj.shared_groups.set(shared)
        if item.kind == "statement" and item.opened:
            from knowledge.statements import services as statement_services

            obj = statement_services.statement_open(person=editor, statement=obj)
        if item.kind == "thread":
            forum_services.post_create(person=editor, thread=obj, body=f"Please have a look {mentions}")
        built.items.append((item, obj))
    return built

"""The visibility policy (network/visibility.py) as functions: viewers, read rule, write rules.

The same answers are checked through the API in ``test_isolation_matrix.py``; here the edges:
caching and ``forget``, inactive people, staff, parents, ``visibility_public_when`` and roles.
"""

from __future__ import annotations

import pytest
from django.db.models import Q

from knowledge.models import TenderTemplate
from members.models import GroupMembership, Membership, Role
from network import visibility
from network.visibility import ANONYMOUS, Visibility
from tests.members.factories import member, organisation, person, working_group

pytestmark = pytest.mark.django_db


def _template(org, vis=Visibility.PRIVATE, groups=(), **extra) -> TenderTemplate:
    tpl = TenderTemplate.objects.create(organisation=org, title="Smartphones", visibility=vis, **extra)
    tpl.shared_groups.set(groups)
    return tpl


def test_anonymous_and_inactive_people_are_the_anonymous_viewer():
    org = organisation()
    sleeper = member(org, Role.OWNER)
    sleeper.is_active = False
    sleeper.save()
    assert visibility.viewer_for(None) is ANONYMOUS
    from django.contrib.auth.models import AnonymousUser

    assert visibility.viewer_for(AnonymousUser()) is ANONYMOUS
    assert visibility.viewer_for(sleeper, fresh=True) is ANONYMOUS
    tpl = _template(org)
    assert not TenderTemplate.objects.visible_to(sleeper).filter(pk=tpl.pk).exists()


def test_viewer_resolves_organisations_roles_groups_and_verification():
    org, partner = organisation(), organisation(verified=False)
    group = working_group(conveners=[org])
    other_group = working_group(members=[partner])
    p = member(org, Role.SIGNATORY)
    Membership.objects.create(person=p, organisation=partner, role=Role.ADMIN)
    viewer = visibility.viewer_for(p)
    assert viewer.organisation_ids == {org.pk, partner.pk}
    assert viewer.role_in(org.pk) == Role.SIGNATORY and viewer.role_in(partner.pk) == Role.ADMIN
    assert viewer.group_ids == {group.pk, other_group.pk}  # convened + approved member
    assert viewer.verified_member is True
    assert viewer.has_role(partner.pk, {Role.ADMIN}) and not viewer.has_role(org.pk, {Role.ADMIN})


def test_pending_or_declined_group_membership_grants_nothing():
    org, partner = organisation(), organisation()
    group = working_group(conveners=[org])
    GroupMembership.objects.create(group=group, organisation=partner, status=GroupMembership.Status.PENDING)
    peer = member(partner)
    tpl = _template(org, Visibility.GROUP, [group])
    assert not visibility.can_read(peer, tpl)
    GroupMembership.objects.filter(group=group).update(status=GroupMembership.Status.DECLINED)
    assert not TenderTemplate.objects.visible_to(visibility_fresh(peer)).filter(pk=tpl.pk).exists()


def visibility_fresh(p):
    visibility.forget(p)
    return p


def test_viewer_is_cached_until_forgotten():
    org = organisation()
    p = person()
    first = visibility.viewer_for(p)
    assert first.organisation_ids == frozenset()
    Membership.objects.create(person=p, organisation=org, role=Role.MEMBER)
    assert visibility.viewer_for(p) is first  # cached on the object
    assert visibility.viewer_for(p, fresh=True).organisation_ids == {org.pk}
    visibility.forget(p)
    visibility.forget(p)  # harmless twice
    assert visibility.viewer_for(p).organisation_ids == {org.pk}


def test_services_forget_the_viewer_after_membership_changes():
    from members import services

    org = organisation()
    owner = member(org, Role.OWNER)
    p = member(org)
    assert visibility.viewer_for(p).role_in(org.pk) == Role.MEMBER
    membership = Membership.objects.get(person=p)
    membership.person = p  # the same object the service will forget
    services.membership_update_role(actor=owner, membership=membership, role=Role.EDITOR)
    assert visibility.viewer_for(p).role_in(org.pk) == Role.EDITOR


def test_group_visibility_needs_the_group_to_be_named_on_the_object():
    org, partner = organisation(), organisation()
    named, unnamed = working_group(conveners=[org], members=[partner]), working_group(conveners=[org])
    peer = member(partner)
    shared = _template(org, Visibility.GROUP, [named])
    not_shared = _template(org, Visibility.GROUP, [unnamed])
    private_but_named = _template(org, Visibility.PRIVATE, [named])
    visible = set(TenderTemplate.objects.visible_to(peer).values_list("pk", flat=True))
    assert visible == {shared.pk}
    assert visibility.can_read(peer, shared)
    assert not visibility.can_read(peer, not_shared)
    assert not visibility.can_read(peer, private_but_named)


def test_network_needs_a_verified_organisation_and_staff_get_no_free_pass():
    org = organisation()
    tpl = _template(org, Visibility.NETWORK)
    unverified_member = member(organisation(verified=False))
    staff_without_org = person(is_staff=True)
    assert not visibility.can_read(unverified_member, tpl)
    assert not visibility.can_read(staff_without_org, tpl)
    assert visibility.can_read(member(organisation()), tpl)


def test_public_when_makes_rows_public_by_state(monkeypatch):
    monkeypatch.setattr(TenderTemplate, "visibility_public_when", Q(status="published"), raising=False)
    org = organisation()
    draft = _template(org, Visibility.PRIVATE)
    published = _template(org, Visibility.PRIVATE, status="published")
    assert set(TenderTemplate.objects.visible_to(None).values_list("pk", flat=True)) == {published.pk}
    assert visibility.can_read(None, published) and not visibility.can_read(None, draft)


def test_children_follow_their_parent():
    from knowledge.models import Criterion

    org = organisation()
    tpl = _template(org, Visibility.PRIVATE)
    public_tpl = _template(org, Visibility.PUBLIC)
    crit = Criterion.objects.create(template=tpl, stage="award", title="Repairability", text="Score it.")
    public_crit = Criterion.objects.create(template=public_tpl, stage="award", title="Labels", text="TCO.")
    outsider = member(organisation())
    insider = member(org)
    assert list(Criterion.objects.visible_to(outsider)) == [public_crit]
    assert set(Criterion.objects.visible_to(insider)) == {crit, public_crit}
    assert not visibility.can_read(outsider, crit) and visibility.can_read(insider, crit)


def test_two_level_parent_chain():
    forums = pytest.importorskip("forums.models")
    org = organisation()
    forum = forums.Forum.objects.create(
        organisation=org, name="Own", slug="own", visibility=Visibility.PRIVATE
    )
    thread = forums.Thread.objects.create(forum=forum, title="Laptops")
    post = forums.Post.objects.create(thread=thread, seq=1, body="Hello")
    outsider, insider = member(organisation()), member(org)
    assert not forums.Post.objects.visible_to(outsider).exists()
    assert list(forums.Post.objects.visible_to(insider)) == [post]
    assert visibility.can_read(insider, post) and not visibility.can_read(outsider, post)


@pytest.mark.parametrize(
    ("role", "edit", "manage", "sign"),
    [
        (Role.OWNER, True, True, False),
        (Role.ADMIN, True, True, False),
        (Role.SIGNATORY, False, False, True),
        (Role.EDITOR, True, False, False),
        (Role.MEMBER, False, False, False),
    ],
)
def test_write_rules_by_role(role, edit, manage, sign):
    org = organisation()
    p = member(org, role)
    tpl = _template(org, Visibility.PUBLIC)
    assert visibility.can_edit(p, tpl) is edit
    assert visibility.can_create_in(p, org) is edit and visibility.can_create_in(p, org.pk) is edit
    assert visibility.can_manage(p, org) is manage
    assert visibility.can_sign_for(p, org) is sign
    # a role elsewhere never carries over
    other = organisation()
    assert not visibility.can_edit(p, _template(other, Visibility.PUBLIC))
    assert not visibility.can_manage(p, other) and not visibility.can_sign_for(p, other)
    assert set(TenderTemplate.objects.editable_by(p)) == ({tpl} if edit else set())


def test_anonymous_writes_nothing():
    org = organisation()
    tpl = _template(org, Visibility.PUBLIC)
    assert not visibility.can_edit(None, tpl)
    assert not visibility.can_manage(None, org)
    assert not TenderTemplate.objects.editable_by(None).exists()


def test_conveners_managers_convene():
    convener, member_org = organisation(), organisation()
    group = working_group(conveners=[convener], members=[member_org])
    assert visibility.can_convene(member(convener, Role.ADMIN), group)
    assert not visibility.can_convene(member(convener, Role.EDITOR), group)
    assert not visibility.can_convene(member(member_org, Role.OWNER), group)
    assert not visibility.can_convene(None, group)


def test_visible_to_is_one_query(django_assert_num_queries):
    org, partner = organisation(), organisation()
    group = working_group(conveners=[org], members=[partner])
    for vis in Visibility.values:
        for _ in range(3):
            _template(org, vis, [group])
    peer = member(partner)
    visibility.viewer_for(peer)
    with django_assert_num_queries(1):
        rows = list(TenderTemplate.objects.visible_to(peer))
    assert len(rows) == 9  # group, network, public

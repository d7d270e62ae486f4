"""HTML pages: account pages (allauth) in the site's look, directory, profiles, management, groups."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from members.models import GroupMembership, Invitation, Membership, Organisation, Role, WorkingGroup
from tests.members.factories import PASSWORD, member, organisation, person, working_group
from tests.members.html_checks import check_page

pytestmark = pytest.mark.django_db


def _sign_in(client, who) -> None:
    response = client.post("/accounts/login/", {"login": who.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


@pytest.mark.parametrize(
    ("path", "field_names"),
    [
        ("/accounts/login/", {"login", "password"}),
        ("/accounts/signup/", {"email", "password1", "password2"}),
        ("/accounts/password/reset/", {"email"}),
        ("/accounts/confirm-email/", set()),  # "verification sent"
    ],
)
def test_entrance_pages_render_in_the_site_layout_with_labelled_fields(client, path, field_names):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    page = check_page(html)
    assert {f.get("name") for f in page.fields} >= field_names
    assert 'class="site-header"' in html and "network/site.css" in html


def test_signup_errors_keep_what_was_typed(client):
    response = client.post(
        "/accounts/signup/", {"email": "aino@example.org", "password1": "short", "password2": "x"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="aino@example.org"' in html and "errorlist" in html
    check_page(html)


def test_browser_signup_and_confirm_email_page(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a-long-passphrase-2026",
            "password2": "a-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    sent = client.get(response["Location"])
    assert sent.status_code == 200 and "verify" in sent.content.decode().lower()
    check_page(sent.content.decode())
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert "Hello from Buyers Network" in mail.outbox[-1].body
    confirm = client.get(f"/accounts/confirm-email/{key}/")
    assert confirm.status_code == 200
    check_page(confirm.content.decode())
    assert client.post(f"/accounts/confirm-email/{key}/").status_code == 302


def test_password_reset_from_key_page(client):
    p = person("reset@example.org")
    client.post("/accounts/password/reset/", {"email": p.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    page = check_page(response.content.decode())
    assert {f.get("name") for f in page.fields} >= {"password1", "password2"}


def test_mfa_pages_render_with_labels(client):
    p = person()
    _sign_in(client, p)
    index = client.get("/accounts/2fa/")
    assert index.status_code == 200
    check_page(index.content.decode())
    reauth = client.get("/accounts/2fa/totp/activate/", follow=True)
    check_page(reauth.content.decode())
    activate = client.post(reauth.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    html = activate.content.decode()
    assert activate.status_code == 200 and 'class="qr-code"' in html
    check_page(html)
    # recovery codes need an activated authenticator; activate one with a real TOTP code
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html) or re.search(
        r'value="([A-Z2-7]{16,})"', html
    )
    code = f"{hotp_value(secret.group(1), int(time.time()) // 30):06d}"
    done = client.post("/accounts/2fa/totp/activate/", {"code": code}, follow=True)
    assert done.status_code == 200
    codes = client.get("/accounts/2fa/recovery-codes/", follow=True)
    assert codes.status_code == 200
    check_page(codes.content.decode())


def test_profile_settings_page(client):
    p = member(organisation("City of Oulu"), Role.EDITOR)
    _sign_in(client, p)
    response = client.get("/account/profile/")
    assert response.status_code == 200
    check_page(response.content.decode())
    assert "City of Oulu" in response.content.decode()
    saved = client.post(
        "/account/profile/", {"name": "Olli", "title": "Buyer", "email_notifications": "daily"}
    )
    assert saved.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.title, p.email_notifications) == ("Olli", "Buyer", "daily")
    bad = client.post(
        "/account/profile/", {"name": "Olli", "title": "Buyer", "email_notifications": "hourly"}
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    p.refresh_from_db()
    assert p.email_notifications == "daily"


def test_directory_filters_and_search(client):
    organisation("City of Helsinki", country="FI")
    organisation("Hansel", country="FI", kind="central_purchasing_body")
    organisation("City of Malmö", country="SE")
    organisation("Secret Town", verified=False)
    html = client.get("/organisations/").content.decode()
    check_page(html)
    assert "City of Helsinki" in html and "Secret Town" not in html
    html = client.get(
        "/organisations/", {"country": "FI", "kind": "central_purchasing_body"}
    ).content.decode()
    assert "Hansel" in html and "City of Helsinki" not in html
    html = client.get("/organisations/", {"q": "malm"}).content.decode()
    assert "City of Malmö" in html and "Hansel" not in html


def test_directory_query_count_does_not_grow(client, django_assert_max_num_queries):
    for n in range(3):
        organisation(f"Town {n}")
    with django_assert_max_num_queries(8) as few:
        client.get("/organisations/")
    for n in range(3, 25):
        organisation(f"Town {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/organisations/").status_code == 200


def test_profile_page_shows_volumes_and_members_only_to_members(client):
    org = organisation(
        "City of Helsinki",
        slug="helsinki",
        people_served=40000,
        annual_volumes={"laptops": 20000, "phones": 6500},
    )
    owner = member(org, Role.OWNER, name="Aino Virtanen")
    html = client.get("/organisations/helsinki/").content.decode()
    check_page(html)
    assert "20,000" in html and "6,500" in html and "40,000" in html
    assert "Aino Virtanen" not in html
    _sign_in(client, owner)
    html = client.get("/organisations/helsinki/").content.decode()
    assert "Aino Virtanen" in html and "Members and invitations" in html


def test_unverified_profile_from_other_organisation_is_404(client):
    organisation("Secret Town", slug="secret", verified=False)
    outsider = member(organisation("City of Oulu"), Role.OWNER)
    assert client.get("/organisations/secret/").status_code == 404
    _sign_in(client, outsider)
    assert client.get("/organisations/secret/").status_code == 404
    assert client.get("/organisations/secret/members/").status_code == 404


def test_create_organisation_page_with_errors_keeping_input(client):
    organisation("City of Helsinki")
    p = person()
    _sign_in(client, p)
    form = client.get("/organisations/new/")
    check_page(form.content.decode())
    bad = client.post(
        "/organisations/new/",
        {"name": "CITY OF HELSINKI", "country": "FI", "kind": "municipality", "volume_laptops": "500"},
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "already taken" in html and 'value="500"' in html
    assert Organisation.objects.count() == 1
    good = client.post(
        "/organisations/new/",
        {
            "name": "City of Espoo",
            "country": "FI",
            "kind": "municipality",
            "volume_laptops": "6000",
            "people_served": "15000",
        },
    )
    org = Organisation.objects.get(name="City of Espoo")
    assert re.fullmatch(r"city-of-espoo-[a-z2-9]{8}", org.slug), org.slug
    assert good.status_code == 302 and good["Location"] == f"/organisations/{org.slug}/"
    assert org.annual_volumes == {"laptops": 6000} and not org.verified
    assert Membership.objects.get(person=p, organisation=org).role == Role.OWNER


def test_manage_members_and_invitations_page(client):
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    editor = member(org, Role.EDITOR, name="Erkki Editor")
    _sign_in(client, owner)
    page = client.get("/organisations/oulu/members/")
    assert page.status_code == 200
    check_page(page.content.decode())
    assert "Erkki Editor" in page.content.decode()

    sent = client.post("/organisations/oulu/members/", {"email": "new@oulu.example", "role": "signatory"})
    assert sent.status_code == 302
    invitation = Invitation.objects.get(email="new@oulu.example")
    dup = client.post("/organisations/oulu/members/", {"email": "new@oulu.example", "role": "signatory"})
    assert dup.status_code == 200 and "pending invitation" in dup.content.decode()
    assert Invitation.objects.count() == 1

    membership = Membership.objects.get(person=editor)
    client.post(f"/organisations/oulu/members/{membership.pk}/role/", {f"m{membership.pk}-role": "admin"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    own = Membership.objects.get(person=owner)
    response = client.post(f"/organisations/oulu/members/{own.pk}/remove/", follow=True)
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()

    client.post(f"/organisations/oulu/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.post(f"/organisations/oulu/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_manage_page_from_other_organisation_or_non_admin_is_refused(client):
    org = organisation("City of Oulu", slug="oulu")
    editor = member(org, Role.EDITOR)
    _sign_in(client, editor)
    assert client.get("/organisations/oulu/members/").status_code == 403
    assert (
        client.post("/organisations/oulu/members/", {"email": "x@example.org", "role": "member"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_invitation_accept_page(client):
    org = organisation("City of Oulu", slug="oulu")
    from members import services

    invitation = services.invitation_create(
        actor=member(org, Role.OWNER), organisation=org, email="g@oulu.example", role=Role.SIGNATORY
    )
    anonymous = client.get(f"/invitations/{invitation.key}/")
    assert anonymous.status_code == 200 and "Sign in to accept" in anonymous.content.decode()
    check_page(anonymous.content.decode())
    intruder = person("intruder@example.org")
    _sign_in(client, intruder)
    refused = client.post(f"/invitations/{invitation.key}/")
    assert refused.status_code == 400 and "another e-mail address" in refused.content.decode()
    client.post("/accounts/logout/")
    guest = person("g@oulu.example")
    _sign_in(client, guest)
    accepted = client.post(f"/invitations/{invitation.key}/")
    assert accepted.status_code == 302 and accepted["Location"] == "/organisations/oulu/"
    assert Membership.objects.get(person=guest).role == Role.SIGNATORY
    assert client.get("/invitations/no-such-key/").status_code == 404


def test_working_group_pages_join_and_approve(client):
    fisd = organisation("Federal Institute", slug="fisd", country="BE")
    chair = member(fisd, Role.ADMIN)
    hel = organisation("City of Helsinki", slug="helsinki")
    group = working_group("Ethical ICT", conveners=[fisd], members=[hel], visibility="public")
    ghent = organisation("City of Ghent", slug="ghent", country="BE")
    applicant = member(ghent, Role.OWNER)

    listing = client.get("/working-groups/").content.decode()
    check_page(listing)
    assert "Ethical ICT" in listing
    page = client.get(f"/working-groups/{group.slug}/").content.decode()
    check_page(page)
    assert "City of Helsinki" in page and "Federal Institute" in page

    _sign_in(client, applicant)
    page = client.get(f"/working-groups/{group.slug}/").content.decode()
    check_page(page)
    assert "Ask to join" in page
    client.post(f"/working-groups/{group.slug}/join/", {"organisation": ghent.pk, "note": "We buy laptops"})
    assert GroupMembership.objects.get(organisation=ghent).status == "pending"
    assert client.post(f"/working-groups/{group.slug}/requests/ghent/approve/").status_code == 302
    assert GroupMembership.objects.get(organisation=ghent).status == "pending"  # not a convener

    client.post("/accounts/logout/")
    _sign_in(client, chair)
    page = client.get(f"/working-groups/{group.slug}/").content.decode()
    assert "Approve City of Ghent" in page and "We buy laptops" in page
    check_page(page)
    client.post(f"/working-groups/{group.slug}/requests/ghent/approve/")
    assert GroupMembership.objects.get(organisation=ghent).status == "approved"


def test_network_working_group_page_from_other_organisation_unverified_is_404(client):
    group = working_group("Closed circle", conveners=[organisation()], visibility="network")
    assert client.get(f"/working-groups/{group.slug}/").status_code == 404
    _sign_in(client, member(organisation(verified=False), Role.OWNER))
    assert client.get(f"/working-groups/{group.slug}/").status_code == 404


def test_create_working_group_page(client):
    fisd = organisation("Federal Institute", slug="fisd")
    chair = member(fisd, Role.OWNER)
    _sign_in(client, chair)
    form = client.get("/working-groups/new/")
    check_page(form.content.decode())
    response = client.post(
        "/working-groups/new/",
        {"name": "Circular phones", "description": "", "visibility": "network", "convener": fisd.pk},
    )
    group = WorkingGroup.objects.get(name="Circular phones")
    assert re.fullmatch(r"circular-phones-[a-z2-9]{8}", group.slug), group.slug
    assert response.status_code == 302 and response["Location"] == f"/working-groups/{group.slug}/"


def test_edit_profile_page_and_leaving(client):
    org = organisation("City of Oulu", slug="oulu", annual_volumes={"phones": 100})
    admin = member(org, Role.ADMIN)
    member(org, Role.OWNER)
    _sign_in(client, admin)
    form = client.get("/organisations/oulu/edit/")
    html = form.content.decode()
    check_page(html)
    assert 'value="100"' in html
    bad = client.post(
        "/organisations/oulu/edit/", {"name": "City of Oulu", "country": "ZZ", "kind": "municipality"}
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    saved = client.post(
        "/organisations/oulu/edit/",
        {
            "name": "City of Oulu",
            "slug": "oulu",
            "country": "FI",
            "kind": "municipality",
            "volume_phones": "250",
        },
    )
    assert saved.status_code == 302
    org.refresh_from_db()
    assert org.annual_volumes == {"phones": 250}
    page = client.get("/organisations/oulu/").content.decode()
    assert "Leave City of Oulu" in page
    membership = Membership.objects.get(person=admin)
    left = client.post(f"/organisations/oulu/members/{membership.pk}/remove/")
    assert left.status_code == 302 and left["Location"] == "/organisations/"
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.get("/organisations/oulu/edit/").status_code == 403


def test_working_group_list_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    working_group(conveners=[organisation()], members=[organisation()], visibility="public")
    with django_assert_max_num_queries(10) as few:
        client.get("/working-groups/")
    for _ in range(8):
        working_group(
            conveners=[organisation()], members=[organisation(), organisation()], visibility="public"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/working-groups/").status_code == 200


def test_manage_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    _sign_in(client, owner)
    with django_assert_max_num_queries(20) as few:
        client.get("/organisations/oulu/members/")
    from members import services

    for n in range(10):
        member(org, Role.MEMBER)
        services.invitation_create(actor=owner, organisation=org, email=f"x{n}@oulu.example")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/organisations/oulu/members/").content.decode()
    assert html.count("Pending") >= 10

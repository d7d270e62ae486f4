"""SSO pages: allauth's OIDC log-in/callback (hardened adapter), routing an address to its provider,
and the organisation's configuration page (owners and admins)."""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from members.sso import services
from members.sso.models import IdentityProvider
from members.sso.provider import HardenedOIDCAdapter


@login_not_required
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(HardenedOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(HardenedOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


class SsoStartForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Work e-mail address"), max_length=254)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


@login_not_required
@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """The log-in page's "sign in with your organisation": route the address to its provider."""
    form = SsoStartForm(request.POST)
    if not form.is_valid():
        return render(request, "members/sso/start.html", {"form": form}, status=400)
    idp = services.identity_provider_for_email(form.cleaned_data["email"])
    if idp is None:
        form.add_error(
            "email",
            _("Your organisation has no single sign-on here. Sign in with your e-mail address and password."),
        )
        return render(request, "members/sso/start.html", {"form": form}, status=400)
    next_url = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    provider = get_social_adapter().get_provider(request, idp.provider_id)
    return provider.redirect(request, "login", next_url=next_url or None)


class IdentityProviderForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name shown on the log-in button"), max_length=100, required=False
    )
    issuer = forms.CharField(
        label=gettext_lazy("Issuer URL"),
        max_length=500,
        help_text=gettext_lazy(
            "Exactly as your provider publishes it, e.g. https://login.example.fi/realms/staff"
        ),
    )
    client_id = forms.CharField(label=gettext_lazy("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )
    domains = forms.CharField(
        label=gettext_lazy("E-mail domains"),
        help_text=gettext_lazy("Comma-separated; only domains network staff verified for your organisation."),
    )
    password_login_allowed = forms.BooleanField(
        label=gettext_lazy("People on these domains may still sign in with a password"), required=False
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)

    def clean_domains(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data["domains"].replace(";", ",").split(",") if d.strip()]


def _managed_organisation(request: HttpRequest, slug: str):
    from members import selectors
    from members.models import Organisation

    try:
        org = selectors.organisation_for(request.user, slug)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    if not services.may_configure(request.user, org):
        raise PermissionDenied
    return org


@login_required
@require_http_methods(["GET", "POST"])
def identity_provider_settings(request: HttpRequest, slug: str) -> HttpResponse:
    org = _managed_organisation(request, slug)
    idp = IdentityProvider.objects.filter(organisation=org).first()
    initial = {"enabled": True, "password_login_allowed": True}
    if idp:
        initial = {
            "name": idp.name,
            "issuer": idp.issuer,
            "client_id": idp.client_id,
            "domains": ", ".join(idp.domains),
            "password_login_allowed": idp.password_login_allowed,
            "enabled": idp.enabled,
        }
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.identity_provider_remove(actor=request.user, organisation=org)
        messages.success(request, _("Single sign-on removed."))
        return redirect("members:identity_provider", slug=org.slug)
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_provider_configure(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Single sign-on saved."))
            return redirect("members:identity_provider", slug=org.slug)
    return render(
        request,
        "members/sso/settings.html",
        {
            "org": org,
            "form": form,
            "idp": idp,
            "callback_path": f"/accounts/oidc/org-{org.pk}/login/callback/",
        },
    )

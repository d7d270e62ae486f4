"""The test provider's claims, its control endpoints and the faults a test can switch on.

Faults (``POST /_control/mode``): ``delay`` seconds before answering any ``/o/`` request (a slow
provider), ``tamper`` (the token endpoint's ID token gets a changed payload, signature kept) and
``issuer`` (the provider publishes and signs for another issuer).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application, Grant
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings

MODE: dict = {"delay": 0.0, "tamper": False}


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.first_name,
            "roles": ["owner", "admin"],  # claims must never grant a role on the platform
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/o/") and MODE["delay"]:
            time.sleep(MODE["delay"])
        response = self.get_response(request)
        if request.path == "/o/token/" and MODE["tamper"] and response.status_code == 200:
            body = json.loads(response.content)
            header, payload, signature = body["id_token"].split(".")
            claims = json.loads(_unb64(payload))
            claims["email"] = "someone.else@" + claims["email"].split("@", 1)[1]
            body["id_token"] = ".".join([header, _b64(json.dumps(claims).encode()), signature])
            response.content = json.dumps(body).encode()
        return response


@csrf_exempt
def control_mode(request):
    data = json.loads(request.body or b"{}")
    MODE["delay"] = float(data.get("delay", 0))
    MODE["tamper"] = bool(data.get("tamper", False))
    oauth2_settings.OIDC_ISS_ENDPOINT = data.get("issuer") or ""
    return JsonResponse(MODE)


@csrf_exempt
def control_client(request):
    data = json.loads(request.body)
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        name=data["client_id"],
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return JsonResponse({"ok": True})


@csrf_exempt
def control_user(request):
    data = json.loads(request.body)
    user, _created = User.objects.get_or_create(username=data["email"])
    user.email, user.first_name = data["email"], data.get("name", "")
    user.set_password(data["password"])
    user.save()
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
def control_expire_codes(request):
    n = Grant.objects.update(expires=timezone.now() - timedelta(hours=1))
    return JsonResponse({"expired": n})


def health(request):
    return HttpResponse("ok")

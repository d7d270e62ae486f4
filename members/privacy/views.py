"""Pages: "Your data" (export), account deletion (after re-authentication) and the privacy notice."""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.core.exceptions import ReauthenticationRequired
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from members.privacy import erasure, export
from members.privacy.models import DataExport
from members.privacy.reauth import recently_reauthenticated


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        job, created = export.data_export_request(actor=request.user, person=request.user)
        if not created:
            messages.info(request, _("Your export is already being prepared."))
        elif job.status == DataExport.Status.READY:
            messages.success(request, _("Your data is ready to download."))
        else:
            messages.success(request, _("We are preparing your data. Reload this page in a moment."))
        return redirect("members:my_data")
    jobs = export.exports_of(actor=request.user, person=request.user)[:5]
    return render(request, "members/privacy/my_data.html", {"jobs": jobs})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        job = export.export_for_download(actor=request.user, pk=pk)
    except DataExport.DoesNotExist as exc:
        raise Http404 from exc  # someone else's export looks like a missing one
    response = FileResponse(
        default_storage.open(job.file, "rb"),
        as_attachment=True,
        filename=f"buyers-network-data-{job.finished_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


class DeleteAccountForm(forms.Form):
    remove_posts = forms.BooleanField(
        label=gettext_lazy("Also remove the forum posts I wrote (otherwise they stay as “a former member”)"),
        required=False,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account and personal data are deleted for good"),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    if not recently_reauthenticated(request):
        raise ReauthenticationRequired()  # allauth asks for the password (or MFA), then comes back
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    blocking = erasure.last_owner_of(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.person_erase(
                actor=request.user, person=request.user, remove_posts=form.cleaned_data["remove_posts"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and personal data were deleted."))
            return redirect("network:home")
    return render(request, "members/privacy/delete_account.html", {"form": form, "blocking": blocking})


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "members/privacy/notice.html")

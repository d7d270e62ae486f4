"""Forum pages. They work as plain HTML forms (post, redirect, reload); ``thread.js`` adds the live
socket on top. Every read goes through :mod:`forums.selectors`, every write through
:mod:`forums.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forums import selectors, services
from forums.forms import (
    REACTION_NAMES,
    REACTIONS,
    EditForm,
    ForumForm,
    PostForm,
    ReportForm,
    ResolveForm,
    ThreadForm,
)
from forums.models import Forum, Post, Thread
from forums.rules import can_moderate, can_post_in
from network import sharing
from network.ratelimit import RateLimited
from network.validation import add_to_form, save_from_form


def _thread_or_404(request: HttpRequest, pk: int) -> Thread:
    thread = selectors.thread_get(request.user, pk)
    if thread is None:
        raise Http404
    return thread


def _post_or_404(request: HttpRequest, pk: int) -> Post:
    post = selectors.post_get(request.user, pk)
    if post is None:
        raise Http404
    return post


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    forums = list(selectors.forums_for(request.user).order_by("kind", "name"))
    person = request.user
    context = {
        "forums": forums,
        "can_open": person.is_authenticated and selectors.managed_organisations(person).exists(),
        "moderates": person.is_authenticated and selectors.moderated_forums(person).exists(),
    }
    return render(request, "forums/index.html", context)


@require_GET
def forum_detail(request: HttpRequest, slug: str) -> HttpResponse:
    forum = selectors.forum_get(request.user, slug)
    if forum is None:
        raise Http404
    return _forum_page(request, forum, ThreadForm() if can_post_in(request.user, forum) else None)


def _forum_page(
    request: HttpRequest, forum: Forum, form: ThreadForm | None, status: int = 200
) -> HttpResponse:
    page = Paginator(selectors.threads_for(request.user, forum=forum), 30).get_page(request.GET.get("page"))
    context = {
        "forum": forum,
        "page": page,
        "form": form,
        "can_manage": services.can_manage_forum(request.user, forum),
        "moderator": can_moderate(request.user, forum),
    }
    return render(request, "forums/forum.html", context, status=status)


@login_required
@require_POST
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    forum = selectors.forum_get(request.user, slug)
    if forum is None:
        raise Http404
    form = ThreadForm(request.POST)
    return _write_from_form(
        form,
        lambda: services.thread_create(
            person=request.user,
            forum=forum,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            client_id=form.cleaned_data["client_id"],
        ),
        lambda status: _forum_page(request, forum, form, status=status),
    )


def _write_from_form(form: Any, write: Any, page: Any) -> HttpResponse:
    """A page form's write: to what was written, or the page again with the service's message and
    the status the API gives too (400 invalid, 429 too fast, 409 locked or archived)."""
    if not form.is_valid():
        return page(400)
    try:
        written = write()
    except ValidationError as exc:
        add_to_form(exc, form)
        return page(400)
    except RateLimited as exc:
        form.add_error(None, str(exc))
        return page(429)
    except services.ThreadLocked as exc:
        form.add_error(None, str(exc))
        return page(409)
    return HttpResponseRedirect(written.get_absolute_url())


@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    reply_to = request.GET.get("reply_to", "")
    return _thread_page(
        request, thread, PostForm(initial={"reply_to": reply_to if reply_to.isdigit() else None})
    )


def _annotate_reactions(posts: list[Post], person: Any) -> None:
    """Each post's reaction buttons: code, emoji, translated name, count, and whether it is mine."""
    for post in posts:
        counts: dict[str, int] = {}
        mine: set[str] = set()
        for reaction in post.reactions.all():
            counts[reaction.code] = counts.get(reaction.code, 0) + 1
            if reaction.person_id == person.pk:
                mine.add(reaction.code)
        post.reaction_list = [
            {
                "code": code,
                "label": label,
                "name": REACTION_NAMES[code],
                "count": counts.get(code, 0),
                "mine": code in mine,
            }
            for code, label in REACTIONS
        ]


@require_GET
def post_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """One post rendered for the person asking, exactly as on the thread page (their own buttons,
    translated labels, times in the site's zone): what the live page swaps in when a post is created,
    edited, reacted to or hidden, so another reader never gets the author's controls."""
    post = _post_or_404(request, pk)
    thread = post.thread
    posts = list(selectors.posts_for_page(thread, request.user).filter(pk=post.pk))
    _annotate_reactions(posts, request.user)
    context = {
        "post": posts[0],
        "thread": thread,
        "forum": thread.forum,
        "last_read_seq": 0,
        "moderator": can_moderate(request.user, thread.forum),
        "can_post": can_post_in(request.user, thread.forum),
    }
    response = render(request, "forums/_post.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _thread_page(request: HttpRequest, thread: Thread, form: PostForm, status: int = 200) -> HttpResponse:
    person = request.user
    posts = list(selectors.posts_for_page(thread, person))
    last_read = 0
    if person.is_authenticated:
        last_read = selectors.last_read_seq(thread, person)
        if status == 200:
            services.thread_mark_read(person=person, thread=thread)
    _annotate_reactions(posts, person)
    context = {
        "thread": thread,
        "forum": thread.forum,
        "posts": posts,
        "form": form if can_post_in(person, thread.forum) else None,
        "last_read_seq": last_read,
        "moderator": can_moderate(person, thread.forum),
        "can_post": can_post_in(person, thread.forum),
    }
    return render(request, "forums/thread.html", context, status=status)


@login_required
@require_POST
def thread_reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    form = PostForm(request.POST)
    return _write_from_form(
        form,
        lambda: services.post_create(
            person=request.user,
            thread=thread,
            body=form.cleaned_data["body"],
            reply_to=form.cleaned_data["reply_to"],
            client_id=form.cleaned_data["client_id"],
        )[0],
        lambda status: _thread_page(request, thread, form, status=status),
    )


@login_required
@require_POST
def thread_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    action = request.POST.get("action", "")
    try:
        services.thread_moderate(person=request.user, thread=thread, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        labels = {
            "lock": _("Thread locked."),
            "unlock": _("Thread unlocked."),
            "pin": _("Thread pinned."),
            "unpin": _("Thread unpinned."),
        }
        messages.success(request, labels[action])
    return HttpResponseRedirect(thread.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can edit a post."))
    form = EditForm(request.POST or None, initial={"body": post.body})
    edited = save_from_form(
        request,
        form,
        lambda: services.post_edit(person=request.user, post=post, body=form.cleaned_data["body"]),
        success=_("Post updated."),
        refusals=(services.ThreadLocked,),
    )
    if edited is not None:
        return HttpResponseRedirect(edited.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/post_edit.html", {"post": post, "form": form}, status=status)


@login_required
@require_POST
def post_remove(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    services.post_remove(person=request.user, post=post)
    messages.success(request, _("Post removed."))
    return HttpResponseRedirect(post.get_absolute_url())


@login_required
@require_POST
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    try:
        services.reaction_toggle(person=request.user, post=post, code=request.POST.get("code", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.ThreadLocked as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(post.get_absolute_url())


@login_required
@require_POST
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    hidden = request.POST.get("hidden", "1") == "1"
    services.post_set_hidden(person=request.user, post=post, hidden=hidden)
    messages.success(request, _("Post hidden.") if hidden else _("Post shown again."))
    return HttpResponseRedirect(post.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(person=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_to_form(exc, form)
        except services.TooManyReports as exc:
            form.add_error(None, str(exc))
            return render(request, "forums/post_report.html", {"post": post, "form": form}, status=429)
        else:
            messages.success(request, _("Thank you. The moderators have been told."))
            return HttpResponseRedirect(post.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/post_report.html", {"post": post, "form": form}, status=status)


# --- forum management -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def forum_new(request: HttpRequest) -> HttpResponse:
    """An organisation's owners and admins open a forum (private by default)."""
    organisations = selectors.managed_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Only the owners and admins of an organisation open forums for it."))
    form = ForumForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.organisation_forum_create(
                actor=request.user, organisation=form.cleaned_data["organisation"], data=form.forum_data()
            )
        except ValidationError as exc:
            add_to_form(exc, form)
        else:
            messages.success(request, _("Forum “%(name)s” opened.") % {"name": forum.name})
            return HttpResponseRedirect(forum.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/forum_form.html", {"form": form, "forum": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def forum_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Rename, describe, re-share or archive an organisation's forum."""
    forum = selectors.forum_get(request.user, slug)
    if forum is None:
        raise Http404
    if not services.can_manage_forum(request.user, forum):
        raise PermissionDenied(_("Only the owning organisation's owners and admins change this forum."))
    initial = {
        "name": forum.name,
        "description": forum.description,
        "visibility": forum.visibility,
        "shared_groups": sharing.initial(forum),
    }
    form = ForumForm(
        request.POST or None,
        initial=initial,
        organisations=selectors.managed_organisations(request.user),
        owners=[forum.organisation_id],
        fixed_organisation=True,
    )
    if request.method == "POST" and "archive" in request.POST:
        archived = request.POST["archive"] == "1"
        services.forum_archive(
            actor=request.user, forum=forum, archived=archived, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Forum archived.") if archived else _("Forum reopened."))
        return HttpResponseRedirect(forum.get_absolute_url())
    saved = save_from_form(
        request,
        form,
        lambda: services.forum_update(actor=request.user, forum=forum, data=form.forum_data()),
        success=_("Forum saved."),
    )
    if saved is not None:
        return HttpResponseRedirect(saved.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/forum_form.html", {"form": form, "forum": forum}, status=status)


# --- moderation -----------------------------------------------------------------------------------


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """The moderation queue: open reports with the post in context, and the moderators' log."""
    forums = list(selectors.moderated_forums(request.user))
    if not forums:
        raise PermissionDenied(
            _(
                "The moderation queue is for the owners and admins of an organisation (its forums), "
                "the conveners of a working group (its forum) and network staff (the network forum)."
            )
        )
    reports = list(selectors.reports_for(request.user)[:50])
    for report in reports:
        report.context = selectors.post_context(report.post)
    context = {
        "forums": forums,
        "reports": reports,
        "resolved": list(
            selectors.reports_for(request.user, open_only=False).filter(resolved_at__isnull=False)[:20]
        ),
        "log": selectors.moderation_log(request.user, limit=50),
        "form": ResolveForm(),
    }
    return render(request, "forums/moderation.html", context)


@login_required
@require_POST
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    if report is None:
        raise Http404
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome for the report."))
        return HttpResponseRedirect(reverse("forums:moderation") + f"#report-{report.pk}")
    was_open = report.is_open
    services.report_resolve(
        person=request.user,
        report=report,
        outcome=form.cleaned_data["outcome"],
        reason=form.cleaned_data["reason"],
    )
    if was_open:
        messages.success(request, _("Report resolved; the reporter has been told."))
    else:
        messages.info(request, _("This report had already been resolved."))
    return HttpResponseRedirect(reverse("forums:moderation"))

"""The reader's newsletter pages. Thin: forms check input, services.py does the work.

CSRF: the signup box sits on article pages that anonymous readers get from a shared cache, so
it cannot carry a per-reader CSRF token. The signup endpoint is therefore exempt, and what a
forged signup can do is bounded: it sends one confirmation email (rate limited per IP and per
address, bots caught by a honeypot), and nothing is subscribed until the owner of the address
confirms by POST from the link in that email. The one-click unsubscribe POST is exempt as RFC
8058 requires (mail clients send it without cookies); its signed token is the authority.
Confirmation and preference forms are per-reader, uncached pages and keep Django's CSRF check.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from broadsheet.newsroom import selectors as newsroom_selectors

from . import selectors, services, tokens
from .forms import PreferencesForm, SignupForm
from .models import Newsletter, Subscriber, SubscriptionStatus


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower()


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def index(request: HttpRequest) -> HttpResponse:
    """Every newsletter of the edition, with a signup form; cacheable (no CSRF token)."""
    newsletters = selectors.newsletter_list_open(language_code=_language())
    return render(
        request,
        "newsletters/index.html",
        {"newsletters": newsletters, "form": SignupForm(newsletters=newsletters)},
    )


def _signup_answer(request, *, status: int, form=None, message: str = "", email: str = ""):
    if _wants_json(request):
        errors = {}
        if form is not None:
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse(
            {"ok": status == 200, "message": message, "errors": errors}, status=status
        )
    newsletters = selectors.newsletter_list_open(language_code=_language())
    return render(
        request,
        "newsletters/signup_result.html",
        {
            "ok": status == 200,
            "message": message,
            "form": form,
            "email": email,
            "newsletters": newsletters,
        },
        status=status,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("newsletters:index")
    language = _language()
    newsletters = selectors.newsletter_list_open(language_code=language)
    form = SignupForm(request.POST, newsletters=newsletters)
    done = _("Check your inbox: we have sent you a link to confirm your subscription.")
    if form.is_bot:
        # Bots get the answer people get, and nothing happens.
        return _signup_answer(request, status=200, message=done)
    # ACCOUNT_RATE_LIMITS "newsletter_signup", per client address (accounts/client_ip.py).
    if not ratelimit.consume(request, action="newsletter_signup"):
        return _signup_answer(
            request,
            status=429,
            message=_("Too many signups from your network. Please try again in an hour."),
        )
    if not form.is_valid():
        return _signup_answer(
            request,
            status=400,
            form=form,
            message=_("Please correct the problem below."),
            email=form.data.get("email", "")[:320],
        )
    email = form.cleaned_data["email"]
    if not ratelimit.consume(request, action="newsletter_signup_address", key=email.lower()):
        return _signup_answer(
            request,
            status=429,
            message=_("Too many signups for this address. Please try again in an hour."),
        )
    chosen = [n for n in newsletters if n.pk in set(form.cleaned_data["newsletters"])]
    user = request.user if request.user.is_authenticated else None
    services.subscriber_signup(
        email=email,
        newsletters=chosen,
        language=language,
        source=form.cleaned_data.get("source") or "page",
        now=timezone.now(),
        user=user,
    )
    # The same answer whether the address was new, pending, subscribed or suppressed.
    return _signup_answer(request, status=200, message=done, email=email)


def _bad_link(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "newsletters/bad_link.html", {"message": message}, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (a link scanner's GET confirms nothing)."""
    try:
        subscriber_id = tokens.confirm_token_read(token)
    except tokens.BadTokenError:
        return _bad_link(
            request,
            _("This confirmation link is not valid or has expired. Please sign up again."),
        )
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _bad_link(request, _("This confirmation link is no longer valid."))
    pending = list(
        subscriber.subscriptions.filter(status=SubscriptionStatus.PENDING).select_related(
            "newsletter"
        )
    )
    confirmed = False
    if request.method == "POST":
        services.subscriptions_confirm(subscriber=subscriber, now=timezone.now())
        confirmed = True
    return render(
        request,
        "newsletters/confirm.html",
        {
            "pending": [s.newsletter for s in pending],
            "confirmed": confirmed,
            "suppressed": subscriber.is_suppressed,
            "preferences_url_token": tokens.manage_token_make(subscriber_id=subscriber.pk),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber_id = tokens.manage_token_read(token)
    except tokens.BadTokenError:
        return _bad_link(request, _("This link is not valid. Use the link in our latest email."))
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _bad_link(request, _("We have no subscription for this link any more."))
    rows = selectors.subscriber_preferences(subscriber=subscriber)
    if request.method == "POST":
        now = timezone.now()
        if "unsubscribe_all" in request.POST:
            services.subscriber_unsubscribe_all(subscriber=subscriber, now=now)
            return redirect(f"{request.path}?saved=all")
        form = PreferencesForm(request.POST, newsletter_ids=[r.newsletter.pk for r in rows])
        if not form.is_valid():
            return render(
                request,
                "newsletters/preferences.html",
                {
                    "rows": rows,
                    "subscriber": subscriber,
                    "problem": _("Choose among the newsletters listed."),
                },
                status=400,
            )
        services.preferences_update(
            subscriber=subscriber, wanted_ids=set(form.cleaned_data["newsletters"]), now=now
        )
        return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "newsletters/preferences.html",
        {"rows": rows, "subscriber": subscriber, "saved": request.GET.get("saved", "")},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058 one-click: a POST unsubscribes at once, without session or CSRF token; a GET
    (a person following the link, or a scanner) only shows the button."""
    try:
        claim = tokens.unsubscribe_token_read(token)
    except tokens.BadTokenError:
        return _bad_link(request, _("This unsubscribe link is not valid."))
    newsletter = Newsletter.objects.select_related("locale").filter(pk=claim.newsletter_id).first()
    if newsletter is None:
        return _bad_link(request, _("This newsletter no longer exists."))
    done = False
    if request.method == "POST":
        services.subscription_unsubscribe(
            subscriber_id=claim.subscriber_id,
            newsletter_id=claim.newsletter_id,
            issue_id=claim.issue_id,
            now=timezone.now(),
        )
        done = True
    return render(
        request,
        "newsletters/unsubscribe.html",
        {
            "newsletter": newsletter,
            "done": done,
            "preferences_token": tokens.manage_token_make(subscriber_id=claim.subscriber_id),
        },
    )


def archive(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = selectors.newsletter_by_slug(language_code=_language(), slug=slug)
    page = newsroom_selectors.paginate(request, selectors.issue_archive_list(newsletter=newsletter))
    return render(
        request,
        "newsletters/archive.html",
        {
            "newsletter": newsletter,
            "issues_page": page,
            "form": SignupForm(newsletters=[newsletter]),
            "signup_newsletters": [newsletter],
        },
    )


def issue_detail(request: HttpRequest, slug: str, issue_id: int) -> HttpResponse:
    newsletter = selectors.newsletter_by_slug(language_code=_language(), slug=slug)
    issue = selectors.issue_for_archive(newsletter=newsletter, issue_id=issue_id)
    return render(
        request,
        "newsletters/issue_detail.html",
        {
            "newsletter": newsletter,
            "issue": issue,
            "items": selectors.issue_items(issue=issue),
            "form": SignupForm(newsletters=[newsletter]),
            "signup_newsletters": [newsletter],
        },
    )

"""The API's views: thin, each in its edition's language.

Public views read nothing of the reader (no token, no cookie): their answers are the same for
everyone and are kept by the page cache and the front proxy (purged on publish). The reader's
views (`me/`) authenticate the app's token and are never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from broadsheet.access import services as access
from broadsheet.access.rendering import body_html
from broadsheet.access.rules import Reader, Show, decide
from broadsheet.access.selectors import ArticleFacts, article_facts, sharing_warning_for_seat
from broadsheet.audience.selectors import most_viewed
from broadsheet.newsroom import selectors as newsroom
from broadsheet.newsroom.models import ArticleAuthor, ArticlePage, EditionPage

from . import presenters
from . import serializers as shapes
from .authentication import AppTokenAuthentication
from .selectors import Cursor, CursorError, keyset_page
from .services import app_sign_in, app_sign_out
from .throttles import PerIpThrottle, PerTokenThrottle, SignInThrottle

EDITION_CODES = {code for code, _name in settings.LANGUAGES}
INSTALLATION_HEADER = "Broadsheet-Installation"
PROBLEM = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="A problem (RFC 9457), application/problem+json."
)
ERRORS = {400: PROBLEM, 404: PROBLEM, 429: PROBLEM}


class EditionView(APIView):
    """A view of one edition: its language for every text, errors included."""

    renderer_classes = [JSONRenderer]
    authentication_classes: list = []
    throttle_classes = [PerIpThrottle]

    def dispatch(self, request, *args, **kwargs):
        code = kwargs.get("edition", "")
        language = code if code in EDITION_CODES else settings.LANGUAGE_CODE
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            # Rendered here, while the edition's language is active.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    def edition(self) -> EditionPage:
        code = self.kwargs.get("edition", "")
        edition = (
            newsroom.edition_for_language(language_code=code) if code in EDITION_CODES else None
        )
        if edition is None:
            raise exceptions.NotFound(_("There is no edition “%(code)s”.") % {"code": code[:20]})
        return edition


class PublicView(EditionView):
    """The same answer for every reader: kept by the page cache and the front proxy until the
    next publish (X-Edition: the site scope, which every publish purges)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            # As pages: apps revalidate, the front keeps it until the next publish bans it.
            response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
        # Only JSON is served: the answer does not vary with Accept.
        if response.has_header("Vary"):
            del response["Vary"]
        return response


class ReaderView(EditionView):
    """This reader's: authenticated by the app's token (or anonymous), never cached."""

    authentication_classes = [AppTokenAuthentication]
    throttle_classes = [PerIpThrottle, PerTokenThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "private, no-store"
        return response


def _int_query(request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    field = serializers.IntegerField(min_value=low, max_value=high)
    try:
        return field.run_validation(raw)
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({name: error.detail}) from error


class EditionListView(PublicView):
    """The editions: one per language."""

    @extend_schema(
        operation_id="editions_list",
        responses={200: shapes.EditionSerializer(many=True), 429: PROBLEM},
    )
    def get(self, request):
        editions = newsroom.edition_list()
        return Response(
            shapes.EditionSerializer(
                [presenters.edition_values(request, edition) for edition in editions], many=True
            ).data
        )


class SectionListView(PublicView):
    """The edition's sections, as its menu lists them."""

    @extend_schema(
        operation_id="sections_list", responses={200: shapes.SectionSerializer(many=True), **ERRORS}
    )
    def get(self, request, edition: str):
        sections = newsroom.edition_section_list(edition=self.edition())
        return Response(
            shapes.SectionSerializer(
                [presenters.section_values(request, section) for section in sections], many=True
            ).data
        )


LIST_PARAMETERS = [
    OpenApiParameter("section", str, description="A section's slug."),
    OpenApiParameter("tag", str, description="A tag's slug."),
    OpenApiParameter("author", str, description="An author's slug."),
    OpenApiParameter("cursor", str, description="next_cursor of the previous page."),
    OpenApiParameter("limit", int, description="1 to 100 (default 20)."),
]


class ArticleListView(PublicView):
    """The edition's articles, newest first, by section, tag or author; keyset cursors."""

    @extend_schema(
        operation_id="articles_list",
        parameters=LIST_PARAMETERS,
        responses={200: shapes.ArticleListSerializer, **ERRORS},
    )
    def get(self, request, edition: str):
        page = self.edition()
        params = request.query_params
        size = _int_query(
            request, "limit", default=settings.API_PAGE_SIZE, low=1, high=settings.API_MAX_PAGE_SIZE
        )
        after = None
        if params.get("cursor"):
            try:
                after = Cursor.decode(params["cursor"])
            except CursorError as error:
                raise exceptions.ValidationError(
                    {"cursor": _("This cursor is not one the API handed out.")}
                ) from error
        filters = [name for name in ("section", "tag", "author") if params.get(name)]
        if len(filters) > 1:
            raise exceptions.ValidationError(
                {filters[1]: _("Filter by one of section, tag or author at a time.")}
            )
        listing = self._listing(page, filters[0] if filters else None, params)
        rows, next_cursor = keyset_page(listing, after=after, size=size)
        data = {
            "results": [presenters.article_summary(request, article) for article in rows],
            "next_cursor": next_cursor.encode() if next_cursor else None,
        }
        return Response(shapes.ArticleListSerializer(data).data)

    def _listing(self, edition: EditionPage, by: str | None, params):
        if by == "section":
            section = (
                newsroom.edition_section_list(edition=edition)
                .filter(slug=params["section"][:255])
                .first()
            )
            if section is None:
                raise exceptions.NotFound(_("There is no such section in this edition."))
            return newsroom.article_list_for_section(section=section)
        if by == "tag":
            return newsroom.article_list_for_tag(
                edition=edition, tag=newsroom.tag_by_slug(slug=params["tag"][:100])
            )
        if by == "author":
            return newsroom.article_list_for_author(
                edition=edition, author=newsroom.author_by_slug(slug=params["author"][:120])
            )
        return newsroom.article_list_latest(edition=edition)


class ArticleDetailView(PublicView):
    """One article: everything but a metered or gated body (that is me/.../body/)."""

    @extend_schema(
        operation_id="article_detail", responses={200: shapes.ArticleDetailSerializer, **ERRORS}
    )
    def get(self, request, edition: str, article_id: int):
        page = self.edition()
        article = (
            ArticlePage.objects.live()
            .public()
            .filter(pk=article_id, locale_id=page.locale_id)
            .defer_streamfields()
            .select_related("lead_image", "locale")
            .prefetch_related(
                Prefetch(
                    "article_authors",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                )
            )
            .first()
        )
        if article is None:
            raise exceptions.NotFound(_("There is no such article in this edition."))
        context = newsroom.article_page_context(article=article)
        # The access decision for anyone at all: only a free article's body is for everyone.
        anyone = Reader(signed_in=False, entitled=False)
        body = None
        if decide(level=article.access_level, reader=anyone).body_allowed:
            facts = article_facts(article_id=article.pk)
            if facts is not None:
                body = str(body_html(request=request._request, article=facts))
        data = presenters.article_detail(request, article, context, body_html=body)
        return Response(shapes.ArticleDetailSerializer(data).data)


class MostViewedView(PublicView):
    """The edition's most viewed articles over the last 24 hours or 7 days."""

    @extend_schema(
        operation_id="most_viewed",
        parameters=[
            OpenApiParameter("hours", int, enum=[24, 168], description="24 (default) or 168."),
            OpenApiParameter("limit", int, description="1 to 50 (default 10)."),
        ],
        responses={200: shapes.MostViewedSerializer, **ERRORS},
    )
    def get(self, request, edition: str):
        page = self.edition()
        hours = _int_query(request, "hours", default=24, low=24, high=168)
        if hours not in (24, 168):
            raise exceptions.ValidationError({"hours": _("Ask for 24 or 168 hours.")})
        limit = _int_query(request, "limit", default=10, low=1, high=50)
        ranked = most_viewed(
            edition=page.locale.language_code.lower(),
            hours=hours,
            now=timezone.now(),
            limit=limit,
        )
        ids = [item.article.pk for item in ranked]
        by_id = {
            article.pk: article
            for article in newsroom.article_list_latest(edition=page).filter(pk__in=ids)
        }
        results = [presenters.article_summary(request, by_id[pk]) for pk in ids if pk in by_id]
        return Response(shapes.MostViewedSerializer({"results": results}).data)


class SearchView(PublicView):
    """Full-text search in the edition."""

    PAGE_SIZE = 20
    MAX_PAGES = 10

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", str, required=True, description="Up to 200 characters."),
            OpenApiParameter("page", int, description="1 to 10."),
        ],
        responses={200: shapes.SearchSerializer, **ERRORS},
    )
    def get(self, request, edition: str):
        page = self.edition()
        query = request.query_params.get("q", "").strip()
        if not query:
            raise exceptions.ValidationError({"q": _("Type what to search for.")})
        if len(query) > 200:
            raise exceptions.ValidationError({"q": _("Search for 200 characters at most.")})
        number = _int_query(request, "page", default=1, low=1, high=self.MAX_PAGES)
        start = (number - 1) * self.PAGE_SIZE
        found = list(newsroom.article_search(edition=page, query=query)[start : start + 21])
        ids = [article.pk for article in found[: self.PAGE_SIZE]]
        by_id = {
            article.pk: article
            for article in newsroom.article_list_latest(edition=page).filter(pk__in=ids)
        }
        data = {
            "query": query,
            "page": number,
            "results": [
                presenters.article_summary(request, by_id[pk]) for pk in ids if pk in by_id
            ],
            "has_next": len(found) > self.PAGE_SIZE and number < self.MAX_PAGES,
        }
        return Response(shapes.SearchSerializer(data).data)


# The reader's part


class SignInRefusedError(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "sign_in_refused"


class SignInView(ReaderView):
    """Sign in from the app: a device of the reader's account, and its token (shown once)."""

    authentication_classes: list = []
    throttle_classes = [SignInThrottle]

    @extend_schema(
        operation_id="sign_in",
        request=shapes.SignInRequestSerializer,
        responses={201: shapes.SignInSerializer, 400: PROBLEM, 401: PROBLEM, 429: PROBLEM},
        auth=[],
    )
    def post(self, request, edition: str):
        self.edition()
        incoming = shapes.SignInRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        signed_in = app_sign_in(
            request=request._request,
            email=incoming.validated_data["email"],
            password=incoming.validated_data["password"],
            platform=incoming.validated_data["platform"],
            now=timezone.now(),
        )
        if signed_in is None:
            raise SignInRefusedError(
                _(
                    "We could not sign you in with this email and password. If you signed up "
                    "just now, confirm your email first."
                )
            )
        data = {
            "token": signed_in.token,
            "device": {"id": signed_in.device.pk, "name": signed_in.device.name},
        }
        return Response(shapes.SignInSerializer(data).data, status=status.HTTP_201_CREATED)


def _signed_in_device(request):
    if request.auth is None:
        raise exceptions.NotAuthenticated(_("Sign in from the app first."))
    return request.auth


class SignOutView(ReaderView):
    """Sign this app out: its device, its token and its reading slot go."""

    @extend_schema(
        operation_id="sign_out", request=None, responses={204: None, 401: PROBLEM, 429: PROBLEM}
    )
    def post(self, request, edition: str):
        self.edition()
        app_sign_out(device=_signed_in_device(request), now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ReaderView):
    """Who reads: the app's device, whether it reads with a subscription, the sharing warning."""

    @extend_schema(operation_id="me", responses={200: shapes.MeSerializer, **ERRORS})
    def get(self, request, edition: str):
        self.edition()
        now = timezone.now()
        device = request.auth
        entitlement = access.request_entitlement(request._request, now=now)
        warning = (
            sharing_warning_for_seat(entitlement=entitlement, now=now) if entitlement else None
        )
        data = {
            "signed_in": device is not None,
            "device": {"id": device.pk, "name": device.name} if device is not None else None,
            "subscriber": entitlement is not None,
            "sharing_warning": presenters.sharing_warning_values(request, warning),
        }
        return Response(shapes.MeSerializer(data).data)


READER_PARAMETERS = [
    OpenApiParameter(
        INSTALLATION_HEADER,
        str,
        location=OpenApiParameter.HEADER,
        description="Not signed in: the app's installation id (16 to 64 of a-z, 0-9), which "
        "the meter counts as the web counts its reader cookie.",
    )
]


class ArticleReaderView(ReaderView):
    def facts(self, article_id: int) -> ArticleFacts:
        code = self.edition().locale.language_code.lower()
        facts = article_facts(article_id=article_id)
        if facts is None or facts.language != code:
            raise exceptions.NotFound(_("There is no such article in this edition."))
        return facts

    def reader_named(self, request) -> None:
        """A reader not signed in names themselves by the app's installation id, if sent."""
        if request.auth is not None:
            return
        raw = request.headers.get(INSTALLATION_HEADER)
        if raw is not None and not access.reader_id_give(request._request, raw):
            raise exceptions.ValidationError(
                {INSTALLATION_HEADER: _("Send the installation id the API gave you.")}
            )

    def reading(self, request, facts: ArticleFacts) -> Response:
        now = timezone.now()
        django_request = request._request
        reading = access.reading_decide(
            request=django_request,
            article_id=facts.pk,
            level=facts.access_level,
            edition=facts.language,
            now=now,
        )
        show = reading.decision.show
        entitlement = reading.entitlement
        slot = reading.slot
        warning = (
            sharing_warning_for_seat(entitlement=entitlement, now=now) if entitlement else None
        )
        data = {
            "article": facts.pk,
            "show": show.value,
            "body_html": str(body_html(request=django_request, article=facts))
            if show is Show.BODY
            else None,
            "meter": presenters.meter_values(reading.meter),
            "slot": {"fence": slot.fence, "heartbeat_seconds": settings.ACCESS_HEARTBEAT_SECONDS}
            if slot is not None and slot.held
            else None,
            "notice": presenters.notice_values(
                request, slot=slot, plan_kind=entitlement.plan_kind, now=now
            )
            if show is Show.DEVICE_NOTICE and slot is not None and entitlement is not None
            else None,
            "wall": presenters.wall_values(request, show=show, access_level=facts.access_level),
            "sharing_warning": presenters.sharing_warning_values(request, warning),
            "installation_id": access.reader_id_from_request(django_request)
            if request.auth is None
            else None,
        }
        response = Response(shapes.ReadingSerializer(data).data)
        response["X-Access"] = show.value
        return response


class BodyView(ArticleReaderView):
    """The article's body if the access rules give it to this reader now, else what they show."""

    @extend_schema(
        operation_id="article_body",
        parameters=READER_PARAMETERS,
        responses={200: shapes.ReadingSerializer, **ERRORS},
    )
    def get(self, request, edition: str, article_id: int):
        facts = self.facts(article_id)
        self.reader_named(request)
        return self.reading(request, facts)


class ReadHereView(ArticleReaderView):
    """ "Read here": this app takes its seat's reading slot, then reads the article."""

    @extend_schema(
        operation_id="read_here",
        request=None,
        responses={200: shapes.ReadingSerializer, 401: PROBLEM, 403: PROBLEM, **ERRORS},
    )
    def post(self, request, edition: str, article_id: int):
        facts = self.facts(article_id)
        _signed_in_device(request)
        outcome = access.slot_take_over(request=request._request, now=timezone.now())
        if outcome is None:
            raise exceptions.PermissionDenied(
                _("Only a subscription is read on one device at a time: there is nothing to take.")
            )
        return self.reading(request, facts)


class HeartbeatView(ArticleReaderView):
    """The article is still open in the app: is this device still the one reading?"""

    @extend_schema(
        operation_id="heartbeat",
        request=shapes.HeartbeatRequestSerializer,
        responses={200: shapes.HeartbeatSerializer, 401: PROBLEM, **ERRORS},
    )
    def post(self, request, edition: str, article_id: int):
        self.facts(article_id)
        _signed_in_device(request)
        incoming = shapes.HeartbeatRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        now = timezone.now()
        django_request = request._request
        outcome = access.slot_heartbeat(
            request=django_request, fence=incoming.validated_data["fence"], now=now
        )
        entitlement = access.request_entitlement(django_request, now=now)
        warning = (
            sharing_warning_for_seat(entitlement=entitlement, now=now) if entitlement else None
        )
        data: dict[str, object] = {
            "state": "none",
            "fence": None,
            "notice": None,
            "sharing_warning": presenters.sharing_warning_values(request, warning),
        }
        if outcome is not None and (not outcome.available or outcome.held):
            data.update(state="reading", fence=outcome.fence)
        elif outcome is not None and entitlement is not None:
            data.update(
                state="notice",
                notice=presenters.notice_values(
                    request, slot=outcome, plan_kind=entitlement.plan_kind, now=now
                ),
            )
        return Response(shapes.HeartbeatSerializer(data).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3.1 schema, as JSON; the same as broadsheet/api/openapi.json (tested)."""

    authentication_classes: list = []
    throttle_classes = [PerIpThrottle]
    renderer_classes = [OpenApiJsonRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
        return response

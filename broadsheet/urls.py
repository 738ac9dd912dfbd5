from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

import broadsheet.converters  # noqa: F401  (registers <id:>)
from broadsheet import views
from broadsheet.accounts.throttle import password_form_throttled
from broadsheet.newsroom import views as newsroom_views
from broadsheet.operations import views as operations_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's password forms of private collections and pages, under the sign-in limits: the
    # same addresses as Wagtail's own, matched first.
    path(
        "documents/authenticate_with_password/<id:restriction_id>/",
        password_form_throttled(
            wagtaildocs_serve.authenticate_with_password,
            restriction_kwarg="restriction_id",
            scope="collection-password",
        ),
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", operations_views.metrics_view, name="metrics"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("billing/", include("broadsheet.subscriptions.webhook_urls")),
    path("", include("broadsheet.syndication.site_urls")),
    path("", include("broadsheet.newsletters.site_urls")),
    path("", include("broadsheet.audience.site_urls")),
    path("", include("broadsheet.access.urls")),
    path("", include("broadsheet.api.urls")),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # The demo (settings.dev) runs without DEBUG, for which Django's static() adds nothing.
    from django.views.static import serve

    media = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        re_path(rf"^{media}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]

# Everything a reader sees lives under an edition's language prefix: /en-us/..., /es-es/...
urlpatterns += i18n_patterns(
    path("", include("broadsheet.newsroom.urls")),
    path("", include("broadsheet.syndication.urls")),
    path("", include("broadsheet.newsletters.urls")),
    path("accounts/", include("broadsheet.accounts.urls")),
    path("accounts/", include("allauth.account.urls")),
    path("subscription/", include("broadsheet.subscriptions.urls")),
    path(
        "_util/authenticate_with_password/<id:page_view_restriction_id>/<id:page_id>/",
        password_form_throttled(
            wagtail_views.authenticate_with_password,
            restriction_kwarg="page_view_restriction_id",
            scope="page-password",
        ),
    ),
    # Wagtail's pages, routed from the cached edition (newsroom/routing.py). Wagtail's own
    # pattern, under the same name, stays below for its _util/ views (front-end login, page
    # passwords), which this one leaves to it; both reverse alike.
    re_path(
        r"^(?!_util/)" + wagtail_urls.serve_pattern.removeprefix("^"),
        newsroom_views.page_serve,
        name="wagtail_serve",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler400 = "broadsheet.views.bad_request"
handler404 = "broadsheet.views.page_not_found"
handler500 = "broadsheet.views.server_error"

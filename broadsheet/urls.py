from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

import broadsheet.converters  # noqa: F401  (registers <id:>)
from broadsheet import views
from broadsheet.operations import views as operations_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", operations_views.metrics_view, name="metrics"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("billing/", include("broadsheet.subscriptions.webhook_urls")),
    path("", include("broadsheet.syndication.site_urls")),
    path("", include("broadsheet.newsletters.site_urls")),
    path("", include("broadsheet.audience.site_urls")),
    path("", include("broadsheet.access.urls")),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # The demo (settings.dev) runs without DEBUG, for which Django's static() adds nothing.
    from django.urls import re_path
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
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler400 = "broadsheet.views.bad_request"
handler404 = "broadsheet.views.page_not_found"
handler500 = "broadsheet.views.server_error"

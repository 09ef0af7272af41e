"""The API root: versioned routes of each app, the OpenAPI schema and its docs page."""

from typing import Any

from django.conf import settings
from django.urls import include, path

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from doorstroom.contacts.api import urls as contact_urls
from doorstroom.enrollments.api import urls as enrollment_urls
from doorstroom.measurements.api import urls as measurement_urls
from doorstroom.monitoring.api import urls as monitoring_urls
from doorstroom.organisations.api import urls as organisation_urls
from doorstroom.participants.api import urls as participant_urls
from doorstroom.plans.api import urls as plan_urls
from doorstroom.programmes.api import urls as programme_urls
from doorstroom.referrals.api import urls as referral_urls


class ApiDocsView(SpectacularSwaggerSplitView):
    """The API documentation (Swagger UI). It holds no personal data and styles its widgets inline,
    so this one page allows inline styles; scripts stay limited to our own files."""

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = settings.DOORSTROOM_CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its script as a file, so the docs page needs no inline script (CSP)
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "v1/",
        include(
            [
                *organisation_urls.urlpatterns,
                *programme_urls.urlpatterns,
                *participant_urls.urlpatterns,
                *enrollment_urls.urlpatterns,
                *measurement_urls.urlpatterns,
                *plan_urls.urlpatterns,
                *contact_urls.urlpatterns,
                *referral_urls.urlpatterns,
                *monitoring_urls.urlpatterns,
            ]
        ),
    ),
]

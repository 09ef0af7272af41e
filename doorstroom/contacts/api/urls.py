from django.urls import path

from . import views

urlpatterns = [
    path(
        "deelnemers/<uuid:participant_uuid>/contacten/",
        views.ContactListCreateApi.as_view(),
        name="api-participant-contacts",
    ),
]

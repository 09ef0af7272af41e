from django.urls import path

from . import views

urlpatterns = [
    path("deelnemers/", views.ParticipantListCreateApi.as_view(), name="api-participants"),
    path("deelnemers/zoeken/", views.ParticipantSearchApi.as_view(), name="api-participant-search"),
    path("deelnemers/<uuid:participant_uuid>/", views.ParticipantDetailApi.as_view(), name="api-participant"),
]

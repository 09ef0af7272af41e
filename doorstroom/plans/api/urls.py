from django.urls import path

from . import views

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/plan/", views.PlanApi.as_view(), name="api-participant-plan"),
]

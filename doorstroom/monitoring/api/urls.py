from django.urls import path

from . import views

urlpatterns = [
    path("rapportages/", views.ReportApi.as_view(), name="api-report"),
    path("rapportages/deelnemers/", views.ReportDrilldownApi.as_view(), name="api-report-drilldown"),
]

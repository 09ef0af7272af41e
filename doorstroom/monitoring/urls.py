from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("rapportages/", views.report, name="report"),
    path("rapportages/deelnemers/", views.report_people, name="report_people"),
    path("rapportages/export/", views.report_export, name="report_export"),
    path("rapportages/grafiek.svg", views.report_chart, name="report_chart"),
    path("rapportages/vaststellen/", views.report_adopt, name="report_adopt"),
    path("rapportages/vastgesteld/", views.adopted_list, name="adopted_list"),
    path("rapportages/vastgesteld/<uuid:report_uuid>/", views.adopted, name="adopted"),
]

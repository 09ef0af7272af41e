from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/plan/", views.plan_detail, name="detail"),
    path("deelnemers/<uuid:participant_uuid>/plan/wijzigen/", views.plan_edit, name="edit"),
    path("deelnemers/<uuid:participant_uuid>/plan/plan-van-aanpak.pdf", views.plan_pdf, name="pdf"),
    path("huishoudens/<uuid:household_uuid>/plan/", views.household_plan_detail, name="household"),
    path("huishoudens/<uuid:household_uuid>/plan/wijzigen/", views.household_plan_edit, name="household_edit"),
    path("huishoudens/<uuid:household_uuid>/plan/gezinsplan.pdf", views.household_plan_pdf, name="household_pdf"),
]

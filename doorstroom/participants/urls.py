from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("deelnemers/nieuw/", views.participant_create, name="create"),
    path("mijn-dossier/", views.own_file, name="own_file"),
    path("mijn-dossier/plan/akkoord/", views.own_plan_agree, name="own_plan_agree"),
    path("deelnemers/zoeken/", views.participant_search, name="search"),
    path("noodtoegang/", views.break_glass, name="break_glass"),
    path("noodtoegang/beoordelen/", views.break_glass_review, name="break_glass_review"),
    path("inzageverzoeken/", views.written_access_request, name="written_access_request"),
    path("deelnemers/<uuid:participant_uuid>/", views.participant_detail, name="detail"),
    path("deelnemers/<uuid:participant_uuid>/wijzigen/", views.participant_edit, name="edit"),
    path("deelnemers/<uuid:participant_uuid>/huishouden/", views.household_member_create, name="household_add"),
    path("deelnemers/<uuid:participant_uuid>/delen/", views.sharing_grant_create, name="sharing_add"),
    path("deelnemers/<uuid:participant_uuid>/school/", views.school_registration_create, name="school_add"),
    path("deelnemers/<uuid:participant_uuid>/inzage/", views.participant_audit_trail, name="audit_trail"),
    path("deelnemers/<uuid:participant_uuid>/inzageverzoek.json", views.participant_export, name="export"),
    path("deelnemers/<uuid:participant_uuid>/inzageverzoek.pdf", views.participant_export_pdf, name="export_pdf"),
    path("deelnemers/<uuid:participant_uuid>/beperking/", views.participant_restriction, name="restriction"),
    path(
        "deelnemers/<uuid:participant_uuid>/delen/<uuid:grant_uuid>/intrekken/",
        views.sharing_grant_withdraw,
        name="sharing_withdraw",
    ),
]

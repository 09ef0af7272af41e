from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("onderzoek/", views.study_list, name="list"),
    path("onderzoek/nieuw/", views.study_create, name="create"),
    path("onderzoek/<uuid:study_uuid>/", views.study_detail, name="detail"),
    path("onderzoek/<uuid:study_uuid>/besluit/", views.study_decide, name="decide"),
    path("onderzoek/<uuid:study_uuid>/levering/", views.study_extract, name="extract"),
]

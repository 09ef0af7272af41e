from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/contacten/", views.contacts_overview, name="overview"),
    path("deelnemers/<uuid:participant_uuid>/contacten/nieuw/", views.contact_create, name="create"),
]

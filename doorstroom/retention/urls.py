from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/wissen/", views.participant_erasure, name="erasure"),
]

from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/wissen/", views.participant_erasure, name="erasure"),
    path("vernietigingslijsten/", views.destruction_lists, name="destruction_lists"),
    path("vernietigingslijsten/<int:list_id>/", views.destruction_list_detail, name="destruction_list"),
]

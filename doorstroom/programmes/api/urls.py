from django.urls import path

from . import views

urlpatterns = [
    path("programmas/", views.ProgrammeListApi.as_view(), name="api-programmes"),
    path("programmas/<slug:code>/", views.ProgrammeDetailApi.as_view(), name="api-programme"),
    path("redenen/", views.ReasonListApi.as_view(), name="api-reasons"),
]

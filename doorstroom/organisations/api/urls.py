from django.urls import path

from . import views

urlpatterns = [path("organisaties/", views.OrganisationListApi.as_view(), name="api-organisations")]

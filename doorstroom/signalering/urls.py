from django.urls import path

from . import views

app_name = "signalering"

urlpatterns = [
    path("signalen/", views.dashboard, name="dashboard"),
    path("signalen/bijwerken/", views.refresh, name="refresh"),
    path("signalen/<uuid:signal_uuid>/", views.signal_handle, name="handle"),
]

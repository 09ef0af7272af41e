from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programmas/", views.programme_list, name="list"),
    path("programmas/<slug:code>/", views.programme_board, name="board"),
]

from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programmas/", views.programme_list, name="list"),
    path("programmas/<slug:code>/", views.programme_board, name="board"),
    path("programmas/<slug:code>/gegevensbehoefte/", views.data_needs, name="data_needs"),
    path(
        "programmas/<slug:code>/gegevensbehoefte/<int:need_id>/besluit/",
        views.data_need_decide,
        name="data_need_decide",
    ),
    path(
        "programmas/<slug:code>/gegevensbehoefte/<int:need_id>/intrekken/",
        views.data_need_withdraw,
        name="data_need_withdraw",
    ),
]

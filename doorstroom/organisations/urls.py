from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("gebruikers/", views.accounts_overview, name="accounts"),
    path("gebruikers/nieuw/", views.account_create, name="account_create"),
    path("gebruikers/<int:user_id>/", views.account_detail, name="account"),
    path("gebruikers/voorstellen/<uuid:change_uuid>/", views.change_decide, name="change_decide"),
    path("regios/<int:region_id>/", views.region_change, name="region_change"),
    path("activeren/<str:uidb64>/<str:token>/", views.account_activate, name="activate"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<uuid:token_uuid>/intrekken/", views.api_token_revoke, name="api_token_revoke"),
]

from django.conf import settings

import pytest


@pytest.mark.django_db
def test_the_interface_is_dutch_even_for_an_english_browser(client):
    html = client.get("/inloggen/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nl">' in html and "Gebruikersnaam" in html


@pytest.mark.django_db
def test_english_is_a_choice_kept_in_a_cookie(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/inloggen/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/inloggen/").content.decode()
    assert '<html lang="en">' in html and "Log in with your username and password." in html

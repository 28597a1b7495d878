import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_ui_is_chinese_even_for_an_english_browser():
    response = Client(headers={"Accept-Language": "en-US,en;q=0.9"}).get("/login/")

    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_english_can_be_chosen_in_the_header_menu():
    client = Client()

    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")

    assert response["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese():
    client = Client()
    client.cookies["django_language"] = "xx"

    assert client.get("/login/")["Content-Language"] == "zh-hans"

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_vietnamese_even_for_an_english_browser(client, tan_dong):  # set up: the sign-in page
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_english_when_the_user_chooses_it(client, tan_dong):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
    assert "Sign in to ansinh" in response.content.decode()


def test_the_api_follows_accept_language(client):
    response = client.get("/api/households", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"] == "A valid API token is required."
    vietnamese = client.get("/api/households", HTTP_ACCEPT_LANGUAGE="vi")
    assert vietnamese.json()["detail"] != "A valid API token is required."


def test_db_optimize_records_statistics(hh_td):
    import io

    from django.core.management import call_command
    from django.db import connection

    out = io.StringIO()
    call_command("db_optimize", stdout=out)
    assert "ANALYZE" in out.getvalue()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'registry_person'")
            assert cursor.fetchone()[0] > 0


def test_month_arithmetic():
    import datetime as dt

    from ansinh.core.periods import add_months, months_between, next_month

    assert next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 1, 1), 25) == dt.date(2028, 2, 1)
    assert months_between(dt.date(2026, 11, 20), dt.date(2027, 2, 1)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]
    assert months_between(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == []

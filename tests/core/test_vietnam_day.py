"""Vietnam's day everywhere: at 23:30 UTC it is already 06:30 the next day in Vietnam.

Every "today", "this month", quiet hour and deadline is Asia/Ho_Chi_Minh's, whatever the
server's clock zone (ruff's DTZ rules forbid naive ``date.today()`` / ``datetime.now()``)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.messaging.config import ChannelConfig
from ansinh.places.models import Commune
from ansinh.poverty import services as poverty

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# 30 November 2026, 23:30 UTC = 1 December 2026, 06:30 in Vietnam
LATE_UTC = dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    def set_clock(when: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: when)

    return set_clock


def test_today_is_vietnams_day(clock):
    clock(LATE_UTC)
    assert timezone.localdate() == dt.date(2026, 12, 1)


def test_the_payroll_month_offered_is_vietnams_month(client, officer, clock):
    clock(LATE_UTC)
    client.force_login(officer)
    page = client.get(reverse("assistance:payroll_list")).content.decode()
    assert 'value="12/2026"' in page  # typed mm/yyyy (issue 15)
    assert 'value="11/2026"' not in page


def test_the_reminder_plan_runs_for_vietnams_day(hh_td, clock):
    clock(LATE_UTC)
    out = io.StringIO()
    call_command("reminders", "plan", stdout=out)
    assert "01/12/2026" in out.getvalue()


def test_quiet_hours_are_vietnams_hours():
    config = ChannelConfig.from_env({})
    assert not config.in_send_window(LATE_UTC)  # 06:30 in Vietnam: nobody is woken
    assert config.in_send_window(dt.datetime(2026, 12, 1, 1, 30, tzinfo=UTC))  # 08:30
    assert not config.in_send_window(dt.datetime(2026, 12, 1, 13, 30, tzinfo=UTC))  # 20:30
    opens = config.window_opens(LATE_UTC)
    assert (opens.date(), opens.hour) == (dt.date(2026, 12, 1), 8)


def test_a_round_deadline_passes_at_midnight_in_vietnam(client, officer, clock):
    clock(dt.datetime(2026, 9, 10, 2, 0, tzinfo=UTC))
    rnd = poverty.round_open(
        scope=scope_for(officer), commune=Commune.objects.get(code=25522), kind="annual", year=2026
    )
    url = reverse("poverty:round", args=[rnd.pk])
    # 20 December, 23:00 in Vietnam (16:00 UTC): the report is due today, not overdue
    clock(dt.datetime(2026, 12, 20, 16, 0, tzinfo=UTC))
    client.force_login(officer)
    assert 'class="badge">quá hạn' not in client.get(url).content.decode()
    # 20 December, 23:30 UTC = 21 December, 06:30 in Vietnam: overdue
    clock(dt.datetime(2026, 12, 20, 23, 30, tzinfo=UTC))
    client.force_login(officer)
    assert 'class="badge">quá hạn' in client.get(url).content.decode()

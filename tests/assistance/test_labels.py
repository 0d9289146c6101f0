"""Allowance pages name recipients as recipients ("Người hưởng", never "Nhân khẩu", the
registry's word for household members) and show no code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_payroll_and_report_pages_say_recipient(client, officer, cases):
    payroll = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 11, 1)
    )
    client.force_login(officer)
    for url in (
        reverse("assistance:payroll_detail", args=[payroll.pk]),
        reverse("assistance:reports"),
    ):
        page = client.get(url).content.decode()
        assert ">Nhân khẩu<" not in page, url
        assert re.search(r">(Recipients?|Người hưởng)<", page), url

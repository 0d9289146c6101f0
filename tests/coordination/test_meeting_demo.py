"""The demo's two committee meetings (``ansinh demo``): one held and closed, with decisions
and the follow-up tasks they gave; the draft after it with the postponed items."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ansinh.accounts.models import User
from ansinh.coordination.meetings.models import Meeting

pytestmark = pytest.mark.usefixtures("demo_commune")


def test_the_demo_has_a_closed_meeting_and_the_draft_it_carried_into(client):
    held, draft = Meeting.objects.order_by("held_on")
    assert (held.status, draft.status) == ("closed", "draft")
    decided = held.entries.filter(outcome="decided")
    assert decided.exclude(follow_up=None).count() >= 2
    postponed = set(held.entries.filter(outcome="postponed").values_list("item_id", flat=True))
    assert postponed
    assert set(draft.entries.values_list("item_id", flat=True)) == postponed
    assert all(e.carried_from_id for e in draft.entries.all())
    client.force_login(User.objects.get(username="canbo"))
    page = client.get(reverse("coordination:meeting", args=[held.pk])).content.decode()
    assert held.entries.first().decision in page
    pdf = client.get(reverse("coordination:meeting_pdf", args=[held.pk]))
    assert pdf.status_code == 200

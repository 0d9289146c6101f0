"""The demo commune's four weeks of coordination (``ansinh demo``): several ấp, every kind,
items followed to the end and some still open, made through the services (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ansinh.accounts.models import User
from ansinh.accounts.scopes import scope_for
from ansinh.coordination.figures import figures
from ansinh.coordination.models import Comment, Item, Mention
from ansinh.core.models import AuditEntry

pytestmark = pytest.mark.usefixtures("demo_commune")


def test_the_demo_board_tells_a_story():
    items = Item.objects.all()
    assert items.count() >= 14
    assert set(items.values_list("kind", flat=True)) == {
        "problem",
        "task",
        "question",
        "announcement",
    }
    villages = set(items.exclude(village=None).values_list("village__code", flat=True))
    assert len(villages) >= 6
    assert items.filter(status="closed").exists()
    assert items.filter(status="new").exists()
    assert items.filter(reopened__gt=0).exists()
    assert items.exclude(outcome="").filter(status__in=["done", "closed"]).count() >= 4
    reporters = set(items.values_list("reported_by__username", flat=True))
    assert {"truongap1", "truongap2", "canbo", "phochutich"} <= reporters
    assert Comment.objects.filter(kind="comment").count() >= 8
    assert Mention.objects.filter(user__username="canbo").exists()
    audited = AuditEntry.objects.filter(model_label="coordination.item", action="create")
    assert audited.count() == items.count()
    span = items.order_by("created_at")
    assert (span.last().created_at - span.first().created_at).days >= 20


def test_the_demo_figures_and_pages(client, demo_commune):
    officer = User.objects.get(username="canbo")
    result = figures(scope_for(officer), today=demo_commune.options["as_of"])
    assert result.total.raised >= 10
    assert result.total.open >= 4
    assert result.total.median_response_hours is not None
    client.force_login(User.objects.get(username="truongap1"))
    page = client.get(reverse("coordination:board")).content.decode()
    mine = Item.objects.filter(village__code="TD").first()
    assert mine.title in page
    other = Item.objects.filter(village__code="DH").first()
    assert other.title not in page


def test_the_demo_users_have_mobile_numbers_and_their_messages_are_in_the_outbox(demo_commune):
    from collections import Counter

    from ansinh.core.identifiers import is_mobile
    from ansinh.messaging.models import OutboxMessage

    users = {u.username: u for u in User.objects.filter(commune_id=25522)}
    demo = {"canbo", "phochutich", "truongap1", "truongap2", "kiemtra"}
    assert demo <= set(users)
    phones = {name: users[name].phone for name in demo}
    assert all(is_mobile(phone) for phone in phones.values()), phones
    assert len(set(phones.values())) == len(demo)  # one number each
    rows = list(OutboxMessage.objects.filter(topic="coordination", commune_code=25522))
    events = Counter(
        "digest" if r.key.startswith("coord:digest:") else r.key.split(":")[2] for r in rows
    )
    assert {"assigned", "mentioned", "answered", "announced", "digest"} <= set(events), events
    by_phone = {phone: name for name, phone in phones.items()}
    reached = {by_phone.get(r.to) for r in rows}
    assert reached == {"canbo", "phochutich", "truongap1", "truongap2"}  # never the auditor
    digest = next(r for r in rows if r.key.startswith("coord:digest:"))
    assert digest.to == phones["canbo"]
    assert digest.key.startswith(f"coord:digest:{demo_commune.options['as_of'].isoformat()}:")
    assert all(r.channel == "zalo" and r.sms_text for r in rows)  # SMS when Zalo fails
    assert f"{len(rows)} tin nhắn báo cho cán bộ, trưởng ấp" in demo_commune.output

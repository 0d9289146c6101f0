"""Outbox, attempts, inbound messages, the suppression list and per-provider pacing."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.messaging.choices import (
    AttemptKind,
    Channel,
    MessageState,
    Provider,
    SuppressionReason,
)


class OutboxMessage(models.Model):
    """One logical message (one reminder to one household at one stage), whatever the
    number of attempts. ``key`` is unique and is passed to the provider as its
    idempotency id (hashed to the provider's length: :func:`provider_ref`)."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    # provider_ref(key): the id providers see (SMSGate message id, eSMS RequestId, ZNS
    # tracking_id); webhooks find the message by it.
    ref = models.CharField(_("reference"), max_length=32, unique=True)
    to = models.CharField(_("recipient"), max_length=16, help_text=_("E.164 (+84…)"))
    channel = models.CharField(_("channel asked"), max_length=10, choices=Channel.choices)
    sent_via = models.CharField(
        _("sent via"), max_length=10, choices=Channel.choices, blank=True, default=""
    )
    provider = models.CharField(
        _("provider"), max_length=24, choices=Provider.choices, blank=True, default=""
    )
    sms_text = models.TextField(_("SMS text"))
    zalo_template = models.CharField(_("Zalo template"), max_length=64, blank=True, default="")
    zalo_data = models.JSONField(_("Zalo template data"), default=dict, blank=True)
    topic = models.CharField(_("topic"), max_length=64, blank=True, default="")
    commune_code = models.IntegerField(_("commune code"), null=True, blank=True)

    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Zalo failed (or is switched off): the next attempt goes by SMS.
    use_fallback = models.BooleanField(_("SMS fallback"), default=False)
    # The last attempt may have reached the provider (timeout, crash while sending): ask the
    # provider before sending again.
    check_status = models.BooleanField(_("ask the provider before resending"), default=False)
    provider_message_id = models.CharField(
        _("provider message id"), max_length=100, blank=True, default=""
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    encoding = models.CharField(_("encoding"), max_length=5, default="gsm7")
    parts = models.PositiveSmallIntegerField(_("SMS parts"), default=1)
    cost_estimate = models.BigIntegerField(_("estimated cost (đồng)"), default=0)

    queued_at = models.DateTimeField(_("queued at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-queued_at", "-id"]
        indexes = [
            # The dispatcher's claim: queued rows that are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="queued"),
                name="outbox_due_idx",
            ),
            # Expiry sweep.
            models.Index(
                fields=["expires_at"], condition=Q(state="queued"), name="outbox_expiry_idx"
            ),
            # Crash recovery: rows left in "sending".
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="outbox_sending_idx"
            ),
            models.Index(fields=["commune_code", "-queued_at"], name="outbox_commune_idx"),
            models.Index(
                fields=["commune_code", "state", "-queued_at"], name="outbox_commune_state_idx"
            ),
            models.Index(
                fields=["commune_code", "topic", "-queued_at"], name="outbox_commune_topic_idx"
            ),
            models.Index(fields=["provider", "provider_message_id"], name="outbox_provider_id_idx"),
            models.Index(fields=["to"], name="outbox_to_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MessageState.values), name="outbox_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="outbox_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(sent_via__in=[*Channel.values, ""]), name="outbox_sent_via_valid"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="outbox_key_not_empty"),
            models.CheckConstraint(condition=~Q(sms_text=""), name="outbox_sms_text_not_empty"),
            models.CheckConstraint(condition=Q(cost_estimate__gte=0), name="outbox_cost_positive"),
            models.CheckConstraint(condition=Q(parts__gte=1), name="outbox_parts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class MessageAttempt(models.Model):
    """Every call to a provider about a message: sends, status lookups, receipts."""

    message = models.ForeignKey(
        OutboxMessage, verbose_name=_("message"), on_delete=models.PROTECT, related_name="tries"
    )
    at = models.DateTimeField(_("time"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttemptKind.choices, default=AttemptKind.SEND
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    provider = models.CharField(_("provider"), max_length=24, choices=Provider.choices)
    request_summary = models.CharField(_("request"), max_length=300, blank=True, default="")
    response_code = models.CharField(_("response code"), max_length=40, blank=True, default="")
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True, default="")
    provider_message_id = models.CharField(
        _("provider message id"), max_length=100, blank=True, default=""
    )
    parts = models.PositiveSmallIntegerField(_("SMS parts"), default=0)
    cost = models.BigIntegerField(_("cost (đồng)"), default=0)
    ok = models.BooleanField(_("succeeded"), default=False)
    transient = models.BooleanField(_("temporary error"), default=False)

    class Meta:
        verbose_name = _("message attempt")
        verbose_name_plural = _("message attempts")
        ordering = ["-at", "-id"]
        indexes = [
            # Pacing: sends of one provider in the last minute/hour.
            models.Index(fields=["provider", "kind", "at"], name="attempt_pace_idx"),
            models.Index(fields=["message", "at"], name="attempt_message_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="attempt_cost_positive"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.provider} {self.kind} {'ok' if self.ok else 'error'} {self.at:%Y-%m-%d %H:%M}"
        )


class InboundMessage(models.Model):
    """An SMS received by the commune's gateway phone (or another provider)."""

    from_phone = models.CharField(_("from"), max_length=20)
    text = models.TextField(_("text"), blank=True, default="")
    provider = models.CharField(_("provider"), max_length=24, choices=Provider.choices)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    is_opt_out = models.BooleanField(_("refusal"), default=False)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["from_phone", "-received_at"], name="inbound_from_idx")]

    def __str__(self) -> str:
        return f"{self.from_phone} {self.received_at:%Y-%m-%d %H:%M}"


class Suppression(models.Model):
    """A phone number that must not receive messages (replied TU CHOI / HUY / STOP)."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    reason = models.CharField(
        _("reason"),
        max_length=10,
        choices=SuppressionReason.choices,
        default=SuppressionReason.OPT_OUT,
    )
    source = models.ForeignKey(
        InboundMessage,
        verbose_name=_("reply"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("refusal")
        verbose_name_plural = _("refusal list")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.phone


class ChannelPace(models.Model):
    """One row per provider: locked while the dispatcher computes how many messages it may
    still send (so that two dispatchers never overshoot a pace limit together), and paused
    after the provider answered "too many requests"."""

    provider = models.CharField(max_length=24, choices=Provider.choices, primary_key=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pace of a provider")
        verbose_name_plural = _("pace of providers")

    def __str__(self) -> str:
        return self.provider

"""Statuses and kinds of the messaging app (TextChoices, English labels translated)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The logical channel a message asks for, and (``sent_via``) the one actually used.

    ``outbox`` sends nothing: the message is written to the outbox only (development, demo,
    or a commune that prints its lists).
    """

    OUTBOX = "outbox", _("Outbox only (not sent)")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    UNKNOWN = "unknown", _("Unknown (ask the provider)")
    CANCELLED = "cancelled", _("Cancelled")


# States a message never leaves by itself (a delivery receipt may still turn SENT into
# DELIVERED or FAILED, so SENT is not final).
FINAL_STATES = frozenset(
    {MessageState.DELIVERED, MessageState.FAILED, MessageState.EXPIRED, MessageState.CANCELLED}
)


class Provider(models.TextChoices):
    """The service that carries a message: one adapter in ``ansinh.messaging.channels``."""

    OUTBOX = "outbox", _("Outbox only")
    ANDROID_SMS_GATEWAY = "android_sms_gateway", _("Phone as SMS gateway")
    ESMS = "esms", _("eSMS (brandname SMS)")
    ZALO_ZNS = "zalo_zns", _("Zalo ZNS")


class AttemptKind(models.TextChoices):
    SEND = "send", _("Send")
    STATUS = "status", _("Status lookup")
    RECEIPT = "receipt", _("Delivery receipt")


class SuppressionReason(models.TextChoices):
    OPT_OUT = "opt_out", _("Replied to refuse messages")
    MANUAL = "manual", _("Added by an officer")

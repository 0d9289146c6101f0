"""The outbox page for officers and auditors, and the providers' webhooks."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ansinh.core.identifiers import format_phone
from ansinh.core.web import datetime_param, page_of, post_action
from ansinh.messaging import selectors, services
from ansinh.messaging.channels.android_sms_gateway import verify_signature
from ansinh.messaging.channels.base import StatusKind
from ansinh.messaging.channels.esms import esms_status_kind
from ansinh.messaging.choices import Channel, MessageState, Provider
from ansinh.messaging.topics import topic_label

READERS = {"officer", "auditor"}


def _commune_of(request: HttpRequest) -> int:
    """The commune whose messages the user may read (officers and auditors only)."""
    user = request.user
    commune = getattr(user, "commune_id", None)
    if getattr(user, "role", "") not in READERS or commune is None:
        raise PermissionDenied(_("Only commune officers and auditors can see the outbox."))
    return int(commune)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    commune = _commune_of(request)
    state = request.GET.get("state", "")
    topic = request.GET.get("topic", "")
    page = page_of(request, selectors.outbox_for(commune, state=state, topic=topic))
    counts = selectors.state_counts(commune, topic=topic)
    return render(
        request,
        "messaging/outbox.html",
        {
            "page": page,
            "state": state,
            "topic": topic,
            "states": MessageState.choices,
            "topics": [(t, topic_label(t)) for t in selectors.topics(commune)],
            "counts": [
                (value, label, counts.get(value, 0)) for value, label in MessageState.choices
            ],
            "total": sum(counts.values()),
            "outbox_only": Channel.OUTBOX,
            "can_cancel": getattr(request.user, "role", "") == "officer",
        },
    )


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune_of(request)
    message = selectors.outbox_get(commune, pk)
    return render(
        request,
        "messaging/message_detail.html",
        {
            "message": message,
            "attempts": selectors.attempts_of(message),
            "phone": format_phone(message.to),
            "topic": topic_label(message.topic),
            "outbox_only": Channel.OUTBOX,
            "can_cancel": getattr(request.user, "role", "") == "officer"
            and message.state in (MessageState.QUEUED, MessageState.UNKNOWN),
        },
    )


@login_required
@require_POST
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune_of(request)
    message = selectors.outbox_get(commune, pk)
    if post_action(
        request,
        lambda: services.message_cancel(
            message=message,
            scope=getattr(request, "scope", None) or None,
            reason=request.POST.get("reason", ""),
        ),
    ):
        messages.success(request, _("The message was cancelled: it will not be sent."))
    return redirect("messaging:message_detail", pk=pk)


@login_required
def refusals(request: HttpRequest) -> HttpResponse:
    commune = _commune_of(request)
    page = page_of(request, selectors.suppressions_for(commune))
    return render(request, "messaging/refusals.html", {"page": page})


# --- webhooks ---------------------------------------------------------------------------


def _parse_time(value: Any) -> dt.datetime:
    parsed = datetime_param(value)  # 0001-01-01 or 9999-12-31 would overflow: "now" instead
    if parsed is None:
        return timezone.now()
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


_GATEWAY_EVENTS = {
    "sms:sent": (StatusKind.SENT, "sentAt"),
    "sms:delivered": (StatusKind.DELIVERED, "deliveredAt"),
    "sms:failed": (StatusKind.FAILED, "failedAt"),
}


@csrf_exempt
@require_POST
def sms_gateway_webhook(request: HttpRequest) -> HttpResponse:
    """SMS Gateway for Android: ``sms:sent | sms:delivered | sms:failed | sms:received``,
    signed with ``ANSINH_SMS_GATEWAY_WEBHOOK_SECRET`` (HMAC-SHA256 of body + X-Timestamp)."""
    secret = os.environ.get("ANSINH_SMS_GATEWAY_WEBHOOK_SECRET", "")
    if not verify_signature(
        secret,
        request.body,
        request.headers.get("X-Timestamp", ""),
        request.headers.get("X-Signature", ""),
    ):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        data = json.loads(request.body)
        event = data["event"]
        payload = data.get("payload") or {}
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "malformed"}, status=400)
    if event == "sms:received":
        services.inbound_record(
            from_phone=str(payload.get("phoneNumber") or payload.get("sender") or ""),
            text=str(payload.get("message") or ""),
            provider=Provider.ANDROID_SMS_GATEWAY,
            received_at=_parse_time(payload.get("receivedAt")),
        )
    elif event in _GATEWAY_EVENTS:
        kind, stamp = _GATEWAY_EVENTS[event]
        services.receipt_record(
            provider=Provider.ANDROID_SMS_GATEWAY,
            event=kind,
            at=_parse_time(payload.get(stamp)),
            ref=str(payload.get("messageId") or ""),
            detail=str(payload.get("reason") or ""),
            raw=payload,
        )
    return JsonResponse({"ok": True})


@csrf_exempt
@require_GET
def esms_callback(request: HttpRequest) -> HttpResponse:
    """eSMS calls ``CallbackUrl`` with GET and the message's status in the query string.
    eSMS does not sign callbacks: the URL carries ``token=ANSINH_ESMS_CALLBACK_TOKEN``."""
    expected = os.environ.get("ANSINH_ESMS_CALLBACK_TOKEN", "")
    given = request.GET.get("token", "")
    if not expected or not hmac.compare_digest(expected, given):
        return JsonResponse({"error": "invalid token"}, status=401)
    query: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "token"}
    services.receipt_record(
        provider=Provider.ESMS,
        event=esms_status_kind(query),
        ref=query.get("RequestId", ""),
        provider_message_id=query.get("SMSID", ""),
        raw=query,
    )
    return JsonResponse({"ok": True})

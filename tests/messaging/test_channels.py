"""Each adapter against a local fake of its provider's HTTP API."""

from __future__ import annotations

import pytest

from ansinh.messaging.channels.android_sms_gateway import AndroidSmsGatewayAdapter
from ansinh.messaging.channels.base import StatusKind
from ansinh.messaging.channels.esms import EsmsAdapter
from ansinh.messaging.channels.zalo_zns import ZaloZnsAdapter
from ansinh.messaging.choices import Channel, MessageState, Provider
from ansinh.messaging.config import ChannelConfig
from ansinh.messaging.dispatch import dispatch
from tests.messaging.conftest import at, config, enqueue
from tests.messaging.fakes import LostResponseTransport

pytestmark = pytest.mark.django_db


# --- SMS Gateway for Android --------------------------------------------------------------


def gateway(fake, **kw):
    return AndroidSmsGatewayAdapter(url=fake.url, user="sms", password="secret-pw", **kw)


def test_gateway_send_uses_the_real_request_shape(sms_gate):
    message = enqueue(expires_at=at(20))
    adapter = gateway(sms_gate, sim_number=2, cost_per_part=350)
    result = adapter.send(message)
    assert result.ok
    assert result.provider_message_id == message.ref
    assert result.cost == 350
    assert result.response_code == "Pending"
    assert "+84••••••678" in result.request_summary
    request = sms_gate.requests[0]
    assert request["path"] == "/messages"
    assert request["headers"]["authorization"].startswith("Basic ")
    body = request["body"]
    assert body["id"] == message.ref
    assert body["phoneNumbers"] == ["+84912345678"]
    assert body["textMessage"] == {"text": message.sms_text}
    assert body["simNumber"] == 2
    assert body["withDeliveryReport"] is True
    assert body["validUntil"].startswith(at(20).date().isoformat())
    adapter.close()


def test_gateway_status_and_duplicate_id(sms_gate):
    message = enqueue()
    adapter = gateway(sms_gate)
    assert adapter.status(message).kind == StatusKind.NOT_FOUND
    assert adapter.send(message).ok
    assert adapter.status(message).kind == StatusKind.PENDING
    sms_gate.set_state(message.ref, "Delivered")
    assert adapter.status(message).kind == StatusKind.DELIVERED
    sms_gate.set_state(message.ref, "Failed")
    assert adapter.status(message).kind == StatusKind.FAILED
    again = adapter.send(message)  # the phone answers 409: it already has this id
    assert again.ok
    assert again.response_code == "HTTP 409"
    assert len(sms_gate.messages) == 1
    adapter.close()


@pytest.mark.parametrize(
    ("status", "transient", "ambiguous", "throttled"),
    [
        (500, True, True, False),
        (503, True, True, False),
        (429, True, False, True),
        (400, False, False, False),
        (401, False, False, False),
    ],
)
def test_gateway_errors(sms_gate, status, transient, ambiguous, throttled):
    sms_gate.fail_next(status, {"message": "error"})
    result = gateway(sms_gate).send(enqueue())
    assert not result.ok
    assert (result.transient, result.ambiguous, result.throttled) == (
        transient,
        ambiguous,
        throttled,
    )


def test_gateway_wrong_password_is_final(sms_gate):
    adapter = AndroidSmsGatewayAdapter(url=sms_gate.url, user="sms", password="wrong")
    result = adapter.send(enqueue())
    assert not result.ok
    assert not result.transient
    assert result.response_code == "HTTP 401"


def test_gateway_unreachable_phone_is_transient_and_not_ambiguous():
    adapter = AndroidSmsGatewayAdapter(url="http://127.0.0.1:9", password="x", timeout=2)
    result = adapter.send(enqueue())
    assert result.transient
    assert not result.ambiguous


def test_gateway_through_the_dispatcher(sms_gate):
    message = enqueue()
    report = dispatch(now=at(9), channel_config=config(sms=gateway(sms_gate, cost_per_part=350)))
    assert report.sent == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.provider == Provider.ANDROID_SMS_GATEWAY
    assert message.sent_via == Channel.SMS
    assert message.cost_estimate == 350


def test_cloud_mode_from_environment(monkeypatch):
    monkeypatch.setenv("ANSINH_SMS_CHANNEL", "android_sms_gateway")
    monkeypatch.setenv("ANSINH_SMS_GATEWAY_MODE", "cloud")
    monkeypatch.setenv("ANSINH_SMS_GATEWAY_USER", "u")
    monkeypatch.setenv("ANSINH_SMS_GATEWAY_PASSWORD", "p")
    monkeypatch.setenv("ANSINH_SMS_GATEWAY_PER_HOUR", "30")
    cfg = ChannelConfig.from_env()
    assert isinstance(cfg.sms, AndroidSmsGatewayAdapter)
    assert cfg.sms.url == "https://api.sms-gate.app/3rdparty/v1"
    assert cfg.sms.pace_limits() == [(60, 4), (3600, 30)]
    cfg.close()


# --- eSMS ---------------------------------------------------------------------------------


def esms_adapter(fake, **kw):
    kw.setdefault("brandname", "UBNDXA")
    return EsmsAdapter(
        api_key="KEY", secret_key="SECRET", url=fake.url + fake.PREFIX, cost_per_part=850, **kw
    )


def test_esms_send_and_status(esms):
    message = enqueue(text="Nhac gia han BHYT ho ong AN")
    adapter = esms_adapter(esms, callback_url="https://ansinh.example/messaging/webhooks/esms/")
    result = adapter.send(message)
    assert result.ok
    assert result.provider_message_id
    assert result.cost == 850
    body = esms.requests[0]["body"]
    assert body["Phone"] == "0912345678"
    assert body["SmsType"] == "2"
    assert body["IsUnicode"] == 0
    assert body["RequestId"] == message.ref
    assert body["Brandname"] == "UBNDXA"
    assert body["Sandbox"] == 0
    assert body["campaignid"] == "bhyt-reminder"
    assert "SECRET" not in result.request_summary
    message.provider_message_id = result.provider_message_id
    assert adapter.status(message).kind == StatusKind.DELIVERED


def test_esms_repeated_request_id_is_not_a_second_sms(esms):
    message = enqueue(text="Nhac gia han BHYT")
    adapter = esms_adapter(esms, transport=LostResponseTransport())
    lost = adapter.send(message)
    assert lost.ambiguous
    assert len(esms.sent) == 1
    assert adapter.status(message).kind == StatusKind.RESEND_SAFE
    again = adapter.send(message)
    assert again.ok
    assert again.response_code == "124"
    assert len(esms.sent) == 1


@pytest.mark.parametrize(
    ("kw", "text", "code"),
    [({"brandname": "OTHER"}, "Nhac", "104"), ({}, "Quang cao", "146")],
)
def test_esms_final_codes(esms, kw, text, code):
    result = esms_adapter(esms, **kw).send(enqueue(text=text))
    assert not result.ok
    assert not result.transient
    assert result.response_code == code


def test_esms_wrong_keys_and_low_balance_are_final(esms):
    wrong = EsmsAdapter(
        api_key="KEY", secret_key="nope", brandname="UBNDXA", url=esms.url + esms.PREFIX
    ).send(enqueue(text="Nhac"))
    assert wrong.response_code == "101"
    assert not wrong.transient
    esms.balance = 0
    poor = esms_adapter(esms).send(enqueue(key="k2", text="Nhac"))
    assert poor.response_code == "103"
    assert poor.error == "Balance not enough"


def test_esms_429_and_5xx_are_transient(esms):
    esms.fail_next(429, b"Too Many Requests", headers={"Retry-After": "30"})
    esms.fail_next(502, b"Bad Gateway")
    adapter = esms_adapter(esms)
    throttled = adapter.send(enqueue(text="Nhac"))
    assert throttled.throttled
    assert throttled.retry_after == 30
    bad = adapter.send(enqueue(key="k2", text="Nhac"))
    assert bad.transient
    assert bad.ambiguous


def test_esms_sandbox_costs_nothing(esms):
    result = esms_adapter(esms, sandbox=True).send(enqueue(text="Nhac"))
    assert result.ok
    assert result.cost == 0
    assert esms.requests[0]["body"]["Sandbox"] == 1
    assert esms.balance == 100_000


# --- Zalo ZNS -----------------------------------------------------------------------------


def zns_adapter(fake, **kw):
    kw.setdefault("access_token", "zalo-token")
    return ZaloZnsAdapter(url=fake.url, templates={"d30": "412345"}, cost=300, **kw)


def test_zns_template_send_and_status(zns):
    message = enqueue(
        channel=Channel.ZALO, zalo_template="D30", zalo_data={"ten": "Nguyễn Văn An", "so_nguoi": 4}
    )
    adapter = zns_adapter(zns)
    result = adapter.send(message)
    assert result.ok
    assert result.cost == 300
    request = zns.requests[0]
    assert request["headers"]["access_token"] == "zalo-token"
    assert request["body"] == {
        "phone": "84912345678",
        "template_id": "412345",
        "template_data": {"ten": "Nguyễn Văn An", "so_nguoi": "4"},
        "tracking_id": message.ref,
    }
    message.provider_message_id = result.provider_message_id
    assert adapter.status(message).kind == StatusKind.DELIVERED


def test_zns_errors(zns):
    no_zalo = enqueue(to="0987654321", channel=Channel.ZALO, zalo_template="d30")
    result = zns_adapter(zns).send(no_zalo)
    assert not result.ok
    assert result.response_code == "-118"
    bad_token = zns_adapter(zns, access_token="expired").send(no_zalo)
    assert bad_token.response_code == "-124"
    assert "access token" in bad_token.error
    unknown = zns_adapter(zns).send(enqueue(key="k2", channel=Channel.ZALO, zalo_template="x"))
    assert not unknown.ok
    assert unknown.response_code == "no-template"
    assert len(zns.requests) == 2


def test_zns_failure_falls_back_to_the_phone_gateway(zns, sms_gate):
    works = enqueue(key="works", channel=Channel.ZALO, zalo_template="d30")
    no_zalo = enqueue(key="no-zalo", to="0987654321", channel=Channel.ZALO, zalo_template="d30")
    cfg = config(zalo=zns_adapter(zns), sms=gateway(sms_gate))
    report = dispatch(now=at(9), channel_config=cfg)
    assert report.sent == 2
    assert report.fallbacks == 1
    works.refresh_from_db()
    no_zalo.refresh_from_db()
    assert works.sent_via == Channel.ZALO
    assert no_zalo.sent_via == Channel.SMS
    assert [m["phoneNumbers"] for m in sms_gate.messages.values()] == [["+84987654321"]]
    assert no_zalo.tries.order_by("id").first().response_code == "-118"


def test_every_provider_is_one_adapter_configured_by_its_own_from_env():
    """A vendor is one module with a ``from_env``: the configuration names each provider's
    adapter once, and each refuses a missing key by naming it."""
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import import_string

    from ansinh.messaging.channels.base import Common
    from ansinh.messaging.choices import Provider
    from ansinh.messaging.config import SMS_ADAPTERS, ZALO_ADAPTER

    adapters = {**SMS_ADAPTERS, Provider.ZALO_ZNS: ZALO_ADAPTER}
    assert set(adapters) == set(Provider.values)
    for provider, path in adapters.items():
        adapter = import_string(path)
        assert adapter.provider == provider
        if provider == Provider.OUTBOX:
            assert isinstance(adapter.from_env({}, Common()), adapter)
            continue
        with pytest.raises(ImproperlyConfigured, match="needs ANSINH_"):
            adapter.from_env({}, Common())
    with pytest.raises(ImproperlyConfigured, match="use outbox, android_sms_gateway, esms"):
        ChannelConfig.from_env({"ANSINH_SMS_CHANNEL": "viettel"})
    esms = ChannelConfig.from_env(
        {
            "ANSINH_SMS_CHANNEL": "esms",
            "ANSINH_ESMS_API_KEY": "k",
            "ANSINH_ESMS_SECRET_KEY": "s",
            "ANSINH_ESMS_PER_MINUTE": "30",
            "ANSINH_SMS_COST_PER_PART": "400",
        }
    ).sms
    assert esms.pace_limits() == [(60, 30)]
    assert esms.cost_per_part == 400

"""Local fakes of the providers' HTTP APIs: small HTTP servers on 127.0.0.1 (random port)
in a thread, speaking the real request and response shapes and error codes. Nothing here
reaches the internet."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx


@dataclass
class Canned:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer:
    """Base: records every request; ``fail_next`` makes the next request(s) answer a canned
    response (after the request was recorded)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.canned: list[Canned] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                request = {
                    "method": self.command,
                    "path": url.path,
                    "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": json.loads(raw) if raw else None,
                }
                with fake.lock:
                    fake.requests.append(request)
                    canned = fake.canned.pop(0) if fake.canned else None
                    answer = canned or fake.answer(request)
                payload = (
                    answer.body
                    if isinstance(answer.body, bytes)
                    else json.dumps(answer.body).encode()
                )
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _handle  # noqa: N815 - http.server calls these names

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        for _ in range(times):
            self.canned.append(Canned(status, body if body is not None else {}, headers or {}))

    def answer(self, request: dict[str, Any]) -> Canned:
        raise NotImplementedError

    def sends(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeSmsGate(FakeServer):
    """SMS Gateway for Android, local mode (``http://phone:8080``): Basic auth,
    ``POST /messages`` (202, state Pending; 409 when the id exists), ``GET /messages/{id}``."""

    def __init__(self, user: str = "sms", password: str = "secret-pw") -> None:
        super().__init__()
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.messages: dict[str, dict[str, Any]] = {}

    def _state(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": message["id"],
            "deviceId": "ffffffffceb0b1db0000018e937c815b",
            "state": message["state"],
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [
                {"phoneNumber": p, "state": message["state"]} for p in message["phoneNumbers"]
            ],
            "states": {},
        }

    def set_state(self, message_id: str, state: str) -> None:
        self.messages[message_id]["state"] = state

    def answer(self, request: dict[str, Any]) -> Canned:
        if request["headers"].get("authorization") != self.auth:
            return Canned(401, {"message": "Unauthorized"})
        path = request["path"]
        if request["method"] == "POST" and path == "/messages":
            body = request["body"] or {}
            text = (body.get("textMessage") or {}).get("text")
            phones = body.get("phoneNumbers") or []
            if not text or not phones or not all(str(p).startswith("+") for p in phones):
                return Canned(400, {"message": "invalid request: phoneNumbers must be E.164"})
            message_id = body.get("id") or uuid.uuid4().hex[:21]
            if message_id in self.messages:
                return Canned(409, {"message": "message with such id already exists"})
            self.messages[message_id] = {
                "id": message_id,
                "phoneNumbers": phones,
                "text": text,
                "state": "Pending",
                "body": body,
            }
            return Canned(202, self._state(self.messages[message_id]))
        if request["method"] == "GET" and path.startswith("/messages/"):
            message = self.messages.get(path.rsplit("/", 1)[1])
            if message is None:
                return Canned(404, {"message": "message not found"})
            return Canned(200, self._state(message))
        return Canned(404, {"message": "not found"})


class FakeEsms(FakeServer):
    """eSMS REST (``/MainService.svc/json``): CodeResult 100 with SMSID; 101 wrong keys, 103
    balance, 104 brandname, 124 repeated RequestId, 146 content not matching a template;
    ``GetSendStatus`` by SMSID."""

    PREFIX = "/MainService.svc/json"

    def __init__(
        self,
        api_key: str = "KEY",
        secret: str = "SECRET",
        brandname: str = "UBNDXA",
        templates: tuple[str, ...] = ("Nhac",),
        balance: int = 100_000,
    ) -> None:
        super().__init__()
        self.api_key, self.secret, self.brandname = api_key, secret, brandname
        self.templates = templates
        self.balance = balance
        self.by_request_id: dict[str, str] = {}
        self.sent: dict[str, dict[str, Any]] = {}

    def answer(self, request: dict[str, Any]) -> Canned:
        path = request["path"]
        if (
            request["method"] == "POST"
            and path == f"{self.PREFIX}/SendMultipleMessage_V4_post_json/"
        ):
            body = request["body"] or {}
            if body.get("ApiKey") != self.api_key or body.get("SecretKey") != self.secret:
                return Canned(200, {"CodeResult": "101", "ErrorMessage": "Authorize Failed"})
            if body.get("Brandname") != self.brandname:
                return Canned(200, {"CodeResult": "104", "ErrorMessage": "Brandname not exist"})
            if not str(body.get("Content", "")).startswith(self.templates):
                return Canned(200, {"CodeResult": "146", "ErrorMessage": "Template not match"})
            if self.balance < 850:
                return Canned(200, {"CodeResult": "103", "ErrorMessage": "Balance not enough"})
            request_id = body.get("RequestId", "")
            if request_id and request_id in self.by_request_id:
                return Canned(200, {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"})
            sms_id = str(uuid.uuid4()) + "30"
            if body.get("Sandbox") != 1:
                self.balance -= 850
            self.sent[sms_id] = body
            if request_id:
                self.by_request_id[request_id] = sms_id
            return Canned(200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id})
        if request["method"] == "GET" and path == f"{self.PREFIX}/GetSendStatus":
            q = request["query"]
            if q.get("ApiKey") != self.api_key:
                return Canned(200, {"CodeResponse": "101"})
            if q.get("RefId") not in self.sent:
                return Canned(200, {"CodeResponse": "105"})
            return Canned(
                200,
                {
                    "CodeResponse": "100",
                    "SMSID": q["RefId"],
                    "SendFailed": 0,
                    "SendStatus": 5,
                    "SendSuccess": 1,
                    "TotalPrice": 850.0,
                    "TotalReceiver": 1,
                    "TotalSent": 1,
                },
            )
        return Canned(404, b"Endpoint not found.")


class FakeZns(FakeServer):
    """Zalo ZNS: ``POST /message/template`` with header ``access_token``; HTTP 200 with
    ``error`` 0 or a negative code (-124 token, -109 template, -108 phone, -118 no Zalo
    account); ``GET /message/status``."""

    def __init__(
        self,
        token: str = "zalo-token",
        templates: tuple[str, ...] = ("412345",),
        no_zalo: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.token, self.templates, self.no_zalo = token, templates, set(no_zalo)
        self.sent: dict[str, dict[str, Any]] = {}

    def answer(self, request: dict[str, Any]) -> Canned:
        if request["headers"].get("access_token") != self.token:
            return Canned(200, {"error": -124, "message": "Access token is invalid"})
        if request["method"] == "POST" and request["path"] == "/message/template":
            body = request["body"] or {}
            phone = str(body.get("phone", ""))
            if not phone.startswith("84") or not phone.isdigit():
                return Canned(200, {"error": -108, "message": "Phone number is invalid"})
            if body.get("template_id") not in self.templates:
                return Canned(200, {"error": -109, "message": "Template ID is invalid"})
            if phone in self.no_zalo:
                return Canned(200, {"error": -118, "message": "Zalo account is not existed"})
            msg_id = uuid.uuid4().hex
            self.sent[msg_id] = body
            return Canned(
                200,
                {
                    "error": 0,
                    "message": "Success",
                    "data": {
                        "msg_id": msg_id,
                        "sent_time": "1732780000000",
                        "quota": {"dailyQuota": "500", "remainingQuota": "499"},
                    },
                },
            )
        if request["method"] == "GET" and request["path"] == "/message/status":
            if request["query"].get("message_id") not in self.sent:
                return Canned(200, {"error": -107, "message": "Message ID is invalid"})
            return Canned(
                200,
                {
                    "error": 0,
                    "message": "Success",
                    "data": {"status": 1, "delivery_time": "1732780005000"},
                },
            )
        return Canned(404, {"error": -1, "message": "not found"})


class LostResponseTransport(httpx.HTTPTransport):
    """The request reaches the server, the answer never comes back: a read timeout after
    the provider stored the message (the case that must not lead to a second SMS)."""

    def __init__(self, lose: int = 1) -> None:
        super().__init__()
        self.lose = lose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if self.lose > 0:
            self.lose -= 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return response


@contextmanager
def running(fake: FakeServer) -> Iterator[FakeServer]:
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()

"""The outbox-only channel: sends nothing.

Default in development and in the demo. A message dispatched through it ends in state
``sent`` with ``sent_via = "outbox"`` and ``provider = "outbox"``: the outbox page shows it as
"Outbox only (not sent)" with the exact text that a real channel would send, at the time the
dispatcher would have sent it (quiet hours, pacing and expiry apply as for a real channel).
It never becomes ``delivered``: nobody received it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Self

from ansinh.messaging.channels.base import (
    ChannelAdapter,
    Common,
    SendResult,
    StatusKind,
    StatusResult,
)
from ansinh.messaging.choices import Channel, Provider

if TYPE_CHECKING:
    from ansinh.messaging.models import OutboxMessage


class OutboxAdapter(ChannelAdapter):
    provider = Provider.OUTBOX
    channel = Channel.OUTBOX
    # The dispatcher writes a whole batch of outbox results with one UPDATE.
    uniform_results = True

    @classmethod
    def from_env(cls, env: Mapping[str, str], common: Common) -> Self:
        return cls()

    def send(self, message: OutboxMessage) -> SendResult:
        return SendResult(
            ok=True,
            request_summary="outbox only: nothing sent",
            response_code="outbox",
            parts=message.parts,
        )

    def status(self, message: OutboxMessage) -> StatusResult:
        # Nothing ever left: sending again (to the outbox) is harmless.
        return StatusResult(kind=StatusKind.NOT_FOUND)

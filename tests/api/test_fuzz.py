"""Fuzzing the API with schemathesis: whatever a client sends, the answer is never a 5xx.

The app's own OpenAPI schema (``/api/openapi.json``) drives the generation: for every operation
valid inputs (positive: within the schema, e.g. ``limit`` up to its bound, ids up to 2⁶³−1)
and invalid ones (negative: wrong types, too long texts, out-of-range numbers), as the commune
officer and as a village head. Bounded and derandomized (the same requests every run): 25
examples per operation and user (13 valid, 12 invalid). Every 5xx is collected and reported
at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, not through Django's test client: at the end
    of each request Django would close the database connection, which on PostgreSQL ends the
    test's transaction (SQLite's in-memory database ignores it). Do what the test client
    does: no closing while the test runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


#: Examples per operation and user: 13 valid + 12 invalid = 25 (the suite's time budget).
EXAMPLES = {GenerationMode.POSITIVE: 13, GenerationMode.NEGATIVE: 12}


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _bound(check: Callable[..., None], who: str, token: str) -> Callable[[Any], None]:
    def run(case: Any) -> None:
        check(case, who, token)

    return run


def _fuzz(schema: Any, tokens: dict[str, str]) -> tuple[Counter[str], list[str]]:
    """Run every operation × mode × user; returns (request counts, 5xx descriptions)."""
    counts: Counter[str] = Counter()
    errors: list[str] = []

    def check(case: Any, who: str, token: str) -> None:
        savepoint = transaction.savepoint()
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        counts["requests"] += 1
        counts[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)  # PostgreSQL: the test goes on
            errors.append(
                f"{response.status_code} {case.method} {case.formatted_path} as {who}: "
                f"path={case.path_parameters} query={case.query} body={str(case.body)[:200]}"
            )
        else:
            transaction.savepoint_commit(savepoint)

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            for who, token in tokens.items():
                strategy = operation.as_strategy(generation_mode=mode)
                _settings(examples)(given(case=strategy)(_bound(check, who, token)))()
    return counts, errors


def test_the_api_never_answers_5xx(officer, head_td, hh_td, hh_dh, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    tokens = {"officer": f.api_token(officer), "village head": f.api_token(head_td)}
    counts, errors = _fuzz(schema, tokens)
    with capsys.disabled():
        print(f"\nschemathesis: {dict(counts)}; 5xx: {len(errors)}")
    assert counts["requests"] >= 12 * 2 * 10  # every operation was exercised
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors[:30])

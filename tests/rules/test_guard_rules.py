"""The payroll guard's rule table (``ansinh.rules.guard``): its shape, each rule on the case it
is about and on a clean one, dated validity, and messages rendered from keys and parameters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
import sys
from typing import Any

import polars as pl
import pytest

from ansinh.rules import guard
from ansinh.rules.guard import ARREARS_SCHEMA, CASES_SCHEMA, FINDINGS_SCHEMA, RULES

D = dt.date
NOV = D(2026, 11, 1)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ACTIONS = {"confirmed", "stopped", "recomputed", "cash", "held", "not_owed"}


def _case(**over: Any) -> dict[str, Any]:
    """A clean case: living, 36 years old, severe disability, 750,000 đ by bank, no finding."""
    row: dict[str, Any] = {
        "id": 1,
        "person_id": 1,
        "household_id": 1,
        "scheme": "social_assistance",
        "groups": "disability_severe",
        "children": 0,
        "pension": 0,
        "amount": 750_000,
        "household_status": "other",
        "payment_method": "bank",
        "bank": "agribank",
        "bank_account_number": "570000000001",
        "date_of_birth": D(1990, 4, 10),
        "life_status": "living",
        "status_date": None,
        "status": "active",
        "household_now": "other",
        "failed_month": None,
        "failed_account": None,
        "failed_reason": None,
    }
    return row | over


def _cases(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CASES_SCHEMA)


def _run(*rows: dict[str, Any], month: dt.date = NOV, arrears: pl.DataFrame | None = None):
    frames = {"cases": _cases(*rows)}
    if arrears is not None:
        frames["ended_arrears"] = arrears
    found = guard.findings(frames, month)
    return [r | {"params": json.loads(r["params"])} for r in found.iter_rows(named=True)]


def _only(found: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in found if f["rule"] == rule]


def _text(f: dict[str, Any], lang: str = "vi") -> str:
    text = guard.render(f["rule"], f["message"], f["params"], lang=lang)
    assert text is not None
    return text


# --- the table ------------------------------------------------------------------------------


def test_the_table_is_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert set(guard.LABELS) == set(codes) | {r.code for r in guard.EVENT_RULES}
    for r in RULES:
        assert r.label, r.code
        assert r.messages, r.code
        assert len(r.code) <= 20  # GuardItem.rule
        assert r.frame in {"cases", "ended_arrears"}
        assert r.choose is not None or len(r.messages) == 1, r.code
        used: set[str] = set()
        for key, msgid in r.messages.items():
            assert len(key) <= 40  # GuardItem.message_key
            names = set(PLACEHOLDER.findall(msgid))
            assert names <= set(r.params), (r.code, key, names - set(r.params))
            assert "%" not in PLACEHOLDER.sub("", msgid), (r.code, key)
            used |= names
        assert used == set(r.params), (r.code, set(r.params) - used)
        assert r.actions is None or set(r.actions) <= ACTIONS, r.code
        if r.valid_from and r.valid_to:
            assert r.valid_from < r.valid_to
    for e in guard.EVENT_RULES:
        assert e.actions is None or set(e.actions) <= ACTIONS
        assert e.event_messages, e.code
    for c in guard.CHECKS.values():
        assert c.demo_action in ACTIONS, c.code
        assert c.actions is None or c.demo_action in c.actions, c.code
        for key, msgid in c.event_messages.items():
            assert len(key) <= 40  # GuardItem.message_key
            assert set(PLACEHOLDER.findall(msgid)) <= set(guard.EVENT_PARAMS), (c.code, key)
            assert "%" not in PLACEHOLDER.sub("", msgid), (c.code, key)


def test_every_event_says_what_it_holds_and_what_to_recover() -> None:
    """``assistance.holds`` writes ``<event>`` on a held line, ``<event>_held`` (and
    ``_held_owed`` for a month still owed) on the item, ``<event>_recover`` on a line
    already in a payment file."""
    person = guard.check("person_gone").event_messages
    ended = guard.check("case_ended").event_messages
    checks = [(person, ("died", "moved"), True), (ended, ("stopped", "transferred"), False)]
    for messages, events, owed in checks:
        for event in events:
            parts = ["", "_held", "_recover", *(["_held_owed"] if owed else [])]
            assert {event + p for p in parts} <= set(messages), event
    # a key names one message of a rule: a finding's or an event's, never both
    with pytest.raises(ValueError, match="both a guard and an event message"):
        dataclasses.replace(guard.rule("person_gone"), event_messages={"died_before": "x"})


def test_columns_read_by_the_rules_are_in_the_schemas() -> None:
    derived = {"kept_id", "kept_amount", "expected_amount", "expected_scheme", "coefficient"}
    derived |= {"total", "months", "_month"}
    for r in RULES:
        schema = CASES_SCHEMA if r.frame == "cases" else ARREARS_SCHEMA
        exprs = [r.scope, r.when, r.choose, *(p.expr for p in r.params.values())]
        for expr in exprs:
            if expr is None:
                continue
            for name in expr.meta.root_names():
                assert name in schema or name in derived, (r.code, name)


def test_some_rules_have_a_legal_reference() -> None:
    refs = {r.code: r.reference for r in RULES if r.reference is not None}
    assert set(refs) >= {"person_gone", "two_cases", "amount_changed"}
    assert refs["two_cases"].text("vi") == "Nghị định 20/2021/NĐ-CP, Điều 6.2"
    # an article the policy note does not give is not invented
    assert refs["person_gone"].article is None


def test_a_clean_case_gives_nothing() -> None:
    assert _run(_case()) == []
    assert guard.findings({}, NOV).schema == pl.Schema(FINDINGS_SCHEMA)


def test_the_module_imports_no_django() -> None:
    code = (
        "import sys, ansinh.rules.guard; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --- each rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("life", "day", "key", "text"),
    [
        ("deceased", D(2026, 10, 12), "died_before", "đã chết ngày 12/10/2026"),
        ("deceased", D(2026, 11, 3), "died_this_month", "đã chết ngày 03/11/2026"),
        ("moved_away", D(2026, 11, 3), "moved_this_month", "dừng trợ cấp từ tháng sau"),
        ("moved_away", D(2026, 9, 30), "moved_before", "chuyển đi ngày 30/09/2026"),
    ],
)
def test_person_gone(life: str, day: dt.date, key: str, text: str) -> None:
    [f] = _run(_case(life_status=life, status_date=day))
    assert (f["rule"], f["message"], f["blocking"]) == ("person_gone", key, True)
    assert f["params"] == {"date": day.isoformat()}
    assert text in _vi(f)


def _vi(f: dict[str, Any]) -> str:
    """The sentence with the Vietnamese of the old messages (the catalogue's translation)."""
    vi = {
        "died_before": "Người hưởng đã chết ngày %(date)s: không chi trả, dừng trợ cấp.",
        "died_this_month": "Người hưởng đã chết ngày %(date)s: chi trả tháng này, dừng trợ "
        "cấp từ tháng sau.",
        "moved_before": "Người hưởng đã chuyển đi ngày %(date)s: không chi trả, dừng trợ cấp.",
        "moved_this_month": "Người hưởng đã chuyển đi ngày %(date)s: chi trả tháng này, dừng "
        "trợ cấp từ tháng sau.",
    }
    msgids = guard.rule(f["rule"]).messages
    catalogue = {msgids[k]: v for k, v in vi.items() if k in msgids}
    text = guard.render(f["rule"], f["message"], f["params"], lambda s: catalogue.get(s, s))
    assert text is not None
    return text


def test_an_ended_case_of_a_dead_person_is_not_flagged_again() -> None:
    assert _run(_case(life_status="deceased", status_date=D(2026, 10, 1), status="stopped")) == []


def test_two_cases_keep_the_higher_then_the_decree_20_allowance() -> None:
    found = _run(
        _case(id=1, person_id=7, amount=500_000, scheme="social_pension", groups=""),
        _case(id=2, person_id=7, amount=750_000),
        _case(id=3, person_id=8, amount=500_000, scheme="social_pension", groups=""),
        _case(id=4, person_id=8, amount=500_000, groups="elderly_80_no_pension"),
        _case(id=5, person_id=9),
    )
    two = _only(found, "two_cases")
    assert [f["case_id"] for f in two] == [1, 3]  # the lower; on a tie the pension
    assert two[0]["params"] == {"count": 2, "kept": 750_000, "amount": 500_000}
    assert "only the highest amount is paid (750.000 đ)" in _text(two[0])


def test_amount_changed_when_a_child_turns_four() -> None:
    child = _case(
        groups="child_no_support",
        date_of_birth=D(2022, 11, 10),
        amount=1_250_000,
    )
    assert _only(_run(child, month=NOV), "amount_changed") == []  # 3 years old in November
    [f] = _only(_run(child, month=D(2026, 12, 1)), "amount_changed")
    assert f["message"] == "amount_coefficient"
    assert f["params"] == {
        "month": "2026-12-01",
        "new": 750_000,
        "coefficient": "1.5",
        "amount": 1_250_000,
    }
    assert "is 750.000 đ (coefficient 1,5), not the 1.250.000 đ" in _text(f)
    assert "is 750,000 VND (coefficient 1.5), not the 1,250,000 VND" in _text(f, "en")


def test_amount_changed_to_nothing_under_another_scheme() -> None:
    # no group any more: nothing is owed under the Decree 20 scheme
    [f] = _only(_run(_case(groups="")), "amount_changed")
    assert f["message"] == "amount"
    assert f["params"]["new"] == 0


def test_amount_changed_is_not_checked_for_a_dead_person() -> None:
    found = _run(_case(groups="", life_status="deceased", status_date=D(2026, 10, 1)))
    assert [f["rule"] for f in found] == ["person_gone"]


def test_household_status_changed() -> None:
    [f] = _only(_run(_case(household_status="poor", household_now="other")), "household_status")
    assert f["params"] == {"before": "poor", "now": "other"}
    labels = {"poor household": "hộ nghèo"}
    text = guard.render(f["rule"], f["message"], f["params"], lambda s: labels.get(s, s))
    assert "from hộ nghèo to neither poor nor near-poor" in (text or "")
    # no status recorded at the decision: nothing to compare
    assert _only(_run(_case(household_status="", household_now="poor")), "household_status") == []


@pytest.mark.parametrize(
    ("bank", "number", "fires"),
    [
        ("agribank", "570000000001", False),
        ("", "570000000001", True),
        ("agribank", "", True),
        ("agribank", "12-34", True),
        ("agribank", "12345", True),
        ("agribank", "1" * 19, False),
        ("agribank", "1" * 20, True),
    ],
)
def test_bank_account(bank: str, number: str, fires: bool) -> None:
    found = _only(_run(_case(bank=bank, bank_account_number=number)), "bank_account")
    assert bool(found) == fires
    cash = _case(payment_method="cash", bank="", bank_account_number="")
    assert _only(_run(cash), "bank_account") == []


def test_shared_account_across_households_only() -> None:
    found = _run(
        _case(id=1, person_id=1, household_id=1, bank_account_number="570000000009"),
        _case(id=2, person_id=2, household_id=1, bank_account_number="570000000009"),
        _case(id=3, person_id=3, household_id=2, bank_account_number="570000000009"),
        _case(id=4, person_id=4, household_id=3, bank_account_number="570000000010"),
        _case(id=5, person_id=5, household_id=4, bank_account_number="570000000010", bank="bidv"),
    )
    shared = _only(found, "shared_account")
    assert [f["case_id"] for f in shared] == [1, 2, 3]
    assert shared[0]["params"] == {"account": "009"}
    assert "Account number …009" in _text(shared[0])


def test_bank_failed_until_the_account_is_corrected() -> None:
    failed = {"failed_month": D(2026, 10, 1), "failed_account": "570000000001"}
    [f] = _only(_run(_case(**failed, failed_reason="AC04")), "bank_failed")
    assert f["message"] == "failed_reason"
    assert f["params"] == {"month": "2026-10-01", "account": "001", "reason": "AC04"}
    [f] = _only(_run(_case(**failed, failed_reason="")), "bank_failed")
    assert f["message"] == "failed"
    corrected = _case(**failed, bank_account_number="570000000002")
    assert _only(_run(corrected), "bank_failed") == []
    assert _only(_run(_case(**failed, payment_method="cash")), "bank_failed") == []


def test_ended_arrears_one_item_per_case_with_every_month() -> None:
    arrears = pl.DataFrame(
        [
            (5, D(2026, 11, 1), 750_000, D(2026, 10, 1)),
            (5, D(2026, 11, 1), 750_000, D(2026, 9, 1)),
            (6, D(2026, 10, 1), 500_000, D(2026, 8, 1)),
        ],
        schema=ARREARS_SCHEMA,
        orient="row",
    )
    found = _only(_run(_case(), arrears=arrears), "ended_arrears")
    assert [f["case_id"] for f in found] == [5, 6]
    assert found[0]["params"] == {
        "end": "2026-11-01",
        "count": 2,
        "months": ["2026-09-01", "2026-10-01"],
        "total": 1_500_000,
    }
    assert "stopped from 11/2026 but 2 months are still unpaid (09/2026, 10/2026; 1.500.000 đ)" in (
        _text(found[0])
    )
    # without payable cases the arrears are still checked
    assert len(guard.findings({"ended_arrears": arrears}, NOV)) == 2


# --- dates, rendering -----------------------------------------------------------------------


def test_a_rule_applies_only_in_its_months() -> None:
    gone = _case(life_status="deceased", status_date=D(2026, 10, 1))
    dated = dataclasses.replace(
        guard.rule("person_gone"), valid_from=D(2026, 12, 1), valid_to=D(2027, 1, 1)
    )
    assert guard.findings({"cases": _cases(gone)}, NOV, rules=[dated]).is_empty()
    assert len(guard.findings({"cases": _cases(gone)}, D(2026, 12, 1), rules=[dated])) == 1
    assert guard.findings({"cases": _cases(gone)}, D(2027, 1, 1), rules=[dated]).is_empty()
    # before the allowance rules (Decree 20, July 2021) amounts are not checked
    assert not guard.rule("amount_changed").applies(D(2021, 6, 1))
    assert _only(_run(_case(groups=""), month=D(2021, 6, 1)), "amount_changed") == []


def test_render_in_each_language_and_from_an_older_table() -> None:
    params = {"month": "2026-12-01", "new": 750_000, "coefficient": "1.5", "amount": 1_250_000}
    en = guard.render("amount_changed", "amount_coefficient", json.dumps(params), lang="en")
    assert en == (
        "The amount for 12/2026 under the rules is 750,000 VND (coefficient 1.5), not the "
        "1,250,000 VND being paid: adjust it before paying."
    )
    assert guard.render("amount_changed", "no_such_key", params) is None
    assert guard.render("no_such_rule", "amount", params) is None
    # a parameter missing from an item stored by an older table is shown empty, not a crash
    assert guard.render("shared_account", "shared", {}) is not None
    # a translation whose placeholders are out of step falls back to the msgid
    broken = guard.render("shared_account", "shared", {"account": "009"}, lambda s: "%(x)s")
    assert broken is not None
    assert "…009" in broken


def test_event_messages_render_in_each_language() -> None:
    params = {"date": "2026-10-28", "count": 2, "total": 1_250_000, "month": "2026-11-01"}
    en = guard.render("person_gone", "died_held_owed", params, lang="en")
    assert en == (
        "Recorded: the recipient died on 28/10/2026. Payments held, not yet in a payment file: "
        "2 (1,250,000 VND). 11/2026 is still owed: find who receives it, then pay, or hold it."
    )
    vi = {guard.check("person_gone").event_messages["died_held_owed"]: "%(total)s; %(month)s"}
    assert guard.render("person_gone", "died_held_owed", params, vi.__getitem__) == (
        "1.250.000 đ; 11/2026"
    )
    # a key of another check is not this check's
    assert guard.render("case_ended", "died_held", params) is None


def test_a_packed_message_in_a_text_column() -> None:
    params = {"date": "2026-10-15", "end": "2026-11-01", "to": 'Xã "Hòa Lợi"'}
    text = guard.pack("case_ended", "transferred", params)
    assert text.startswith("case_ended:transferred {")
    assert guard.unpack(text) == ("case_ended", "transferred", params)
    assert guard.render_text(text, lang="en") == (
        'The case was transferred to Xã "Hòa Lợi" on 15/10/2026; nothing is paid from 11/2026.'
    )
    # any other text is shown as it is: an officer's note, a sentence stored before, a key
    # the table no longer has, a packed string that is not JSON
    for other in ("Chuyển sang tháng sau", "case_ended:gone {}", "person_gone:died {x}", ""):
        assert guard.unpack(other) is None
        assert guard.render_text(other) == other
    with pytest.raises(ValueError, match="has no message 'gone'"):
        guard.pack("case_ended", "gone", {})


def test_findings_are_vectorised_at_scale() -> None:
    n = 200_000
    frame = pl.DataFrame(
        {
            "id": range(1, n + 1),
            "person_id": range(1, n + 1),
            "household_id": range(1, n + 1),
            "bank_account_number": [f"57{i:010d}" for i in range(1, n + 1)],
        }
    ).with_columns(
        pl.lit(v, dtype=CASES_SCHEMA[k]).alias(k)
        for k, v in _case().items()
        if k not in {"id", "person_id", "household_id", "bank_account_number"}
    )
    frame = frame.select(list(CASES_SCHEMA)).with_columns(
        pl.when(pl.col("id") % 1000 == 0)
        .then(pl.lit("deceased"))
        .otherwise(pl.col("life_status"))
        .alias("life_status"),
        pl.when(pl.col("id") % 1000 == 0)
        .then(pl.lit(D(2026, 10, 1)))
        .otherwise(pl.col("status_date"))
        .alias("status_date"),
    )
    found = guard.findings({"cases": frame}, NOV)
    assert found["rule"].to_list() == ["person_gone"] * (n // 1000)

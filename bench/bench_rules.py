"""Benchmark of the rules engine: 1,000,000 households / ~3.5 million members by default.

Usage: ``.venv/bin/python bench/bench_rules.py [--households N] [--sample N] [--repeat R]``

1. Generates households, members and allowance candidates with believable distributions
   (``bench/gen_households.py``) and writes them as CSV files (the batch-command formats).
2. Compute only: in a fresh process, loads the files with ``ansinh.rules.io`` (not timed) and
   times ``poverty.classify`` and ``allowance.compute`` on the whole batch (best of R runs),
   with the input checks the functions do by default.
3. End to end: runs ``ansinh rules poverty`` and ``ansinh rules allowance`` on the CSV files as
   real subprocesses (read, validate, compute, write the result CSV); wall time and peak RSS of
   each process (``os.wait4``).
4. The same rules written as a straightforward per-household Python loop — the way a typical web
   app would do it: one household at a time with its members, parameters looked up through the
   public ``value()`` API, ages computed per person — on a sample; checks that the loop gives
   the same class and amount for every sampled household and person, and prints the speed ratio.

Every phase runs in its own process and the driver holds no data, so each peak RSS is that
phase's own (on Linux a child's ``ru_maxrss`` also counts its parent's memory at fork time).

Targets (issue 3): compute < 1 s, end to end < 10 s on the 2-core machine, ratio ≥ 50×.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import polars as pl  # noqa: E402

from ansinh.rules import allowance, io, poverty  # noqa: E402
from ansinh.rules.allowance import GROUP_CODES  # noqa: E402
from ansinh.rules.errors import MissingParameterError  # noqa: E402
from ansinh.rules.parameters import value  # noqa: E402

ON = dt.date(2025, 9, 1)
MONTH = "2025-09"


def _rss_mb(rusage: Any) -> float:
    return rusage.ru_maxrss / 1024  # Linux: kilobytes


def _run(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB) and exit code of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, _rss_mb(rusage), proc.returncode, stderr


def _load(data: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    indicators = poverty.parameters_for(ON)["poverty.indicators"].value
    raw_h = io.read_table(data / "households.csv", "households")
    raw_m = io.read_table(data / "members.csv", "members")
    raw_p = io.read_table(data / "people.csv", "people", ["decision_month"])
    h = io.parse_households(raw_h, "households.csv", indicators)
    m = io.parse_members(raw_m, "members.csv", ON)
    hh, mm, errors = io.link_members(h, m, raw_h, raw_m, "households.csv", "members.csv")
    p = io.parse_people(raw_p, "people.csv", dt.date(2025, 9, 1))
    if h.errors or m.errors or errors or p.errors:
        raise SystemExit("the generated data must be valid")
    return hh.drop(io.ROW), mm.drop(io.ROW), p.rows.drop(io.ROW)


def phase_compute(data: Path, repeat: int) -> dict[str, Any]:
    """Runs in a child process: load (untimed), then time the two rule functions."""
    import resource

    hh, mm, people = _load(data)
    classify_s, allowance_s = [], []
    result = paid = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = poverty.classify(hh, mm, ON)
        classify_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        paid = allowance.compute(people, MONTH)
        allowance_s.append(time.perf_counter() - t)
    if result is None or paid is None:
        raise SystemExit("--repeat must be at least 1")
    # The generated members come grouped in household order (as exports usually are), which
    # takes the fast path; time the general path too, on the same members shuffled.
    shuffled = mm.sample(fraction=1.0, shuffle=True, seed=7)
    unordered_s = []
    for _ in range(repeat):
        t = time.perf_counter()
        unordered = poverty.classify(hh, shuffled, ON)
        unordered_s.append(time.perf_counter() - t)
    if not unordered.equals(result):
        raise SystemExit("member order changed a result: the benchmark is invalid")
    return {
        "households": hh.height,
        "members": mm.height,
        "people": people.height,
        "classify_best": min(classify_s),
        "classify_median": statistics.median(classify_s),
        "classify_unordered_best": min(unordered_s),
        "allowance_best": min(allowance_s),
        "allowance_median": statistics.median(allowance_s),
        "classes": dict(result.get_column("class").value_counts().iter_rows()),
        "paid": int((paid.get_column("scheme") != "none").sum()),
        "paid_total": int(paid.get_column("amount").sum()),
        "peak_rss_mb": _rss_mb(resource.getrusage(resource.RUSAGE_SELF)),
    }


# --------------------------------------------------------------------------- the loop version


def _age_months(dob: dt.date, on: dt.date) -> int:
    return (on.year - dob.year) * 12 + (on.month - dob.month) - (1 if dob.day > on.day else 0)


def loop_classify(household: dict[str, Any], members: list[dict[str, Any]], on: dt.date) -> str:
    """One household, the way a web view or service would compute it."""
    area = household["area"]
    indicators = value("poverty.indicators", on).value
    retire = {
        "male": value("labour.retirement_age.male", on).value,
        "female": value("labour.retirement_age.female", on).value,
    }
    work_from = value("labour.working_age_from", on).value * 12
    emp = value("poverty.indicator.employment", on).value
    dep = value("poverty.indicator.dependants", on).value
    nut = value("poverty.indicator.nutrition", on).value
    hi = value("poverty.indicator.health_insurance", on).value
    edu = value("poverty.indicator.adult_education", on).value
    school = value("poverty.indicator.school_attendance", on).value
    housing = value("poverty.indicator.housing_quality", on).value
    floor = value("poverty.indicator.floor_area", on).value

    flags = dict.fromkeys(indicators, False)
    dependants = 0
    for m in members:
        months = _age_months(m["date_of_birth"], on)
        age = months // 12
        if work_from <= months < retire[m["sex"]] and m["work"] in emp["deprived_work"]:
            flags["employment"] = True
        is_dep = age < dep["child_under_age"] or age >= dep["elderly_from_age"]
        if dep["disabled_with_allowance"] and m["disability"] != "none" and m["monthly_allowance"]:
            is_dep = True
        dependants += is_dep
        if age < nut["child_under_age"] and m["malnourished"]:
            flags["nutrition"] = True
        if age >= hi["from_age"] and not m["health_insurance"]:
            flags["health_insurance"] = True
        for band in edu["bands"]:
            if (
                band["from_age"] <= age <= band["to_age"]
                and not m["studying"]
                and m["qualification"] in band["deprived_qualifications"]
            ):
                flags["adult_education"] = True
        if school["from_age"] <= age < school["under_age"] and not m["studying"]:
            flags["school_attendance"] = True
    n = len(members)
    flags["dependants"] = dependants * 100 > n * dep["max_share_percent"]
    flags["housing_quality"] = household["house_type"] in housing["deprived_house_types"]
    flags["floor_area"] = household["floor_area_m2"] < n * floor["min_m2_per_person"]
    for code in ("water", "latrine", "telecom", "info_assets", "waste"):
        if code in flags:
            spec = value(f"poverty.indicator.{code}", on).value
            flags[code] = household[spec["column"]] == spec["deprived_answer"]
    count = sum(flags.values())
    if household["b1_score"] is not None:
        line = value(f"poverty.b1_threshold.{area}", on).value
        poor = (
            count * value("poverty.b2_points_per_indicator", on).value
            >= value("poverty.b2_poor_min_score", on).value
        )
        measure = household["b1_score"]
        band = None
    else:
        line = value(f"poverty.income_line.{area}", on).value
        poor = count >= value("poverty.min_deprived_indicators", on).value
        measure = household["income_per_capita"]
        band = value(f"poverty.average_band_max.{area}", on).value
    if measure <= line:
        return "poor" if poor else "near_poor"
    if band is not None and measure <= band:
        return "average"
    return "not_poor"


def loop_allowance(person: dict[str, Any], month: dt.date) -> int:
    """One person's amount for the month, group by group."""
    if person["decision_month"] > month:
        return 0
    age = max(_age_months(person["date_of_birth"], month) // 12, 0)
    level = value("assistance.standard_level", month).value
    best = None
    for code in GROUP_CODES:
        if code not in person["groups"]:
            continue
        spec = value(f"assistance.group.{code}", month).value
        if spec.get("min_age") is not None and age < spec["min_age"]:
            continue
        if spec.get("max_age") is not None and age > spec["max_age"]:
            continue
        if person["household"] not in spec["households"]:
            continue
        if spec.get("no_pension") and person["pension"] != 0:
            continue
        if spec.get("per_child") and person["children"] <= 0:
            continue
        tenths = 0
        for band in spec["coefficients"]:
            if band.get("min_age") is not None and age < band["min_age"]:
                continue
            if band.get("max_age") is not None and age > band["max_age"]:
                continue
            tenths = int(Decimal(str(band["coefficient"])) * 10)
            break
        if spec.get("per_child"):
            tenths *= person["children"]
        best = tenths if best is None else max(best, tenths)
    assistance = None if best is None else (level * best + 5) // 10
    pension = None
    try:
        amount = value("social_pension.amount", month).value
        rules = value("social_pension.eligibility", month).value
    except MissingParameterError:  # not in force before 2025-07
        amount = rules = None
    old_enough = rules is not None and (
        age >= rules["min_age"]
        or (
            age >= rules["min_age_poor_household"]
            and person["household"] in rules["poor_households"]
        )
    )
    if old_enough and person["social_pension_request"] and person["pension"] < amount:
        pension = amount
    if pension is not None and pension > (assistance or 0):
        return pension
    return assistance or 0


def phase_loop(data: Path, sample: int, vector_per_household: float) -> dict[str, Any]:
    hh, mm, people = _load(data)
    hh = hh.head(sample)
    codes = hh.get_column("household_code").implode()
    mm = mm.filter(pl.col("household_code").is_in(codes))
    people = people.filter(pl.col("person_code").is_in(mm.get_column("member_code").implode()))
    households = [
        {**h, "area": str(h["area"]), "house_type": str(h["house_type"])}
        for h in hh.iter_rows(named=True)
    ]
    by_household: dict[str, list[dict[str, Any]]] = {}
    for m in mm.iter_rows(named=True):
        m["sex"], m["work"] = str(m["sex"]), str(m["work"])
        m["qualification"], m["disability"] = str(m["qualification"]), str(m["disability"])
        by_household.setdefault(m["household_code"], []).append(m)
    persons = [{**p, "household": str(p["household"])} for p in people.iter_rows(named=True)]
    month = dt.date(2025, 9, 1)

    t = time.perf_counter()
    classes = [loop_classify(h, by_household[h["household_code"]], ON) for h in households]
    amounts = [loop_allowance(p, month) for p in persons]
    loop_s = time.perf_counter() - t

    t = time.perf_counter()
    v_classes = poverty.classify(hh, mm, ON).get_column("class").to_list()
    v_amounts = allowance.compute(people, MONTH).get_column("amount").to_list()
    vector_sample_s = time.perf_counter() - t
    if classes != v_classes or amounts != v_amounts:
        raise SystemExit("the loop and the vectorised rules disagree: the benchmark is invalid")
    per_household = loop_s / len(households)
    return {
        "sample_households": len(households),
        "sample_people": len(persons),
        "loop_seconds": loop_s,
        "loop_per_household_us": per_household * 1e6,
        "vector_sample_seconds": vector_sample_s,
        "ratio": per_household / vector_per_household,
    }


# --------------------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description="rules engine benchmark")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="households for the loop")
    parser.add_argument("--repeat", type=int, default=3, help="compute runs (best is kept)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="write the data here and keep it")
    parser.add_argument("--phase", choices=("all", "generate", "compute", "loop"), default="all")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--per-household", type=float, default=0.0)
    args = parser.parse_args()

    if args.phase == "generate":
        from gen_households import write

        write(args.data, args.households, args.seed)
        return
    if args.phase == "compute":
        print(json.dumps(phase_compute(args.data, args.repeat)))
        return
    if args.phase == "loop":
        print(json.dumps(phase_loop(args.data, args.sample, args.per_household)))
        return

    started = time.perf_counter()
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="ansinh-bench-")
    data = args.keep or Path(tmp.name)  # type: ignore[union-attr]
    me = [sys.executable, str(Path(__file__).resolve())]

    def child(*extra: str) -> dict[str, Any]:
        done = subprocess.run(
            [*me, *extra, "--data", str(data)], capture_output=True, text=True, check=False
        )
        if done.returncode:
            print(done.stderr[-3000:])
            raise SystemExit(1)
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {}

    try:
        t = time.perf_counter()
        child("--phase", "generate", "--households", str(args.households), "--seed", str(args.seed))
        gen_s = time.perf_counter() - t
        paths = {name: data / f"{name}.csv" for name in ("households", "members", "people")}
        sizes = {k: p.stat().st_size / 1e6 for k, p in paths.items()}
        print(f"== Rules engine benchmark — {args.households:,} households, date {ON}")
        print(
            f"   data generated in {gen_s:.1f} s: households.csv {sizes['households']:.0f} MB, "
            f"members.csv {sizes['members']:.0f} MB, people.csv {sizes['people']:.0f} MB",
            flush=True,
        )

        c = child("--phase", "compute", "--repeat", str(args.repeat))
        compute = c["classify_best"] + c["allowance_best"]
        print(
            f"-- compute only ({c['households']:,} households, {c['members']:,} members, "
            f"{c['people']:,} people; best of {args.repeat})\n"
            f"   classify  {c['classify_best']:.3f} s (median {c['classify_median']:.3f}; "
            f"members in random order: {c['classify_unordered_best']:.3f} s)\n"
            f"   allowance {c['allowance_best']:.3f} s (median {c['allowance_median']:.3f})\n"
            f"   total     {compute:.3f} s   target < 1 s   "
            f"{'OK' if compute < 1 else 'MISSED'}\n"
            f"   peak RSS of the process (data loaded): {c['peak_rss_mb']:.0f} MB\n"
            f"   classes: "
            + ", ".join(f"{k} {c['classes'].get(k, 0):,}" for k in poverty.CLASSES)
            + f"; allowances paid: {c['paid']:,} people, {c['paid_total']:,} đồng",
            flush=True,
        )

        cli = [sys.executable, "-m", "ansinh", "rules"]
        pov_wall, pov_rss, pov_rc, pov_err = _run(
            [
                *cli,
                "poverty",
                "--households",
                str(paths["households"]),
                "--members",
                str(paths["members"]),
                "--date",
                ON.isoformat(),
                "--out",
                str(data / "poverty_out.csv"),
            ]
        )
        all_wall, all_rss, all_rc, all_err = _run(
            [
                *cli,
                "allowance",
                "--people",
                str(paths["people"]),
                "--month",
                MONTH,
                "--out",
                str(data / "allowance_out.csv"),
            ]
        )
        if pov_rc or all_rc:
            print(pov_err[-2000:], all_err[-2000:])
            raise SystemExit(1)
        e2e = pov_wall + all_wall
        print(
            f"-- end to end from CSV (read, validate, compute, write CSV; separate processes)\n"
            f"   ansinh rules poverty   {pov_wall:.2f} s, peak RSS {pov_rss:.0f} MB\n"
            f"   ansinh rules allowance {all_wall:.2f} s, peak RSS {all_rss:.0f} MB\n"
            f"   total {e2e:.2f} s   target < 10 s   {'OK' if e2e < 10 else 'MISSED'}",
            flush=True,
        )

        per_household = compute / c["households"]
        sample = min(args.sample, args.households)
        loop = child(
            "--phase", "loop", "--sample", str(sample), "--per-household", repr(per_household)
        )
        print(
            f"-- per-household Python loop (same rules, public value() lookups) on "
            f"{loop['sample_households']:,} households / {loop['sample_people']:,} people\n"
            f"   loop {loop['loop_seconds']:.2f} s = {loop['loop_per_household_us']:.0f} µs per "
            f"household (same results as the vectorised rules: checked)\n"
            f"   vectorised {per_household * 1e6:.2f} µs per household at full scale\n"
            f"   speed ratio {loop['ratio']:.0f}×   target ≥ 50×   "
            f"{'OK' if loop['ratio'] >= 50 else 'MISSED'}\n"
            f"   (all {c['households']:,} households as a loop: about "
            f"{loop['loop_per_household_us'] * c['households'] / 1e6:.0f} s)",
            flush=True,
        )
        print(
            f"== done in {time.perf_counter() - started:.0f} s (load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()

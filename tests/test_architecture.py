"""The architecture, checked on the source (docs/architecture.md, ADR 0001).

Views read only through the scoped selectors: a view that queries a model itself
(``Model.objects…``, ``get_object_or_404(Model, …)``) bypasses the scope, which is how an
unscoped read of personal data gets written by accident. Such a read belongs in the app's
``selectors.py`` (taking a ``Scope``) or ``services.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "ansinh"
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_modules() -> list[Path]:
    """Every ``views.py`` of an app and every module of a ``views`` package."""
    files = set(SRC.glob("*/views.py")) | set(SRC.glob("*/views/**/*.py"))
    return sorted(files)


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):  # shortcuts.get_object_or_404(…)
        return func.attr
    return ""


def _is_model_class(node: ast.expr) -> bool:
    """A bare name spelled like a class (``ReminderStage``); a queryset is an expression or
    a lower-case variable holding a scoped selector's result."""
    return isinstance(node, ast.Name) and node.id[:1].isupper()


def direct_orm_calls(path: Path) -> list[str]:
    return orm_calls_in(path.read_text(encoding="utf-8"), str(path.relative_to(SRC.parent)))


def orm_calls_in(source: str, where: str) -> list[str]:
    """``where:line: source line`` of every ``.objects`` and ``get_object_or_404(Model, …)``."""
    tree = ast.parse(source, filename=where)
    lines = source.splitlines()
    found = set()
    for node in ast.walk(tree):
        manager = isinstance(node, ast.Attribute) and node.attr == "objects"
        shortcut = (
            isinstance(node, ast.Call)
            and _called_name(node.func) in SHORTCUTS
            and bool(node.args)
            and _is_model_class(node.args[0])
        )
        if manager or shortcut:
            found.add(node.lineno)
    return [f"{where}:{n}: {lines[n - 1].strip()}" for n in sorted(found)]


def test_the_checker_flags_what_it_should():
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "a = Person.objects.filter(pk=1)\n"
        "b = models.Person.objects.get(pk=1)\n"
        "c = get_object_or_404(ReminderStage, pk=1)\n"
        "d = get_object_or_404(selectors.stages_for(scope), pk=1)\n"
        "e = get_object_or_404(stages, pk=1)\n"
        "f = household.members.filter(life_status='living')\n"
    )
    found = orm_calls_in(source, "example/views.py")
    assert [line.split(":")[1] for line in found] == ["2", "3", "4"]


def test_views_read_only_through_selectors():
    files = view_modules()
    assert files, f"no views.py found under {SRC}: the check would pass vacuously"
    apps = {p.parent.name if p.name == "views.py" else p.parent.parent.name for p in files}
    assert apps >= {"registry", "poverty", "assistance", "insurance", "policy"}
    offenders = [line for path in files for line in direct_orm_calls(path)]
    assert not offenders, (
        f"{len(offenders)} direct ORM call(s) in views ({len(files)} files checked); move each "
        "into the app's selectors.py (reads, taking a Scope) or services.py (writes):\n"
        + "\n".join(offenders)
    )


MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 520  # "about 500": a module past it is split by job (docs/how-to/add-an-app.md)


def long_functions(source: str, where: str) -> list[str]:
    """Functions longer than MAX_FUNCTION_LINES whose docstring does not say why ("Long on
    purpose: …")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and "Long on purpose" not in (
                ast.get_docstring(node) or ""
            ):
                found.append(f"{where}:{node.lineno}: {node.name} ({length} lines)")
    return found


def test_the_length_checker_flags_what_it_should():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}\n", "m.py") == ["m.py:1: f (81 lines)"]
    reason = '    """Long on purpose: a table."""\n'
    assert long_functions(f"def f():\n{reason}{body}\n", "m.py") == []


def test_long_functions_say_why_and_modules_stay_small():
    files = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 100, "no source found: the check would pass vacuously"
    long = [
        line
        for path in files
        for line in long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    ]
    big = [
        f"{path.relative_to(SRC)} ({n} lines)"
        for path in files
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, "split these, or say at their top why not (Long on purpose: …):\n" + "\n".join(
        long
    )
    assert not big, "split these modules by job:\n" + "\n".join(big)


def test_everything_is_formatted_by_the_formatter():
    """No region is kept from ``ruff format`` (issue 11: the 174 of them went): a table too
    wide for a line is written as the formatter lays it out, or its data moves to a module
    of its own (``demo/coordination_stories.py``)."""
    root = SRC.parent.parent
    files = [*SRC.rglob("*.py"), *(root / "tests").rglob("*.py")]
    assert len(files) > 300, "no source found: the check would pass vacuously"
    markers = ("fmt" + ": skip", "fmt" + ": off", "yapf" + ": disable")
    kept = [
        f"{path.relative_to(root)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(marker in line for marker in markers)
    ]
    assert not kept, "format these as ruff does:\n" + "\n".join(kept)

"""Check the Vietnamese catalogue (``make check`` runs ``.venv/bin/python scripts/check_i18n.py``).

It exits with status 1, listing the offending msgids, when:

(a) an entry of ``src/ansinh/locale/vi/LC_MESSAGES/django.po`` is untranslated or fuzzy, has
    %(name)s placeholders that differ from its msgid, or the header is fuzzy or has the wrong
    plural forms (Vietnamese: ``nplurals=1; plural=0;``);
(b) a msgid used in the code is missing from the .po: Django's ``makemessages`` is run on a
    temporary copy of ``src/ansinh`` (its catalogue written into the copy, never into the real
    tree) and its msgids are compared with the committed .po;
(c) ``django.mo`` is missing or does not hold exactly the translations of ``django.po``: the
    .po is compiled with ``msgfmt --check-format`` (what ``compilemessages`` runs) into a
    temporary .mo and both catalogues are loaded with ``gettext.GNUTranslations`` and compared
    (content, not bytes, so another gettext version does not matter);
(d) a message that reaches gettext only at run time is missing from the .po. The identifier
    errors of ``ansinh.core.identifiers`` (bad CCCD, phone, bank account) are plain strings
    given to ``IdentifierError`` and translated later by
    ``ansinh.registry.validation.identifier_message``; ``makemessages`` cannot see them, so
    they are collected here from the source.

Nothing in the tree is modified. Only the standard library, Django and GNU gettext are used.
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ansinh"
LOCALE = "vi"
PO = PACKAGE / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLURAL_FORMS = "nplurals=1; plural=0;"
# What makemessages reads for the "django" domain.
EXTENSIONS = frozenset({".py", ".html", ".txt"})
# Calls whose (0-based) positional argument, or ``message=`` keyword, is a msgid translated
# later from a variable, so that makemessages cannot extract it.
DYNAMIC_MSGID_CALLS = {"IdentifierError": 1}
FIX = (
    "To fix: cd src/ansinh && ../../.venv/bin/ansinh makemessages -l vi --no-obsolete "
    "--no-location, translate every entry (no fuzzy), then "
    "../../.venv/bin/ansinh compilemessages -l vi"
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}

Key = tuple[str | None, str]


# --- reading a .po file ---------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ``#~`` entries included, marked)."""
    entries: list[Entry] = []
    entry = Entry()
    started = seen_msgstr = False
    target: tuple[str, int] = ("", 0)

    def finish() -> None:
        nonlocal entry, started, seen_msgstr
        if started:
            entries.append(entry)
        entry, started, seen_msgstr = Entry(), False, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue
        elif line.startswith("#"):
            if seen_msgstr:
                finish()
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if not line:
            finish()
            continue
        if line.startswith('"'):
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            elif name:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index_text, value = match.groups()
        if keyword in ("msgctxt", "msgid") and seen_msgstr:
            finish()
        if not started:
            entry.line, started = number, True
        entry.obsolete = entry.obsolete or obsolete
        if keyword.startswith("msgstr"):
            seen_msgstr = True
            target = ("msgstr", int(index_text or 0))
            entry.msgstr[target[1]] = _unquote(value)
        else:
            target = (keyword, 0)
            setattr(entry, keyword, _unquote(value))
    finish()
    return entries


def header_fields(entry: Entry) -> dict[str, str]:
    fields = {}
    for line in entry.msgstr.get(0, "").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def label(key: Key) -> str:
    context, msgid = key
    text = msgid.replace("\n", "\\n")
    return f"{text!r}" + (f" (context {context!r})" if context is not None else "")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


# --- the four checks ------------------------------------------------------------------


def check_entries(entries: list[Entry]) -> list[str]:
    """(a) Every entry translated, not fuzzy, same placeholders; a correct header."""
    problems: list[str] = []
    headers = [e for e in entries if e.is_header and not e.obsolete]
    if len(headers) != 1:
        problems.append('the .po must have exactly one header entry (msgid "")')
    for header in headers:
        fields = header_fields(header)
        if "fuzzy" in header.flags:
            problems.append("the header is marked fuzzy: remove '#, fuzzy' above msgid \"\"")
        plural = " ".join(fields.get("Plural-Forms", "").split())
        if plural != PLURAL_FORMS:
            problems.append(f"header Plural-Forms is {plural!r}, expected {PLURAL_FORMS!r}")
        if "charset=UTF-8" not in fields.get("Content-Type", ""):
            problems.append("header Content-Type must declare charset=UTF-8")
    seen: set[Key] = set()
    for e in entries:
        if e.is_header or e.obsolete:
            continue
        where = f"{label(e.key)} (line {e.line})"
        if e.key in seen:
            problems.append(f"duplicate entry: {where}")
        seen.add(e.key)
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {where}")
        if e.msgid_plural is not None and sorted(e.msgstr) != [0]:
            problems.append(f"plural entry must have exactly msgstr[0] (nplurals=1): {where}")
        if not e.msgstr or any(not text for text in e.msgstr.values()):
            problems.append(f"untranslated: {where}")
            continue
        expected = placeholders(e.msgid_plural if e.msgid_plural is not None else e.msgid)
        for text in e.msgstr.values():
            if placeholders(text) != expected:
                found = ", ".join(sorted(placeholders(text))) or "none"
                wanted = ", ".join(sorted(expected)) or "none"
                problems.append(f"placeholders {found} instead of {wanted}: {where}")
    return problems


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    """Copy only what makemessages reads; leave out catalogues and caches."""
    ignored = set()
    for name in names:
        path = Path(directory, name)
        if path.is_dir():
            if name in {"locale", "__pycache__"} or name.startswith("."):
                ignored.add(name)
        elif path.suffix not in EXTENSIONS:
            ignored.add(name)
    return ignored


def extracted_msgids(tmp: Path) -> set[Key]:
    """The msgids Django's makemessages finds in a copy of src/ansinh."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    os.environ.setdefault("ANSINH_VAR_DIR", str(tmp / "var"))
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command
    from django.test.utils import override_settings

    django.setup()
    copy = tmp / "ansinh"
    shutil.copytree(PACKAGE, copy, ignore=_copy_ignore)
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        # The copy's own locale/ is where makemessages writes; LOCALE_PATHS points there
        # too, so the committed catalogue cannot be touched.
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command(
                "makemessages",
                locale=[LOCALE],
                no_obsolete=True,
                no_location=True,
                verbosity=0,
                stdout=io.StringIO(),
            )
    finally:
        os.chdir(cwd)
    po = copy / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
    return {e.key for e in parse_po(po) if not e.is_header and not e.obsolete}


def check_extraction(po_keys: set[Key], code_keys: set[Key]) -> list[str]:
    """(b) Every msgid of the code is in the .po."""
    return [f"missing from the .po: {label(k)}" for k in sorted(code_keys - po_keys, key=str)]


def _catalog(path: Path) -> dict[object, str]:
    with path.open("rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)  # type: ignore[attr-defined]


def check_compiled(tmp: Path) -> list[str]:
    """(c) django.mo holds exactly what compiling django.po gives."""
    if not MO.exists():
        return [f"{MO.relative_to(ROOT)} is missing: run compilemessages"]
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return ["msgfmt is not installed (Debian package gettext)"]
    fresh = tmp / "django.mo"
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [msgfmt, "--check-format", "-o", str(fresh), str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return [f"msgfmt --check-format refuses the .po:\n{result.stderr.strip()}"]
    expected, committed = _catalog(fresh), _catalog(MO)
    differing = sorted(
        (k for k in expected.keys() | committed.keys() if expected.get(k) != committed.get(k)),
        key=str,
    )
    if not differing:
        return []

    def name(key: object) -> str:
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid == "":
            return "(header)"
        context, _, text = str(msgid).rpartition("\x04")
        return label((context or None, text))

    listed = [f"django.mo differs from django.po for: {name(k)}" for k in differing[:20]]
    if len(differing) > 20:
        listed.append(f"... and {len(differing) - 20} more")
    listed.append("django.mo is stale: run compilemessages -l vi")
    return listed


def dynamic_msgids() -> tuple[dict[str, str], list[str]]:
    """(d) Messages given to ``IdentifierError`` etc., with where they are."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError) as exc:
            problems.append(f"cannot read {path.relative_to(ROOT)}: {exc}")
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            index = DYNAMIC_MSGID_CALLS.get(str(name))
            if index is None:
                continue
            arg = node.args[index] if len(node.args) > index else None
            arg = arg or next((k.value for k in node.keywords if k.arg == "message"), None)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found, problems


def check_dynamic(po_keys: set[Key], dynamic: dict[str, str]) -> list[str]:
    return [
        f"missing from the .po: {label((None, msgid))} (translated at run time, {where}; "
        "makemessages drops it because the code does not mark it: wrap it in gettext_noop() "
        "there, or restore the translated entry from git)"
        for msgid, where in sorted(dynamic.items())
        if (None, msgid) not in po_keys
    ]


# --- main -----------------------------------------------------------------------------


def report(title: str, problems: Iterable[str]) -> int:
    problems = list(problems)
    if problems:
        print(f"\n{title}")
        for problem in problems:
            print(f"  - {problem}")
    return len(problems)


def main() -> int:
    started = time.monotonic()
    if not PO.exists():
        print(f"check_i18n: {PO.relative_to(ROOT)} does not exist.\n{FIX}")
        return 1
    entries = parse_po(PO)
    po_keys = {e.key for e in entries if not e.is_header and not e.obsolete}
    with tempfile.TemporaryDirectory(prefix="check_i18n-") as name:
        tmp = Path(name)
        code_keys = extracted_msgids(tmp)
        compiled = check_compiled(tmp)
    dynamic, unreadable = dynamic_msgids()
    po_rel = PO.relative_to(ROOT)
    failures = report(
        f"(a) untranslated, fuzzy or broken entries in {po_rel}:", check_entries(entries)
    )
    failures += report(
        "(b) msgids used in the code but missing from the .po:",
        check_extraction(po_keys, code_keys),
    )
    failures += report("(c) django.mo does not match django.po:", compiled)
    failures += report(
        "(d) run-time msgids missing from the .po:",
        [*unreadable, *check_dynamic(po_keys, dynamic)],
    )
    stale = sorted(po_keys - code_keys - {(None, m) for m in dynamic}, key=str)
    if stale:
        print(f"\nnote: {len(stale)} entries of the .po are not used in the code any more:")
        for key in stale:
            print(f"  - {label(key)}")
    elapsed = time.monotonic() - started
    if failures:
        print(f"\ncheck_i18n: FAILED ({failures} problems, {elapsed:.1f} s)\n{FIX}")
        return 1
    print(
        f"check_i18n: OK: {len(po_keys)} entries translated, {len(code_keys)} msgids in the "
        f"code, {len(dynamic)} run-time msgids, django.mo up to date ({elapsed:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

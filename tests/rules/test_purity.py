"""The rules engine is pure Python: no Django, no other ansinh app (see the import-linter
contract in pyproject.toml; this test also runs without import-linter)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ansinh.rules

PACKAGE = Path(ansinh.rules.__file__).resolve().parent


def test_no_forbidden_import_in_the_source() -> None:
    files = list(PACKAGE.rglob("*.py"))
    assert len(files) > 10  # the package was found: the loop below cannot pass vacuously
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(("django", "ninja")), (file, name)
                if name.startswith("ansinh."):
                    # the rules may use core's pure helpers (money, periods, text, spreadsheet),
                    # nothing else
                    allowed = (
                        "ansinh.rules",
                        "ansinh.core.money",
                        "ansinh.core.periods",
                        "ansinh.core.text",
                        "ansinh.core.spreadsheet",
                    )
                    assert name.startswith(allowed), (file, name)


def test_importing_every_module_loads_no_django() -> None:
    code = (
        "import sys, ansinh.rules.cli, ansinh.rules.b1, ansinh.rules.explain, "
        "ansinh.rules.insurance; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

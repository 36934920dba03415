"""The package: `pip install .` (not only editable) ships the templates and the data
files, and its layers import one way (sources -> facts -> brief -> delivery)."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_templates_themes_and_aliases(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("briefing-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").iterdir():
        assert f"briefing/templates/{template.name}" in names
    assert {"briefing/facts/themes.toml", "briefing/facts/aliases.toml",
            "briefing/facts/rhetoric.toml", "briefing/facts/acts.toml", "briefing/cli.py"} <= names


# The package's layers, bottom first: a module imports only its own layer and those
# below it (the stage before, the shared data), never a later stage.
LAYERS = {"models": 0, "errors": 0, "sources": 1, "facts": 2, "brief": 3, "delivery": 4,
          "desk": 4}  # the desk (history, what is new, edits, verify) works on briefs
TOP = 5  # the library call, the commands and their helpers


def _imports(path: Path) -> set[str]:
    """The briefing modules *path* imports, as dotted names under the package."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                names = [".".join([*base, node.module])] if node.module else [
                    ".".join([*base, alias.name]) for alias in node.names]
            elif node.module and node.module.startswith("briefing"):
                names = [node.module]
            else:
                continue
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("briefing"))
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], TOP) if len(parts) > 1 else TOP


def test_stages_import_only_earlier_stages_and_no_module_imports_back() -> None:
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): _imports(path)
        for path in (ROOT / "briefing").rglob("*.py")
    }
    upward = [
        f"{module} imports {target}"
        for module, targets in modules.items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []
    mutual = [
        f"{a} <-> {b}"
        for a, targets in modules.items()
        for b in targets
        if b in modules and a in modules[b] and a < b
    ]
    assert mutual == []

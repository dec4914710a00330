"""The layers of DESIGN.md ("Layout") are a contract import-linter checks (pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True)


def test_the_package_keeps_its_import_contract():
    """core imports nothing of ours; enrich, alerting, storage, stages never reach Faust or Kafka."""
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_forbidden_import_breaks_the_contract(tmp_path):
    """A stage that imports faust, or core importing storage, fails the check, naming the contract."""
    shutil.copytree(ROOT / "streams", tmp_path / "streams", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "streams" / "stages" / "decode.py").open("a") as module:
        module.write("\nimport faust  # noqa\n")
    with (tmp_path / "streams" / "core" / "identity.py").open("a") as module:
        module.write("\nimport streams.storage  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    assert "the pure layers never import the Faust/Kafka edge BROKEN" in done.stdout
    assert "core (the contracts) imports nothing else of streams BROKEN" in done.stdout

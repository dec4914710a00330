"""`newsstream alerts check` works with no broker, and bad rules fail naming the problem."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams", "alerts", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "NEWSSTREAM_BROKER": "kafka://127.0.0.1:1"},
    )


def test_default_rules_on_the_seed_story_without_a_broker():
    """Five reports of one story: each rule once, plus the escalation when the toll passes 250."""
    result = _check(
        "deploy/alerts.yaml", "seeds/pakistan-afghan-taliban-talks-istanbul.txt", "tests/data/seed_rewrites"
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line[:4].isdigit()]
    rules = [line.split("]")[1].split()[0] for line in lines]
    assert rules.count("pakistan-afghanistan-conflict") == 1
    assert rules.count("mass-casualty-violence") == 2  # warning, then escalated to critical
    assert "[escalated: 260 killed]" in result.stdout
    assert "5 article(s)" in result.stderr


def test_invalid_rules_exit_non_zero_with_file_line_and_field(tmp_path):
    """A bad severity is reported with where it is."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: x\n    severity: urgent\n")
    result = _check(str(rules), "seeds")
    assert result.returncode != 0
    assert f"{rules}:2 (rule 'x'): 'severity' must be one of" in result.stderr

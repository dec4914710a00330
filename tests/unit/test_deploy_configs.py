"""The monitoring files under deploy/ agree with the metrics the code exports."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from streams.runtime.metrics import PipelineMetrics

ROOT = Path(__file__).resolve().parents[2]


def _exported() -> set[str]:
    """Every sample name our registry can expose (counters' _total, histograms' _bucket/_sum/_count)."""
    names = set()
    for metric in PipelineMetrics.create().registry.collect():
        names.add(metric.name)
        names.update({f"{metric.name}_total", f"{metric.name}_bucket", f"{metric.name}_sum", f"{metric.name}_count"})
    return names


def _queried(text: str) -> set[str]:
    return set(re.findall(r"\bnewsstream_[a-z_]+\b", text))


def test_dashboard_queries_only_exported_metrics():
    """Each newsstream_* series the Grafana dashboard plots exists in /metrics."""
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/newsstream.json").read_text())
    expressions = json.dumps([t.get("expr", "") for p in dashboard["panels"] for t in p.get("targets", [])])
    assert _queried(expressions), "the dashboard queries no newsstream metric"
    assert _queried(expressions) <= _exported()


def test_prometheus_rules_use_exported_metrics():
    """Each newsstream_* series in the Prometheus alert rules exists."""
    rules = yaml.safe_load((ROOT / "deploy/prometheus/rules.yml").read_text())
    expressions = " ".join(r["expr"] for g in rules["groups"] for r in g["rules"])
    assert _queried(expressions) <= _exported()


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool comes with Debian's prometheus (make test installs it)"
)
def test_prometheus_rules_pass_promtool():
    result = subprocess.run(
        ["promtool", "check", "rules", str(ROOT / "deploy/prometheus/rules.yml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool comes with prometheus-alertmanager")
def test_alertmanager_config_is_valid():
    """amtool accepts the compose stack's Alertmanager configuration."""
    result = subprocess.run(
        ["amtool", "check-config", str(ROOT / "deploy/alertmanager/alertmanager.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_feed_list_is_valid():
    from streams.ingest.feeds_config import load_feeds

    feeds = load_feeds(ROOT / "deploy" / "feeds.example.yaml")
    assert len(feeds) >= 5 and all(feed.url.startswith("https://") for feed in feeds)

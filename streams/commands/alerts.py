"""`newsstream alerts tail` and `alerts check`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from streams.commands import _articles_or_fail, _consume, _settings, main
from streams.core.errors import ConfigError
from streams.core.models import Alert


@main.group()
def alerts() -> None:
    """Read alerts from the alerts topic, or try rules offline."""


@alerts.command("tail")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest alert, not the next one.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert.")
@click.option("--timeout", type=float, default=None, help="Stop after this many idle seconds.")
@click.option("--max", "limit", type=int, default=None, help="Stop after this many alerts.")
def alerts_tail(from_beginning: bool, as_json: bool, timeout: float | None, limit: int | None) -> None:
    """Print alerts as they arrive on the alerts topic."""
    from streams.alerting.notifiers import ConsoleNotifier, alert_json
    from streams.wire.codec import Codecs

    config = _settings()
    codec = Codecs.for_settings(config).alert
    console = ConsoleNotifier(sys.stdout)
    for count, value in enumerate(_consume(config.topic_alerts, config, from_beginning, timeout), start=1):
        alert = Alert.from_record(codec.decode(value))
        if as_json:
            click.echo(json.dumps(alert_json(alert), ensure_ascii=False))
        else:
            console.send(alert)
        if limit and count >= limit:
            break


@alerts.command("check")
@click.argument("rules", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, required=True)
def alerts_check(rules: Path, paths: tuple[str, ...]) -> None:
    """Evaluate RULES on article files offline (no broker) and print the alerts that would fire."""
    from streams.alerting.notifiers import ConsoleNotifier
    from streams.alerting.rules_file import load_rules
    from streams.enrich import Enricher

    try:
        rule_set = load_rules(rules)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    from streams.stages.alert import AlertStage, story_block
    from streams.wire.codec import Codecs

    enriched = Enricher().enrich_batch(list(_articles_or_fail(paths)))
    console = ConsoleNotifier(sys.stdout)
    fired = 0
    # exactly what the alert agent does: per story block, stories, once-per-story rules, spikes
    stage = AlertStage(rule_set, Codecs.for_settings(), horizon_seconds=_settings().story_horizon_hours * 3600)
    states: dict[str, dict[str, Any]] = {}
    for article in enriched:
        block = story_block(article)
        alerts, states[block], _ = stage.alerts_for(article, states.get(block), article.ingested_at)
        for alert in alerts:
            console.send(alert)
            fired += 1
    rule_count = len(rule_set.rules) + len(rule_set.spikes)
    click.echo(f"{fired} alert(s) from {len(enriched)} article(s) and {rule_count} rule(s)", err=True)

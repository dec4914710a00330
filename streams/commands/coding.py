"""`newsstream enrich` and `newsstream eval`: the coder without Kafka, and its scores."""

from __future__ import annotations

import json
from pathlib import Path

import click

from streams.commands import _articles_or_fail, main
from streams.core.errors import ConfigError
from streams.core.models import Article


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--pretty", is_flag=True, help="Indented JSON instead of one line per article.")
@click.option("--batch-size", default=32, show_default=True, help="Articles per nlp.pipe batch.")
def enrich(paths: tuple[str, ...], pretty: bool, batch_size: int) -> None:
    """Enrich articles without Kafka and print one enriched article per line as JSON."""
    from streams.enrich import Enricher

    enricher = Enricher()
    batch: list[Article] = []

    def flush() -> None:
        for enriched in enricher.enrich_batch(batch, batch_size=batch_size):
            click.echo(json.dumps(enriched.to_record(), ensure_ascii=False, indent=2 if pretty else None))
        batch.clear()

    for article in _articles_or_fail(paths):
        batch.append(article)
        if len(batch) >= batch_size:
            flush()
    flush()


@main.command("eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", "show_errors", type=int, default=0, help="Show up to N misses per task.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--rules-only", is_flag=True, help="Score the rule coder without the learned classifier.")
def evaluate(dataset: Path, show_errors: int, as_json: bool, rules_only: bool) -> None:
    """Score enrichment against a labelled DATASET (JSON lines, or the PLOVER gold-standard file)."""
    from streams.commands.evaluation import load_dataset, score, summary_rows
    from streams.enrich import Enricher

    try:
        items = load_dataset(dataset)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    enriched = Enricher(classify=not rules_only).enrich_batch([item.article for item in items])
    report = score(zip(items, enriched, strict=True))
    rows = summary_rows(report)
    if as_json:
        click.echo(json.dumps({name: {"value": float(value), "n": n} for name, value, n in rows}))
        return
    click.echo(f"{dataset} — {report.items} record(s)")
    width = max(len(name) for name, _, _ in rows) if rows else 10
    click.echo(f"{'measure':{width}}  value   n")
    for name, value, n in rows:
        click.echo(f"{name:{width}}  {value}  {n}")
    for task, misses in report.misses.items():
        for miss in misses[:show_errors]:
            click.echo(f"  miss [{task}] {miss}")

"""`newsstream …`: ingest, enrich, worker, alerts, report, demo."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from streams.config import Settings, load_settings
from streams.errors import ConfigError, NewsstreamError
from streams.ingest.sources import Rejected, read_articles
from streams.log_redaction import install_secret_redaction
from streams.models import Alert, Article, now_millis


def _settings() -> Settings:
    try:
        config = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    install_secret_redaction(config.secret_values())
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsstream")
def main() -> None:
    """newsstream: news articles in, entities, PLOVER/ACLED events, alerts and rows out."""
    logging.basicConfig(
        level=os.environ.get("NEWSSTREAM_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Poll the RSS/Atom feeds a FEEDS.yaml (or .opml) lists, continuously.",
)
@click.option("--once", is_flag=True, help="With --feeds: one pass over every feed, then exit.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --feeds: what was seen already [default: $NEWSSTREAM_DATA_DIR/feeds.sqlite].",
)
@click.option("--metrics-port", type=int, default=None, help="With --feeds: serve /metrics on this port.")
def ingest(
    paths: tuple[str, ...],
    quiet: bool,
    feeds_file: Path | None,
    once: bool,
    state_file: Path | None,
    metrics_port: int | None,
) -> None:
    """Publish articles from files and folders (.txt seed format, .json, .jsonl; '-' for stdin),
    or from RSS/Atom feeds with --feeds."""
    from tqdm import tqdm

    from streams.ingest.producer import ArticlePublisher, publish_all

    config = _settings()
    if feeds_file is not None:
        if paths:
            raise click.UsageError("give PATHS or --feeds, not both")
        _ingest_feeds(config, feeds_file, once=once, state_file=state_file, metrics_port=metrics_port)
        return
    if not paths:
        raise click.UsageError("give the files or folders to publish, or --feeds FEEDS.yaml")
    try:
        publisher = ArticlePublisher(config)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    items = read_articles(paths)
    progress = tqdm(items, unit=" articles", disable=quiet, file=sys.stderr, desc="ingest")
    try:
        report = publish_all(progress, publisher)
    finally:
        publisher.close()
    for rejected in report.rejected:
        click.echo(f"skipped {rejected.origin}: {rejected.reason}", err=True)
    for article_id, error in report.failed:
        click.echo(f"failed to publish {article_id}: {error}", err=True)
    click.echo(
        f"published {len(report.published)} article(s) to {config.topic_articles}"
        f"; {len(report.rejected)} skipped, {len(report.failed)} failed",
        err=True,
    )
    if report.failed or not report.published:
        sys.exit(1)


def _ingest_feeds(
    config: Settings, feeds_file: Path, *, once: bool, state_file: Path | None, metrics_port: int | None
) -> None:
    from streams.ingest.feeds_runner import run_feeds

    try:
        outcomes = run_feeds(config, feeds_file, once=once, state_file=state_file, metrics_port=metrics_port)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    for outcome in outcomes:
        if outcome.ok:
            state = "not modified" if outcome.not_modified else f"{outcome.new} new"
            click.echo(
                f"{outcome.feed}: {state}, {len(outcome.published)} published, {outcome.duplicates} duplicate(s), "
                f"{outcome.rejected} rejected",
                err=True,
            )
        else:
            click.echo(f"{outcome.feed}: FAILED: {outcome.error}", err=True)
    if outcomes:
        published = sum(len(o.published) for o in outcomes)
        failed = sum(1 for o in outcomes if not o.ok)
        click.echo(f"published {published} article(s) from {len(outcomes)} feed(s); {failed} feed(s) failed", err=True)


def _articles_or_fail(paths: tuple[str, ...]) -> Iterator[Article]:
    for item in read_articles(paths):
        if isinstance(item, Rejected):
            click.echo(f"skipped {item.origin}: {item.reason}", err=True)
            continue
        # stamp like the producer does, so dates without a publication time resolve against today
        yield replace(item, ingested_at=item.ingested_at or now_millis())


def _register_replay() -> None:
    from streams.ingest.replay import replay_command

    main.add_command(replay_command, "replay")


_register_replay()


@main.command()
def serve() -> None:
    """Accept articles over HTTP: POST /articles (JSON, one or a batch) with a bearer token."""
    from streams.ingest.http_push import serve as serve_push

    config = _settings()
    try:
        serve_push(config)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None


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


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["enrich", "alert", "store", "notify", "all"]),
    help="Run only this part of the pipeline (repeatable) [default: $NEWSSTREAM_ROLES, or all]. "
    "Each role is a consumer group of its own, so roles scale, and fail, apart.",
)
@click.pass_context
def worker(ctx: click.Context, roles: tuple[str, ...]) -> None:
    """Run a Faust worker (every role unless --role); extra options go to Faust's worker command."""
    from streams.kafka_admin import carry_over_shared_group_offsets, ensure_topics, internal_topics

    if roles:
        # streams.app builds its apps from the settings when it is imported, below
        os.environ["NEWSSTREAM_ROLES"] = ",".join(roles)
    config = _settings()
    from streams.codec import Codecs

    try:
        ensure_topics(config)
        ensure_topics(config, internal_topics(config))
        carry_over_shared_group_offsets(config)
        Codecs.for_settings(config).register_all()
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    config.data_dir.mkdir(parents=True, exist_ok=True)
    from streams.app import app

    sys.argv = [
        "newsstream",
        "worker",
        "-l",
        config.log_level,
        "--web-port",
        str(config.web_port),
        "--web-bind",
        config.web_host,
        "--web-host",
        config.web_host,
        *ctx.args,
    ]
    app.main()


@main.group()
def alerts() -> None:
    """Read alerts from the alerts topic, or try rules offline."""


def _consume(topic: str, config: Settings, from_beginning: bool, timeout: float | None) -> Iterator[bytes]:
    from kafka import KafkaConsumer

    from streams.kafka_admin import client_options, explained_bootstrap_failure, require_reachable

    try:
        require_reachable(config)
        with explained_bootstrap_failure(config):
            consumer = KafkaConsumer(
                topic,
                bootstrap_servers=config.bootstrap_servers,
                auto_offset_reset="earliest" if from_beginning else "latest",
                enable_auto_commit=False,
                group_id=None,
                consumer_timeout_ms=int(timeout * 1000) if timeout else float("inf"),
                **client_options(config),
            )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        for record in consumer:
            yield record.value
    finally:
        consumer.close()


@alerts.command("tail")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest alert, not the next one.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert.")
@click.option("--timeout", type=float, default=None, help="Stop after this many idle seconds.")
@click.option("--max", "limit", type=int, default=None, help="Stop after this many alerts.")
def alerts_tail(from_beginning: bool, as_json: bool, timeout: float | None, limit: int | None) -> None:
    """Print alerts as they arrive on the alerts topic."""
    from streams.alerting.notifiers import ConsoleNotifier, alert_json
    from streams.codec import Codecs

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
    from streams.alerting.rules import load_rules
    from streams.enrich import Enricher

    try:
        rule_set = load_rules(rules)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    from streams.codec import Codecs
    from streams.stages import AlertStage, story_block

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


@main.command("eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", "show_errors", type=int, default=0, help="Show up to N misses per task.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def evaluate(dataset: Path, show_errors: int, as_json: bool) -> None:
    """Score enrichment against a labelled DATASET (JSON lines, or the PLOVER gold-standard file)."""
    from streams.enrich import Enricher
    from streams.evaluation import load_dataset, score, summary_rows

    try:
        items = load_dataset(dataset)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    enriched = Enricher().enrich_batch([item.article for item in items])
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


@main.group("deadletters", invoke_without_command=True)
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Stop after this many idle seconds.")
@click.pass_context
def deadletters(ctx: click.Context, timeout: float) -> None:
    """Print the dead-letter topic from the beginning: origin, stage, reason, error (or: replay)."""
    if ctx.invoked_subcommand is not None:
        return
    from streams.codec import Codecs

    config = _settings()
    codec = Codecs.for_settings(config).dead_letter
    for value in _consume(config.topic_deadletter, config, True, timeout):
        letter = codec.decode(value)
        click.echo(
            f"{letter['topic']}[{letter['partition']}]@{letter['offset']} {letter['stage']}/{letter['reason']}: "
            f"{letter['error_class']}: {letter['error_message'][:200]}"
        )


@deadletters.command("replay")
@click.option("--reason", "reasons", multiple=True, help="Only letters with this reason (repeatable).")
@click.option("--stage", "stages", multiple=True, help="Only letters from this stage: enrich, alert, store, notify.")
@click.option("--topic", "topics", multiple=True, help="Only letters that came from this topic (repeatable).")
@click.option("--since", default=None, help="Only letters written at or after this ISO-8601 time (UTC).")
@click.option("--until", default=None, help="Only letters written before this ISO-8601 time (UTC).")
@click.option("--dry-run", is_flag=True, help="Count what would be replayed; publish nothing.")
@click.option(
    "--timeout", type=float, default=5.0, show_default=True, help="Stop reading after this many idle seconds."
)
def deadletters_replay(
    reasons: tuple[str, ...],
    stages: tuple[str, ...],
    topics: tuple[str, ...],
    since: str | None,
    until: str | None,
    dry_run: bool,
    timeout: float,
) -> None:
    """Publish the selected dead letters' original messages onto the topics they came from, once
    their cause is fixed (ids and upserts make it safe to replay a letter twice)."""
    from streams.codec import Codecs
    from streams.deadletter_replay import LetterSelection, iso_to_millis, replay_letters
    from streams.ingest.producer import make_producer

    config = _settings()
    try:
        selection = LetterSelection(
            reasons=frozenset(reasons),
            stages=frozenset(stages),
            topics=frozenset(topics),
            since_ms=iso_to_millis(since) if since else None,
            until_ms=iso_to_millis(until) if until else None,
        )
        producer = None if dry_run else make_producer(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    codec = Codecs.for_settings(config).dead_letter
    letters = (codec.decode(value) for value in _consume(config.topic_deadletter, config, True, timeout))

    report = replay_letters(letters, selection, producer)
    if producer is not None:
        producer.flush(timeout=60)
        producer.close(timeout=10)
    verb = "would replay" if dry_run else "replayed"
    where = ", ".join(f"{count} onto {topic}" for topic, count in sorted(report.replayed.items())) or "nothing"
    click.echo(f"{verb} {report.total} of {report.seen} dead letter(s): {where}")


@main.command()
def report() -> None:
    """Summarise what storage holds: counts, top entities, events by type, alerts."""
    from streams.report import print_report
    from streams.storage import open_storage

    config = _settings()
    storage = open_storage(config.database_url)
    try:
        print_report(storage, config.database_url, click.echo)
    finally:
        storage.close()


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Give up after this many seconds.")
def demo(paths: tuple[str, ...], timeout: float) -> None:
    """Run the whole pipeline once: start a worker, ingest PATHS (default seeds/), wait until every
    article is stored, print the report, stop the worker. Needs a running broker (`make kafka`)."""
    from streams.ingest.producer import ArticlePublisher, publish_all
    from streams.storage import open_storage

    config = _settings()
    paths = paths or ("seeds",)
    log_path = Path(config.data_dir) / "demo-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    click.echo(f"starting a worker (log: {log_path}; metrics: http://{config.web_host}:{config.web_port}/metrics)")
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        publisher = ArticlePublisher(config)
        try:
            items = list(read_articles(paths))
            published = publish_all(items, publisher)
        finally:
            publisher.close()
        for rejected in published.rejected:
            click.echo(f"skipped {rejected.origin}: {rejected.reason}", err=True)
        wanted = set(published.published)
        click.echo(f"published {len(wanted)} article(s); waiting for them to be enriched, alerted and stored…")
        deadline = time.monotonic() + timeout
        storage = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise click.ClickException(f"the worker exited with code {process.returncode}; see {log_path}")
            try:
                storage = storage or open_storage(config.database_url)
                stored = {row[0] for row in storage.query("SELECT id FROM articles")}
            except Exception:
                stored = set()
            if wanted <= stored:
                break
            time.sleep(1.0)
        else:
            raise click.ClickException(f"not every article was stored within {timeout:.0f}s; see {log_path}")
        time.sleep(3.0)  # let the alert agent finish the last batch
        assert storage is not None  # noqa: S101 - set in the loop before it breaks
        from streams.report import print_report

        print_report(storage, config.database_url, click.echo)
        storage.close()
        click.echo(
            f"\nmetrics were at http://{config.web_host}:{config.web_port}/metrics while the worker ran; "
            f"worker log: {log_path}"
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()

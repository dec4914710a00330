"""`newsstream report` and `newsstream demo`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from streams.commands import _settings, main
from streams.ingest.sources import read_articles


@main.command()
def report() -> None:
    """Summarise what storage holds: counts, top entities, events by type, alerts."""
    from streams.commands.report import print_report
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
                stored = storage.stored_ids()
            except Exception:
                stored = set()
            if wanted <= stored:
                break
            time.sleep(1.0)
        else:
            raise click.ClickException(f"not every article was stored within {timeout:.0f}s; see {log_path}")
        time.sleep(3.0)  # let the alert agent finish the last batch
        assert storage is not None  # noqa: S101 - set in the loop before it breaks
        from streams.commands.report import print_report

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

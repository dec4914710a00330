"""The query API in-process (no server, no broker) over a SQLite store of tests/support/stored_corpus.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streams.storage import open_storage
from streams.web.api import create_app
from streams.web.pool import StoragePool
from tests.support.stored_corpus import stored_alerts, stored_articles

__all__ = ["stored_alerts", "stored_articles"]  # fixtures, shared with the PostgreSQL tests


@pytest.fixture(scope="session")
def store_url(tmp_path_factory, stored_articles, stored_alerts) -> str:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('web')) / 'news.db'}"
    storage = open_storage(url)
    storage.write_articles(stored_articles)
    storage.write_alerts(stored_alerts)
    storage.close()
    return url


@pytest.fixture(scope="session")
def client(store_url: str) -> TestClient:
    pool = StoragePool(store_url, size=2)
    return TestClient(create_app(pool))

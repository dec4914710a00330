"""On-disk cache of the built gazetteer tables.

Building them reads ~170,000 GeoNames towns and folds every name (several seconds); the result
depends only on the installed data packages and our own files, so it is built once per machine
and read back in a fraction of that. The cache is plain JSON under NEWSSTREAM_CACHE_DIR
(default: $XDG_CACHE_HOME/newsstream, else ~/.cache/newsstream); a cache that cannot be read or
written is simply rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    configured = os.environ.get("NEWSSTREAM_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsstream"


def fingerprint(sources: Iterable[Path], packages: Iterable[str]) -> str:
    """Changes whenever a source file or a data package version does."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.read_bytes())
    for package in packages:
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(f"{package}=?".encode())
    return digest.hexdigest()[:16]


def _path(name: str, key: str) -> Path:
    return cache_dir() / f"{name}-{key}.json"


def load(name: str, key: str) -> dict[str, Any] | None:
    path = _path(name, key)
    try:
        with path.open(encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def save(name: str, key: str, tables: dict[str, Any]) -> None:
    path = _path(name, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename, so a reader never sees half a file (workers start side by side)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(tables, tmp, separators=(",", ":"))
        os.replace(tmp.name, path)
    except OSError as exc:
        log.debug("gazetteer cache not written to %s: %s", path, exc)

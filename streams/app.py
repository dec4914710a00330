"""The face `faust -A streams.app worker` looks for. Nothing is built at import: the worker's apps
are made from the settings the first time `streams.app.app` is read."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from streams.config import settings
        from streams.runtime.apps import create_app

        return create_app(settings())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

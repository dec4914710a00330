"""Loads the Avro schemas in schemas/ (the source of truth) once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import avro.schema

from streams.core.errors import ConfigError

#: topic value name -> schema file
SCHEMA_FILES = {
    "article": "article.avsc",
    "enriched_article": "enriched_article.avsc",
    "alert": "alert.avsc",
    "dead_letter": "dead_letter.avsc",
}


def schema_dir() -> Path:
    """The checkout's schemas/ when run from source, else the copy packed into the wheel."""
    in_checkout = Path(__file__).resolve().parents[2] / "schemas"
    if in_checkout.is_dir():
        return in_checkout
    packed = Path(str(resources.files("streams") / "_schemas"))
    if packed.is_dir():
        return packed
    raise ConfigError("Avro schemas not found: reinstall newsstream (pip install .) from a full checkout")


@cache
def load_schema(name: str) -> avro.schema.RecordSchema:
    """Parse one named schema (see SCHEMA_FILES)."""
    path = schema_dir() / SCHEMA_FILES[name]
    parsed = avro.schema.parse(path.read_text(encoding="utf-8"))
    assert isinstance(parsed, avro.schema.RecordSchema)  # noqa: S101 - our own files, all records
    return parsed


def schema_json(name: str) -> dict[str, object]:
    """The schema as plain JSON, for registries and compatibility checks."""
    parsed: dict[str, object] = json.loads((schema_dir() / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
    return parsed

"""Every schema in schemas/ must read records written with each of its earlier versions."""

import io
import json
from pathlib import Path
from typing import Any

import avro.io
import avro.schema
import pytest

from streams.wire.schemas import SCHEMA_FILES, schema_dir


def sample(schema: avro.schema.Schema, depth: int = 0) -> Any:
    """A record exercising every field of a schema (two items per array, non-null union branches)."""
    if isinstance(schema, avro.schema.RecordSchema):
        return {field.name: sample(field.type, depth + 1) for field in schema.fields}
    if isinstance(schema, avro.schema.ArraySchema):
        return [sample(schema.items, depth + 1) for _ in range(2)]
    if isinstance(schema, avro.schema.UnionSchema):
        branches = [s for s in schema.schemas if s.type != "null"]
        return sample(branches[0], depth + 1) if branches else None
    return {
        "string": "text",
        "bytes": b"\x00\x01",
        "int": 7,
        "long": 1_700_000_000_000,
        "double": 1.5,
        "boolean": True,
    }[schema.type]


HISTORY = sorted((schema_dir() / "history").glob("*.avsc"))


def test_every_schema_has_a_history():
    """Each current schema has at least its first released version kept."""
    for name in SCHEMA_FILES:
        assert any(path.name.startswith(f"{name}.v") for path in HISTORY), name


@pytest.mark.parametrize("old_path", HISTORY, ids=lambda p: p.name)
def test_current_schema_reads_old_records(old_path: Path):
    """Backward compatibility: data written with an old version decodes with the current schema."""
    name = old_path.name.split(".v")[0]
    old = avro.schema.parse(old_path.read_text())
    current = avro.schema.parse((schema_dir() / SCHEMA_FILES[name]).read_text())
    record = sample(old)
    buffer = io.BytesIO()
    avro.io.DatumWriter(old).write(record, avro.io.BinaryEncoder(buffer))
    decoded = avro.io.DatumReader(old, current).read(avro.io.BinaryDecoder(io.BytesIO(buffer.getvalue())))
    for field in old.fields:
        if field.name in {f.name for f in current.fields}:
            kept = _as_written(decoded[field.name], record[field.name])
            assert json.dumps(kept, default=repr) == json.dumps(record[field.name], default=repr)


def _as_written(decoded: Any, written: Any) -> Any:
    """The decoded value without the fields a newer schema added (at any depth: a new field of an
    event record inside an article), which take their defaults."""
    if isinstance(decoded, dict) and isinstance(written, dict):
        return {key: _as_written(decoded.get(key), value) for key, value in written.items()}
    if isinstance(decoded, list) and isinstance(written, list):
        return [_as_written(d, w) for d, w in zip(decoded, written, strict=True)]
    return decoded

"""Avro on the wire: single-object encoding by default, Confluent framing with a registry.

Single-object encoding (Avro spec): C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the
writer schema's canonical form, then the binary body. The fingerprint tells a reader which schema
wrote the bytes, so a reader holding several versions can resolve old records against new ones.

The `avro` package parses the schemas and computes fingerprints; record bodies go through fastavro,
which encodes and decodes an enriched article about ten times faster (bench: 4.5 ms and 2.6 ms per
enriched article with python-avro, on the hot path three times per article).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from typing import Any, Protocol

import avro.schema
import fastavro

from streams.core.errors import SchemaError
from streams.wire.schemas import load_schema, schema_json

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = b"\x00"


class SchemaIds(Protocol):
    """What the Confluent framing needs from a schema registry."""

    def id_for(self, subject: str, schema: avro.schema.Schema) -> int: ...

    def schema_for(self, schema_id: int) -> avro.schema.Schema: ...


class AvroSerializer:
    """Encodes and decodes one record type (a schema in schemas/) for one topic."""

    def __init__(self, schema_name: str, *, registry: SchemaIds | None = None, subject: str = "") -> None:
        self.schema = load_schema(schema_name)
        self.fingerprint = self.schema.fingerprint("CRC-64-AVRO")
        self._parsed = fastavro.parse_schema(schema_json(schema_name))
        # writer schemas we can read, by fingerprint; older versions get added here on evolution
        self._writers: dict[bytes, Any] = {self.fingerprint: None}
        self._registry = registry
        self._registry_writers: dict[int, Any] = {}
        self._subject = subject
        self._schema_id: int | None = None

    def register(self) -> None:
        """With a registry: register this schema now, so its id (and its writer, for decoding what
        we wrote) is known before the stream starts and a registry outage later costs nothing."""
        if self._registry is not None and self._schema_id is None:
            self._schema_id = self._registry.id_for(self._subject, self.schema)

    def encode(self, record: Mapping[str, Any]) -> bytes:
        """Record (a dict matching the schema) -> framed bytes; invalid records raise SchemaError."""
        buffer = io.BytesIO()
        if self._registry is not None:
            self.register()
            buffer.write(CONFLUENT_MAGIC + struct.pack(">I", self._schema_id))
        else:
            buffer.write(SINGLE_OBJECT_MAGIC + self.fingerprint)
        try:
            fastavro.schemaless_writer(buffer, self._parsed, record)
        except Exception as exc:  # fastavro raises TypeError, ValueError, KeyError… for a bad record
            raise SchemaError(
                f"record does not match {self.schema.fullname}: {type(exc).__name__}: {_short(exc)}"
            ) from None
        return buffer.getvalue()

    def decode(self, data: bytes) -> dict[str, Any]:
        """Framed bytes -> record dict; anything that is not a valid record raises SchemaError."""
        if data[:2] == SINGLE_OBJECT_MAGIC:
            if data[2:10] not in self._writers:
                raise SchemaError(f"unknown writer schema fingerprint {data[2:10].hex()} for {self.schema.fullname}")
            writer = self._writers[data[2:10]] or self._parsed
            body = data[10:]
        elif data[:1] == CONFLUENT_MAGIC and self._registry is not None and len(data) >= 5:
            (schema_id,) = struct.unpack(">I", data[1:5])
            if schema_id not in self._registry_writers:
                registered = self._registry.schema_for(schema_id)
                self._registry_writers[schema_id] = fastavro.parse_schema(registered.to_json())  # type: ignore[arg-type]  # avro types to_json as object
            writer = self._registry_writers[schema_id]
            body = data[5:]
        else:
            raise SchemaError(f"not an Avro {self.schema.fullname} message (starts {data[:4].hex() or 'empty'})")
        stream = io.BytesIO(body)
        try:
            reader = None if writer is self._parsed else self._parsed
            record = fastavro.schemaless_reader(stream, writer, reader)
        except Exception as exc:  # corrupt input raises many types; all mean "undecodable"
            raise SchemaError(f"corrupt {self.schema.fullname} body: {type(exc).__name__}: {_short(exc)}") from None
        if stream.tell() != len(body):
            raise SchemaError(f"trailing bytes after a {self.schema.fullname} record")
        if not isinstance(record, dict):
            raise SchemaError(f"decoded value is not a {self.schema.fullname} record")
        return record


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"

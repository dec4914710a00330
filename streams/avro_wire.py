"""Avro on the wire: single-object encoding by default, Confluent framing with a registry.

Single-object encoding (Avro spec): C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the
writer schema's canonical form, then the binary body. The fingerprint tells a reader which schema
wrote the bytes, so a reader holding several versions can resolve old records against new ones.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from typing import Any, Protocol

import avro.io
import avro.schema

from streams.errors import SchemaError
from streams.schemas import load_schema

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
        self._writer = avro.io.DatumWriter(self.schema)
        # writer schemas we can read, by fingerprint; older versions get added here on evolution
        self._readers: dict[bytes, avro.io.DatumReader] = {
            self.fingerprint: avro.io.DatumReader(self.schema, self.schema)
        }
        self._registry = registry
        self._subject = subject
        self._schema_id: int | None = None

    def encode(self, record: Mapping[str, Any]) -> bytes:
        """Record (a dict matching the schema) -> framed bytes; invalid records raise SchemaError."""
        buffer = io.BytesIO()
        if self._registry is not None:
            if self._schema_id is None:
                self._schema_id = self._registry.id_for(self._subject, self.schema)
            buffer.write(CONFLUENT_MAGIC + struct.pack(">I", self._schema_id))
        else:
            buffer.write(SINGLE_OBJECT_MAGIC + self.fingerprint)
        try:
            self._writer.write(record, avro.io.BinaryEncoder(buffer))
        except avro.errors.AvroTypeException as exc:
            raise SchemaError(f"record does not match {self.schema.fullname}: {_short(exc)}") from None
        return buffer.getvalue()

    def decode(self, data: bytes) -> dict[str, Any]:
        """Framed bytes -> record dict; anything that is not a valid record raises SchemaError."""
        if data[:2] == SINGLE_OBJECT_MAGIC:
            reader = self._readers.get(data[2:10])
            if reader is None:
                raise SchemaError(f"unknown writer schema fingerprint {data[2:10].hex()} for {self.schema.fullname}")
            body = data[10:]
        elif data[:1] == CONFLUENT_MAGIC and self._registry is not None and len(data) >= 5:
            (schema_id,) = struct.unpack(">I", data[1:5])
            reader = avro.io.DatumReader(self._registry.schema_for(schema_id), self.schema)
            body = data[5:]
        else:
            raise SchemaError(f"not an Avro {self.schema.fullname} message (starts {data[:4].hex() or 'empty'})")
        decoder = avro.io.BinaryDecoder(io.BytesIO(body))
        try:
            record = reader.read(decoder)
        except Exception as exc:  # avro raises many types on corrupt input; all mean "undecodable"
            raise SchemaError(f"corrupt {self.schema.fullname} body: {type(exc).__name__}: {_short(exc)}") from None
        if decoder.reader.read(1):
            raise SchemaError(f"trailing bytes after a {self.schema.fullname} record")
        if not isinstance(record, dict):
            raise SchemaError(f"decoded value is not a {self.schema.fullname} record")
        return record


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"

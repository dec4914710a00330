"""A small Confluent Schema Registry client: register under <topic>-value, look ids up, cache both."""

from __future__ import annotations

import json
import threading

import avro.schema
import httpx

from streams.core.errors import ConfigError


class SchemaRegistryClient:
    """Just the two calls the Confluent wire framing needs, cached for the life of the process.

    Faust codecs are synchronous, so ids are fetched once (on first use of each subject) and kept.
    """

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self._ids: dict[tuple[str, str], int] = {}
        self._schemas: dict[int, avro.schema.Schema] = {}
        self._lock = threading.Lock()

    def id_for(self, subject: str, schema: avro.schema.Schema) -> int:
        """Register (idempotent on the registry's side) and return the schema id."""
        canonical = schema.canonical_form
        with self._lock:
            cached = self._ids.get((subject, canonical))
            if cached is not None:
                return cached
            try:
                response = self._http.post(
                    f"/subjects/{subject}/versions",
                    json={"schema": json.dumps(schema.to_json())},
                    headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
                )
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise ConfigError(
                    f"schema registry at {self._http.base_url} refused {subject}: {exc}; "
                    "check NEWSSTREAM_SCHEMA_REGISTRY_URL or unset it for single-object encoding"
                ) from None
            schema_id = int(response.json()["id"])
            self._ids[(subject, canonical)] = schema_id
            self._schemas[schema_id] = schema
            return schema_id

    def schema_for(self, schema_id: int) -> avro.schema.Schema:
        """The writer schema registered under an id."""
        with self._lock:
            cached = self._schemas.get(schema_id)
            if cached is not None:
                return cached
            response = self._http.get(f"/schemas/ids/{schema_id}")
            response.raise_for_status()
            parsed = avro.schema.parse(response.json()["schema"])
            self._schemas[schema_id] = parsed
            return parsed

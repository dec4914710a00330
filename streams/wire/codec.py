"""The Avro serializer of each topic, for one configuration: single-object encoding by default,
Confluent framing (schemas registered under `<topic>-value`) when a schema registry is configured.
Readers accept both framings, so a deployment can switch without draining its topics."""

from __future__ import annotations

from dataclasses import dataclass

from streams.config import Settings
from streams.wire.avro import AvroSerializer
from streams.wire.schema_registry import SchemaRegistryClient


@dataclass(frozen=True)
class Codecs:
    """One serializer per topic value, made once per process."""

    article: AvroSerializer
    enriched: AvroSerializer
    alert: AvroSerializer
    dead_letter: AvroSerializer

    @classmethod
    def for_settings(cls, settings: Settings | None = None) -> Codecs:
        """Serializers for these settings (no settings: single-object encoding, default topics)."""
        registry = (
            SchemaRegistryClient(settings.schema_registry_url)
            if settings is not None and settings.schema_registry_url
            else None
        )

        def serializer(schema: str, topic: str) -> AvroSerializer:
            return AvroSerializer(schema, registry=registry, subject=f"{topic}-value")

        return cls(
            article=serializer("article", settings.topic_articles if settings else "news.articles"),
            enriched=serializer("enriched_article", settings.topic_enriched if settings else "news.enriched"),
            alert=serializer("alert", settings.topic_alerts if settings else "news.alerts"),
            dead_letter=serializer("dead_letter", settings.topic_deadletter if settings else "news.deadletter"),
        )

    def register_all(self) -> None:
        """With a schema registry: register every schema now (a ConfigError names the setting when
        the registry cannot be reached); without one, nothing to do."""
        for serializer in (self.article, self.enriched, self.alert, self.dead_letter):
            serializer.register()

"""Confluent framing against a local HTTP server speaking the two Schema Registry calls we use."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from streams.config import load_settings
from streams.wire.codec import Codecs


class Registry:
    """Assigns ids in registration order and serves schemas back by id, like a registry."""

    def __init__(self) -> None:
        self.schemas: list[str] = []
        self.subjects: list[str] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                subject = self.path.split("/")[2]
                if body["schema"] not in registry.schemas:
                    registry.schemas.append(body["schema"])
                registry.subjects.append(subject)
                self._reply({"id": registry.schemas.index(body["schema"]) + 1})

            def do_GET(self) -> None:
                schema_id = int(self.path.rsplit("/", 1)[1])
                self._reply({"schema": registry.schemas[schema_id - 1]})

            def _reply(self, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_registry_framing_round_trips_and_reads_single_object_too(seed_article):
    """With a registry: magic byte 0 + schema id, subject <topic>-value; old single-object data still reads."""
    registry = Registry()
    codecs = Codecs.for_settings(load_settings(schema_registry_url=registry.url, topic_articles="in.articles"))
    data = codecs.article.encode(seed_article.to_record())
    assert data[0] == 0 and int.from_bytes(data[1:5], "big") == 1
    assert registry.subjects == ["in.articles-value"]
    fresh = Codecs.for_settings(load_settings(schema_registry_url=registry.url))  # looks the id up over HTTP
    assert fresh.article.decode(data) == seed_article.to_record()
    single_object = Codecs.for_settings().article.encode(seed_article.to_record())
    assert fresh.article.decode(single_object) == seed_article.to_record()
    registry.server.shutdown()


def test_after_registering_at_start_up_the_codecs_need_no_registry(seed_article):
    """register_all at start-up; then the registry goes away and our own messages still encode and decode."""
    registry = Registry()
    codecs = Codecs.for_settings(load_settings(schema_registry_url=registry.url))
    codecs.register_all()
    assert len(registry.subjects) == 4
    registry.server.shutdown()
    registry.server.server_close()
    data = codecs.article.encode(seed_article.to_record())
    assert codecs.article.decode(data) == seed_article.to_record()


def test_an_unreachable_registry_at_start_up_names_the_setting():
    """A registry that does not answer is a configuration error saying which variable to fix."""
    import socket

    import pytest

    from streams.core.errors import ConfigError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    codecs = Codecs.for_settings(load_settings(schema_registry_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(ConfigError, match="NEWSSTREAM_SCHEMA_REGISTRY_URL"):
        codecs.register_all()

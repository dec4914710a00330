"""Runs the query API with uvicorn: checks the bind and the database first, so a bad setting fails
at start-up with what to fix rather than on the first request."""

from __future__ import annotations

import ipaddress
import logging
import socket

from fastapi import FastAPI

from streams.config import Settings
from streams.core.errors import ConfigError
from streams.web.api import create_app
from streams.web.pool import StoragePool

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True when `host` names only this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:  # a host name: loopback only if every address it resolves to is
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False
        return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def check_bind(settings: Settings) -> None:
    """An API reachable from other machines must ask for a token."""
    if not settings.api_token_list and not is_loopback(settings.api_host):
        raise ConfigError(
            f"NEWSSTREAM_API_HOST is {settings.api_host}, reachable from other machines, but NEWSSTREAM_API_TOKENS "
            "is not set: set bearer tokens (or NEWSSTREAM_API_TOKENS_FILE), or bind 127.0.0.1"
        )


def build(settings: Settings) -> tuple[StoragePool, FastAPI]:
    """The pool (its database checked now) and the app over it."""
    check_bind(settings)
    pool = StoragePool(settings.database_url, size=settings.api_pool_size)
    with pool.storage() as storage:  # opens (and upgrades) the database now: a wrong URL fails here
        storage.ping()
    app = create_app(pool, tokens=settings.api_token_list, cors_origins=settings.api_cors_origin_list)
    return pool, app


def serve(settings: Settings) -> None:
    """Serve until interrupted."""
    import uvicorn

    pool, app = build(settings)
    log.info(
        "query API on http://%s:%d/api/v1 (%s)",
        settings.api_host,
        settings.api_port,
        "bearer tokens required" if settings.api_token_list else "open: loopback only",
    )
    try:
        uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_level="warning", access_log=False)
    finally:
        pool.close()

"""A polite HTTP client for feeds and article pages: one User-Agent, timeouts, a size limit,
conditional GET, a per-host limit on concurrent requests and on their rate, and robots.txt for
pages (RFC 9309). Feeds themselves are fetched without robots.txt: a feed list is the user's
subscription, as in any feed reader, not a crawl."""

from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from streams.core.errors import NewsstreamError
from streams.ingest.addresses import non_public_address

ROBOTS_TTL = 3600.0  # re-read a host's robots.txt after an hour


def display_url(url: str) -> str:
    """The URL without credentials or query, for logs and stored errors (API keys live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _wire_host(host: str) -> str:
    """A host name as it is sent and resolved: IDNA-encoded, lower case."""
    return httpx.URL(f"http://{host}/").raw_host.decode("ascii").lower()


class FetchError(NewsstreamError):
    """A fetch that gave nothing usable; `kind` is the metric label (timeout, connect, http_503…)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # after redirects
    status: int
    content: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    pace: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_request: float = 0.0


class PoliteFetcher:
    """Shared by every feed of a poller, so the limits hold per host across feeds."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 5 * 1024 * 1024,
        per_host_concurrency: int = 2,
        per_host_interval: float = 1.0,
        trusted_hosts: frozenset[str] = frozenset(),
        allow_private_addresses: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        # the hosts of the operator's own feed URLs: reachable whatever their address
        self.trusted_hosts = frozenset(_wire_host(host) for host in trusted_hosts if host)
        self.allow_private_addresses = allow_private_addresses
        self.max_bytes = max_bytes
        # httpx's timeout bounds each read; this bounds the whole request (a byte every 19 s is no answer)
        self.total_timeout = timeout * 3
        self.per_host_concurrency = per_host_concurrency
        self.per_host_interval = per_host_interval
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=5,
            transport=transport,
            event_hooks={"request": [self._refuse_private_destination]},  # every redirect hop too
        )
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}

    async def close(self) -> None:
        await self._client.aclose()

    async def _refuse_private_destination(self, request: httpx.Request) -> None:
        # the host as it goes on the wire (IDNA-encoded): the Unicode form httpx shows can resolve
        # to another name than the one it connects to
        host = request.url.raw_host.decode("ascii").lower()
        if self.allow_private_addresses or host in self.trusted_hosts:
            return
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            address = await non_public_address(host, port)
        except OSError:
            raise FetchError(
                "unresolved", f"{display_url(str(request.url))}: its host does not resolve, so it cannot be checked"
            ) from None
        if address is not None:
            raise FetchError(
                "private_address",
                f"{display_url(str(request.url))} resolves to {address}, not a public address: refused "
                "(NEWSSTREAM_FETCH_ALLOW_PRIVATE_ADDRESSES=true allows it)",
            )

    def _host(self, url: str) -> _Host:
        key = (urlsplit(url).hostname or "").lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.per_host_concurrency))
        return self._hosts[key]

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, obey_robots: bool = False
    ) -> FetchResult:
        """GET within the host's limits; FetchError for anything but a usable answer (or a 304)."""
        if obey_robots:  # a page link from a feed: its address is checked before robots.txt is read there
            try:
                request = httpx.Request("GET", url)
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError("invalid_url", f"{display_url(url)}: {exc}") from None
            await self._refuse_private_destination(request)
        if obey_robots and not await self.allowed(url):
            raise FetchError("robots", f"robots.txt of {urlsplit(url).hostname} disallows {display_url(url)}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers)

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._get_within_limits(url, headers)
        except TimeoutError:
            raise FetchError("timeout", f"{display_url(url)} took over {self.total_timeout:.0f} s") from None

    async def _get_within_limits(self, url: str, headers: dict[str, str]) -> FetchResult:
        host = self._host(url)
        async with host.slots:
            async with host.pace:  # requests to one host start at least per_host_interval apart
                wait = host.last_request + self.per_host_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.last_request = time.monotonic()
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 304:
                        return FetchResult(str(response.url), 304, b"", headers.get("If-None-Match"))
                    if response.status_code >= 400:
                        raise FetchError(
                            f"http_{response.status_code}", f"{display_url(url)} answered {response.status_code}"
                        )
                    declared = int(response.headers.get("Content-Length") or 0)
                    if declared > self.max_bytes:
                        raise FetchError(
                            "too_large", f"{display_url(url)} is {declared} bytes, over the {self.max_bytes} limit"
                        )
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FetchError("too_large", f"{display_url(url)} exceeds the {self.max_bytes} byte limit")
                        chunks.append(chunk)
                    return FetchResult(
                        str(response.url),
                        response.status_code,
                        b"".join(chunks),
                        response.headers.get("ETag"),
                        response.headers.get("Last-Modified"),
                    )
            except httpx.TimeoutException:
                raise FetchError("timeout", f"{display_url(url)} timed out") from None
            except httpx.TooManyRedirects:
                raise FetchError("redirects", f"{display_url(url)} redirects too often") from None
            except httpx.HTTPError as exc:
                raise FetchError("connect", f"{display_url(url)}: {type(exc).__name__}") from None
            except (httpx.InvalidURL, ValueError) as exc:  # not a URL httpx can send (bad port, bad host)
                raise FetchError("invalid_url", f"{display_url(url)}: {exc}") from None

    async def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets our User-Agent fetch the URL. RFC 9309: a 4xx
        robots.txt allows everything; an unreachable one (5xx, network) disallows for now."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
            cached = (time.monotonic(), await self._read_robots(origin))
            self._robots[origin] = cached
        rules = cached[1]
        if rules is None:
            return False
        return rules.can_fetch(self.user_agent, url)

    async def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        rules = urllib.robotparser.RobotFileParser()
        try:
            result = await self._get(f"{origin}/robots.txt", {})
        except FetchError as exc:
            if exc.kind.startswith("http_4"):
                rules.parse([])  # no robots.txt: everything allowed
                return rules
            return None
        rules.parse(result.content.decode("utf-8", "replace").splitlines())
        return rules

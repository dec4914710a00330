"""A local news site for ingestion tests (no internet here): RSS 2.0, Atom, RSS 1.0, a malformed
feed, one that answers 304 to a conditional GET, one that never answers in time, article pages
(one reached through an AMP link, one only as a relative link), redirects, and robots.txt."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARAGRAPH = (
    "Security forces clashed with armed men near the provincial capital on Monday, officials said, "
    "and the regional governor ordered a curfew while the army sent reinforcements to the area. "
)


def page(title: str, text: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{text} {PARAGRAPH}</p>" for _ in range(3))
    return (
        f"<html><head><title>{title}</title>{link}<meta name='author' content='Staff Reporter'></head>"
        f"<body><nav>Home | World | Sport</nav><article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright</footer></body></html>"
    ).encode()


def rss2(base: str, items: list[tuple[str, str, str]]) -> bytes:
    """items: (title, link, summary); links may be relative."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink='false'>{link}</guid>"
        f"<description>{s}</description><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        for t, link, s in items
    )
    channel = f"<channel><title>Wire</title><link>{base}</link>{entries}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


def atom(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{t}</title><link href='{link}'/><id>{link}</id><updated>2026-11-23T10:00:00Z</updated>"
        f"<summary>{s}</summary></entry>"
        for t, link, s in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Atom wire</title>"
        f"<id>{base}/atom</id><updated>2026-11-23T10:00:00Z</updated>{entries}</feed>"
    ).encode()


@dataclass
class NewsSite:
    """Routes: path -> (status, content type, body); `slow` paths wait longer than any client."""

    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location of a 302
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def add(self, path: str, body: bytes, content_type: str = "text/html", status: int = 200) -> str:
        self.routes[path] = (status, content_type, body)
        return f"{self.base}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested.split("?")[0] == path)


@contextmanager
def serve_site() -> Iterator[NewsSite]:
    site = NewsSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers)))
            path = self.path.split("?")[0]
            if path in site.slow:
                time.sleep(5)
            if path in site.redirects:
                self.send_response(302)
                self.send_header("Location", site.redirects[path])
                self.end_headers()
                return
            if path not in site.routes:
                self.send_response(404)
                self.end_headers()
                return
            etag = site.etags.get(path)
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            status, content_type, body = site.routes[path]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (slow feed)
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def standard_site(site: NewsSite) -> dict[str, str]:
    """The fixture set the feed tests share; returns feed name -> feed URL."""
    base = site.base
    site.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.add("/world/ceasefire-talks", page("Ceasefire talks resume in Doha", "Delegations met in Doha on Monday."))
    site.add(
        "/world/border-clashes",
        page(
            "Border clashes kill 12", "Twelve soldiers were killed in border clashes.", f"{base}/world/border-clashes"
        ),
    )
    site.add("/world/border-clashes/amp", page("Border clashes kill 12 (AMP)", "Twelve soldiers were killed."))
    site.add("/world/flood-relief", page("Flood relief reaches villages", "Aid convoys reached flooded villages."))
    site.add("/private/leak", page("Private", "Should never be fetched."))
    rss = rss2(
        base,
        [
            ("Ceasefire talks resume in Doha", "/world/ceasefire-talks?utm_source=rss", "Talks resumed."),
            ("Border clashes kill 12", f"{base}/world/border-clashes", "Clashes on the border."),
            ("Private item", "/private/leak", "Protesters gathered outside parliament in the capital on Monday."),
        ],
    )
    feeds = {
        "rss2": site.add("/feeds/world.rss", rss, "application/rss+xml"),
        # the same clash story through its AMP link: one article, not two
        "atom": site.add(
            "/feeds/atom.xml",
            atom(
                base,
                [
                    ("Border clashes kill 12", f"{base}/world/border-clashes/amp?utm_medium=social", "Clashes."),
                    ("Flood relief reaches villages", "/world/flood-relief", "Aid arrives."),
                ],
            ),
            "application/atom+xml",
        ),
        "malformed": site.add("/feeds/broken.xml", b"<rss><channel><item><title>cut off", "application/rss+xml"),
        "not-modified": site.add("/feeds/cached.rss", rss2(base, []), "application/rss+xml"),
        "timeout": site.add("/feeds/slow.rss", rss2(base, []), "application/rss+xml"),
    }
    site.etags["/feeds/cached.rss"] = '"v1"'
    site.slow.add("/feeds/slow.rss")
    return feeds

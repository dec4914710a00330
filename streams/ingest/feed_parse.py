"""RSS 0.9x/1.0/2.0 and Atom documents -> feed entries, with feedparser. Pure: bytes in, records out."""

from __future__ import annotations

import calendar
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html

from streams.core.errors import NewsstreamError


class FeedError(NewsstreamError):
    """A feed document that yields nothing usable (not a feed, or broken beyond recovery)."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, its links made absolute and its HTML reduced to text."""

    key: str  # guid/id, else link: what "seen before" is decided on
    link: str | None
    title: str
    summary: str
    content: str  # the full text when the feed carries it (content:encoded, Atom content)
    published: str | None
    author: str | None


def html_text(fragment: str) -> str:
    """Visible text of an HTML fragment, paragraphs kept apart."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return fragment.strip()
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3"):
        block.tail = "\n" + (block.tail or "")
    text = root.text_content()
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()


def parse_feed(document: bytes, base_url: str) -> tuple[str, list[FeedEntry]]:
    """(feed title, entries). A document feedparser can read nothing from raises FeedError; one
    with recoverable flaws (feedparser's "bozo") still gives its entries."""
    # a file object, never the bytes themselves: feedparser opens a str/bytes that looks like a path
    parsed: Any = feedparser.parse(io.BytesIO(document))
    problem = parsed.get("bozo_exception")
    entries: list[FeedEntry] = []
    for item in parsed.entries:
        link = item.get("link")
        link = urljoin(base_url, link) if link else None
        content = " ".join(part.get("value", "") for part in item.get("content", []) if isinstance(part, dict))
        key = item.get("id") or item.get("guid") or link
        title = html_text(item.get("title", ""))
        if not link and not title:
            continue  # debris of a broken document, not an article
        entries.append(
            FeedEntry(
                key=str(key or f"title:{title}"),
                link=link,
                title=title,
                summary=html_text(item.get("summary", "")),
                content=html_text(content),
                published=_iso(item.get("published_parsed") or item.get("updated_parsed")),
                author=item.get("author"),
            )
        )
    if not entries and (parsed.bozo or not parsed.get("version")):
        raise FeedError(f"not a readable RSS or Atom feed: {problem or 'no entries'}")
    return html_text(parsed.feed.get("title", "")), entries

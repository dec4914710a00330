"""An article page -> its main text and metadata (title, date, author, canonical URL), with
trafilatura. Pure: HTML in, record out; fetching is the poller's job."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from streams.core.errors import NewsstreamError


class ExtractionFailed(NewsstreamError):
    """The page has no main text that could be found."""


@dataclass(frozen=True, slots=True)
class PageText:
    title: str
    text: str
    published: str | None
    author: str | None
    canonical_url: str | None


MIN_TEXT_CHARS = 200  # less than this is a teaser, a paywall or a cookie wall, not an article


def extract_page(html: str | bytes, url: str) -> PageText:
    """The page's main text and metadata; ExtractionFailed when no article text is found."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionFailed(f"no article text found ({len(text)} characters)")
    title = (getattr(document, "title", None) or "").strip()
    # trafilatura repeats the headline as the first line of the text
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title:
        text = "\n".join(lines[1:]).strip()
    return PageText(
        title=title,
        text=text,
        published=getattr(document, "date", None),
        author=getattr(document, "author", None),
        canonical_url=getattr(document, "url", None),
    )

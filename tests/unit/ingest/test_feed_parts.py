"""Feed lists, URL identity, feed formats, page extraction and language: the pure parts of ingestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.core.errors import ConfigError
from streams.core.identity import article_id, canonical_url
from streams.core.language import detect_language, is_english
from streams.ingest.extract import ExtractionFailed, extract_page
from streams.ingest.feed_parse import FeedError, parse_feed
from streams.ingest.feeds_config import load_feeds
from tests.support.news_site import atom, page, rss2

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="World"><outline text="Wire A" title="Wire A" type="rss" xmlUrl="https://a.example/rss"/>
<outline text="Wire B" type="rss" xmlUrl="https://b.example/atom.xml"/></outline></body></opml>"""


def test_feed_list_with_defaults_opml_and_duplicates(tmp_path: Path):
    (tmp_path / "reader.opml").write_bytes(OPML)
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(
        "defaults:\n  interval: 10m\nfeeds:\n"
        "  - url: https://a.example/rss\n    name: A\n    interval: 2m\n"
        "  - opml: reader.opml\n"
        "  - url: https://c.example/feed\n    full_text: never\n"
    )
    feeds = load_feeds(feeds_file)
    assert [(f.name, f.url, f.interval, f.full_text) for f in feeds] == [
        ("A", "https://a.example/rss", 120.0, "auto"),
        ("Wire B", "https://b.example/atom.xml", 600.0, "auto"),
        ("c.example", "https://c.example/feed", 600.0, "never"),
    ]
    assert [f.name for f in load_feeds(tmp_path / "reader.opml")] == ["Wire A", "Wire B"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            "feeds:\n  - url: https://a.example/rss\n  - url: ftp://b.example/x\n",
            "feeds.yaml:3: url must be an http(s)",
        ),
        ("feeds:\n  - url: https://a.example/rss\n    interval: 5s\n", "feeds.yaml:2: interval 5s is below"),
        ("feeds:\n  - url: https://a.example/rss\n    colour: red\n", "unknown field(s) ['colour']"),
        ("feeds:\n  - url: https://a.example/rss\n    full_text: maybe\n", "full_text must be one of"),
        ("feed:\n  - url: https://a.example/rss\n", "expected a mapping with a `feeds:` list"),
        ("feeds: [\n", "not valid YAML"),
    ],
)
def test_bad_feed_lists_name_the_file_line_and_field(tmp_path: Path, text: str, complaint: str):
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=None) as raised:
        load_feeds(path)
    assert complaint in str(raised.value)


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.com/world/story-1?id=3",
        "HTTPS://WWW.EXAMPLE.COM/world/story-1?id=3#comments",
        "https://www.example.com/world/story-1?utm_source=rss&utm_medium=feed&id=3&fbclid=abc&gclid=x",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/world/story-1?id=3",
        "https://www.example.com/amp/world/story-1?id=3",
        "https://www.example.com/world/story-1/amp/?id=3",
        "https://www.example.com/world/story-1?outputType=amp&id=3",
        "https://www.example.com:443/world/story-1?id=3&amp=1",
    ],
)
def test_every_variant_of_a_link_is_one_article(variant: str):
    reference = "https://www.example.com/world/story-1?id=3"
    assert canonical_url(variant) == reference
    assert article_id(url=variant, title="a", body="b") == article_id(url=reference, title="c", body="d")


def test_rss2_atom_and_rss1_entries_with_relative_links():
    base = "https://news.example"
    _, rss_entries = parse_feed(rss2(base, [("Talks &amp; truce", "/world/a", "<p>Talks <b>resume</b></p>")]), base)
    assert (rss_entries[0].title, rss_entries[0].link, rss_entries[0].summary) == (
        "Talks & truce",
        "https://news.example/world/a",
        "Talks resume",
    )
    assert rss_entries[0].published == "2026-11-23T10:00:00+00:00"
    title, atom_entries = parse_feed(atom(base, [("Clash", "/world/b", "Clash summary")]), f"{base}/feeds/atom.xml")
    assert title == "Atom wire" and atom_entries[0].link == "https://news.example/world/b"
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/"><title>RDF</title>'
        b"<link>https://news.example/</link><description>d</description></channel>"
        b'<item rdf:about="https://news.example/c"><title>Old format</title><link>https://news.example/c</link>'
        b"<description>Still read.</description></item></rdf:RDF>"
    )
    _, rdf_entries = parse_feed(rdf, base)
    assert [e.link for e in rdf_entries] == ["https://news.example/c"]


@pytest.mark.parametrize(
    "document", [b"<html><body>a web page</body></html>", b"<rss><channel><item><title>cut", b"\x00\xffbinary"]
)
def test_documents_that_are_not_feeds_raise(document: bytes):
    with pytest.raises(FeedError):
        parse_feed(document, "https://news.example/feed")


def test_page_extraction_keeps_the_article_and_its_metadata():
    html = page("Border clashes kill 12", "Twelve soldiers were killed.", "https://news.example/world/clash").decode()
    text = extract_page(html, "https://news.example/world/clash/amp")
    assert text.title == "Border clashes kill 12"
    assert text.text.startswith("Twelve soldiers were killed.")
    assert "Home | World" not in text.text and "Copyright" not in text.text
    assert text.canonical_url == "https://news.example/world/clash"
    assert text.author == "Staff Reporter"
    with pytest.raises(ExtractionFailed):
        extract_page("<html><body><p>Subscribe to read.</p></body></html>", "https://news.example/paywall")


def test_language_is_detected_and_unknown_counts_as_english():
    assert detect_language("Troops clashed with rebels near the northern town on Monday, officials said.") == "en"
    assert detect_language("Les forces de sécurité ont dispersé une manifestation lundi dans la capitale.") == "fr"
    assert detect_language("Kurz.") is None
    assert is_english(None) and is_english("en-GB") and not is_english("fr")


def test_a_feed_body_that_looks_like_a_path_is_not_opened(tmp_path: Path):
    """feedparser opens str/bytes that look like paths; a feed answering with one must not work."""
    local = tmp_path / "local.rss"
    local.write_bytes(rss2("https://news.example", [("Secret", "/s", "from the local disk")]))
    with pytest.raises(FeedError):
        parse_feed(str(local).encode(), "https://evil.example/feed")


def test_a_canonical_link_is_trusted_only_on_the_pages_own_site():
    from streams.ingest.poller import trusted_canonical

    page = "https://www.example.com/world/story-1/amp"
    assert trusted_canonical("https://example.com/world/story-1", page) == "https://example.com/world/story-1"
    assert trusted_canonical("https://www.reuters.com/world/story-1", page) == page
    assert trusted_canonical("https://www.example.com/", page) == page
    assert trusted_canonical(None, page) == page

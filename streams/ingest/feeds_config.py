"""The feed list: FEEDS.yaml (or an OPML export from a feed reader), validated at start-up.

    defaults:              # optional; every feed inherits these
      interval: 15m        # how often to poll (s, m, h); jittered by ±10 % so feeds drift apart
      full_text: auto      # auto: fetch the page when the entry carries only a summary; always; never
    feeds:
      - url: https://feeds.example.org/world.rss
        name: Example World          # optional; the article's `source`, default: the feed's host
        interval: 5m
      - opml: my-reader-export.opml  # every feed of an OPML file, relative to this file

Every problem names the file, the line and the field, so a bad list fails before any polling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from lxml import etree

from streams.core.errors import ConfigError

FULL_TEXT_MODES = ("auto", "always", "never")
DEFAULT_INTERVAL = 15 * 60.0
MIN_INTERVAL = 30.0  # politeness floor: nobody needs a feed more often than this


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to poll."""

    url: str
    name: str
    interval: float = DEFAULT_INTERVAL
    full_text: str = "auto"


def parse_duration(value: Any, where: str) -> float:
    """30, "45s", "15m", "2h" -> seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value[:-1].replace(".", "", 1).isdigit() and value[-1] in "smh":
        seconds = float(value[:-1]) * {"s": 1, "m": 60, "h": 3600}[value[-1]]
    else:
        raise ConfigError(f"{where}: interval must be seconds or a duration like 90s, 15m, 2h (got {value!r})")
    if seconds < MIN_INTERVAL:
        raise ConfigError(f"{where}: interval {seconds:g}s is below the {MIN_INTERVAL:g}s minimum")
    return seconds


def _check_url(url: Any, where: str) -> str:
    if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname:
        raise ConfigError(f"{where}: url must be an http(s) URL (got {url!r})")
    return url


def _item_lines(text: str) -> list[int]:
    """1-based line of each item under `feeds:`, for error messages."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "feeds" and isinstance(value, yaml.SequenceNode):
            return [int(item.start_mark.line) + 1 for item in value.value]
    return []


def load_feeds(path: Path) -> list[FeedSpec]:
    """The feeds a YAML or OPML file lists, each once (by URL); a ConfigError names what to fix."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such feeds file")
    if path.suffix.lower() in {".opml", ".xml"}:
        return _dedupe(parse_opml(path.read_bytes(), str(path), defaults={}))
    return _dedupe(parse_feeds_yaml(path.read_text(encoding="utf-8"), str(path), base_dir=path.parent))


def parse_feeds_yaml(text: str, origin: str, *, base_dir: Path) -> list[FeedSpec]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{origin}:{mark.line + 1 if mark else '?'}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise ConfigError(f"{origin}: expected a mapping with a `feeds:` list")
    unknown = set(data) - {"defaults", "feeds"}
    if unknown:
        raise ConfigError(f"{origin}: unknown top-level key(s) {sorted(unknown)}; use defaults and feeds")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{origin}: defaults must be a mapping")
    lines = _item_lines(text)
    feeds: list[FeedSpec] = []
    for index, item in enumerate(data["feeds"]):
        where = f"{origin}:{lines[index]}" if index < len(lines) else f"{origin} feed {index + 1}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: each feed is a mapping with at least `url` (or `opml`)")
        if "opml" in item:
            opml_path = base_dir / str(item["opml"])
            if not opml_path.is_file():
                raise ConfigError(f"{where}: opml file {opml_path} does not exist")
            feeds += parse_opml(opml_path.read_bytes(), str(opml_path), defaults={**defaults, **item})
            continue
        feeds.append(_spec({**defaults, **item}, where))
    return feeds


def _spec(raw: dict[str, Any], where: str) -> FeedSpec:
    unknown = set(raw) - {"url", "name", "interval", "full_text", "opml"}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: url, name, interval, full_text")
    url = _check_url(raw.get("url"), where)
    full_text = raw.get("full_text", "auto")
    if full_text not in FULL_TEXT_MODES:
        raise ConfigError(f"{where}: full_text must be one of {', '.join(FULL_TEXT_MODES)} (got {full_text!r})")
    name = raw.get("name") or urlsplit(url).hostname or url
    if not isinstance(name, str):
        raise ConfigError(f"{where}: name must be text")
    interval = parse_duration(raw["interval"], where) if "interval" in raw else DEFAULT_INTERVAL
    return FeedSpec(url=url, name=name, interval=interval, full_text=full_text)


def parse_opml(data: bytes, origin: str, *, defaults: dict[str, Any]) -> list[FeedSpec]:
    """Every outline with an xmlUrl, at any depth (feed readers nest them in folders)."""
    # no entity expansion, no network: an OPML file is data, whoever wrote it
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{origin}: not valid OPML ({exc})") from None
    feeds = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if not url:
            continue
        raw = {k: v for k, v in defaults.items() if k in {"interval", "full_text"}}
        raw.update(url=url, name=outline.get("title") or outline.get("text") or None)
        feeds.append(_spec(raw, f"{origin} outline {url}"))
    if not feeds:
        raise ConfigError(f"{origin}: no <outline xmlUrl=...> feeds found")
    return feeds


def _dedupe(feeds: list[FeedSpec]) -> list[FeedSpec]:
    seen: set[str] = set()
    unique = []
    for feed in feeds:
        if feed.url not in seen:
            seen.add(feed.url)
            unique.append(feed)
    return unique

"""Reads articles from files and folders: seed text (body, then title on the last line), JSON, JSONL.

Pure parsing: yields an Article for every good record and a Rejected for every bad one, so a
caller can report problems and still publish everything else.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from streams.core.errors import InvalidArticle
from streams.core.identity import article_id, checked_external_id
from streams.core.models import Article

SUPPORTED_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not become an article: where it was and why."""

    origin: str
    reason: str


def parse_seed_text(text: str, *, source: str | None = None, url: str | None = None) -> Article:
    """The seed format: the body, then the title alone on the last non-empty line."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 2:
        raise InvalidArticle("a seed text needs the body, then the title on its last line")
    title = lines[-1].strip()
    body = "\n".join(lines[:-1]).strip()
    article = Article(id=article_id(url=url, title=title, body=body), title=title, body=body, url=url, source=source)
    article.validate()
    return article


def article_from_mapping(record: Any, *, default_source: str | None = None) -> Article:
    """A JSON object with at least title or body (and optionally id, url, source, published, language)."""
    if not isinstance(record, dict):
        raise InvalidArticle(f"expected a JSON object, got {type(record).__name__}")
    title = record.get("title") or ""
    body = record.get("body") or record.get("text") or record.get("content") or ""
    if not isinstance(title, str) or not isinstance(body, str):
        raise InvalidArticle("title and body must be strings")
    url = record.get("url")
    optional = {key: record.get(key) for key in ("published", "language", "author")}
    for key, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise InvalidArticle(f"{key} must be a string")
    if url is not None and not isinstance(url, str):
        raise InvalidArticle("url must be a string")
    source = record.get("source", default_source)
    own_id = record.get("id")
    try:
        # an upstream system's own stable id is kept as given (README: "Input formats")
        identity = (
            checked_external_id(own_id) if own_id not in (None, "") else article_id(url=url, title=title, body=body)
        )
    except ValueError as exc:
        raise InvalidArticle(str(exc)) from None
    article = Article(
        id=identity,
        title=title.strip(),
        body=body.strip(),
        url=url,
        source=source if isinstance(source, str) else default_source,
        published=optional["published"],
        language=optional["language"],
        author=optional["author"],
    )
    article.validate()
    return article


def _parse_json(text: str) -> Any:
    """json.loads, with nesting deep enough to exhaust the parser's recursion a rejection too."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidArticle("JSON nested too deeply to be an article") from None


def _from_json_lines(stream: TextIO, origin: str, source: str | None) -> Iterator[Article | Rejected]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            yield article_from_mapping(_parse_json(line), default_source=source)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"not JSON: {exc.msg} at column {exc.colno}")
        except InvalidArticle as exc:
            yield Rejected(where, str(exc))


def read_file(path: Path) -> Iterator[Article | Rejected]:
    """Articles in one file, by its suffix."""
    origin = str(path)
    source = path.parent.name or None
    try:
        if path.suffix in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8") as stream:
                yield from _from_json_lines(stream, origin, source)
            return
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        yield Rejected(origin, f"not UTF-8 text (byte {exc.start})")
        return
    except OSError as exc:
        yield Rejected(origin, f"cannot read: {exc.strerror or exc}")
        return
    try:
        if path.suffix == ".json":
            data = _parse_json(text)
            records = data if isinstance(data, list) else [data]
            for index, record in enumerate(records):
                try:
                    yield article_from_mapping(record, default_source=source)
                except InvalidArticle as exc:
                    yield Rejected(f"{origin}[{index}]", str(exc))
        elif path.suffix == ".txt":
            yield parse_seed_text(text, source=source)
        else:
            yield Rejected(origin, f"unsupported file type {path.suffix!r}; use {', '.join(SUPPORTED_SUFFIXES)}")
    except json.JSONDecodeError as exc:
        yield Rejected(origin, f"not JSON: {exc.msg} at line {exc.lineno}")
    except InvalidArticle as exc:
        yield Rejected(origin, str(exc))


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | str]:
    """Files as given, folders walked in sorted order (supported suffixes only), '-' kept as stdin."""
    for raw in paths:
        if str(raw) == "-":
            yield "-"
            continue
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUPPORTED_SUFFIXES)
        else:
            yield path


def read_articles(paths: Iterable[str | Path], *, stdin: TextIO | None = None) -> Iterator[Article | Rejected]:
    """Every article (or rejection) in the given files, folders and '-' (JSON lines, or seed text)."""
    for path in expand_paths(paths):
        if path == "-":
            yield from _read_stdin(stdin or sys.stdin)
        elif isinstance(path, Path) and not path.exists():
            yield Rejected(str(path), "no such file or folder")
        else:
            assert isinstance(path, Path)  # noqa: S101 - expand_paths yields Path or "-"
            yield from read_file(path)


def _read_stdin(stream: TextIO) -> Iterator[Article | Rejected]:
    text = stream.read()
    if text.lstrip().startswith("["):
        try:
            records = _parse_json(text)
        except json.JSONDecodeError as exc:
            yield Rejected("<stdin>", f"not JSON: {exc.msg} at line {exc.lineno}")
            return
        except InvalidArticle as exc:
            yield Rejected("<stdin>", str(exc))
            return
        for index, record in enumerate(records):
            try:
                yield article_from_mapping(record)
            except InvalidArticle as exc:
                yield Rejected(f"<stdin>[{index}]", str(exc))
        return
    if text.lstrip().startswith("{"):
        yield from _from_json_lines(io.StringIO(text), "<stdin>", None)
        return
    try:
        yield parse_seed_text(text)
    except InvalidArticle as exc:
        yield Rejected("<stdin>", str(exc))

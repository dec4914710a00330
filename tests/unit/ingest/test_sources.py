import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core.errors import InvalidArticle
from streams.core.models import Article
from streams.ingest.sources import Rejected, parse_seed_text, read_articles


def test_seed_format_takes_the_last_line_as_title():
    """Body first, title alone on the last non-empty line."""
    article = parse_seed_text("First sentence. Second sentence.\nThe Headline\n\n")
    assert article.title == "The Headline"
    assert article.body == "First sentence. Second sentence."


def test_json_jsonl_and_text_files_are_read_and_bad_records_reported(tmp_path: Path):
    """Every good record becomes an article; each bad one a Rejected with where and why."""
    (tmp_path / "a.txt").write_text("Body text here.\nTitle A\n", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([{"title": "T1", "body": "B1"}, {"title": 5}]), encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"title": "T2", "body": "B2", "url": "https://x.org/2"}\nnot json\n\n', encoding="utf-8"
    )
    (tmp_path / "d.txt").write_bytes(b"\xff\xfe\x00 bad bytes\ntitle\n")
    (tmp_path / "ignored.csv").write_text("x", encoding="utf-8")
    items = list(read_articles([tmp_path]))
    articles = [i for i in items if isinstance(i, Article)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert sorted(a.title for a in articles) == ["T1", "T2", "Title A"]
    reasons = {Path(r.origin.split(":")[0].split("[")[0]).name: r.reason for r in rejected}
    assert "b.json" in reasons and "title and body must be strings" in reasons["b.json"]
    assert "c.jsonl" in reasons and "not JSON" in reasons["c.jsonl"]
    assert "d.txt" in reasons and "UTF-8" in reasons["d.txt"]


def test_missing_path_and_one_line_text_are_rejected(tmp_path: Path):
    """A path that does not exist, or a text with no title line, is a clear rejection."""
    (tmp_path / "one.txt").write_text("only one line", encoding="utf-8")
    items = list(read_articles([tmp_path / "nope.txt", tmp_path / "one.txt"]))
    assert [type(i) for i in items] == [Rejected, Rejected]
    assert "no such file" in items[0].reason


def test_stdin_accepts_json_lines():
    """'-' reads JSON lines from standard input."""
    stream = io.StringIO('{"title": "From stdin", "body": "Text."}\n')
    items = list(read_articles(["-"], stdin=stream))
    assert isinstance(items[0], Article) and items[0].title == "From stdin"


def test_hostile_files_are_each_rejected_with_a_reason_and_never_raise(tmp_path: Path):
    """Files a crawler or a careless export leaves behind: nothing raises, each bad one is named,
    the good one among them is still read."""
    hostile = {
        "binary.json": bytes(range(256)) * 40,
        "truncated.json": b'[{"title": "Half", "body": "an arr',
        "nested.json": b"[" * 5000 + b"]" * 5000,
        "scalars.json": b'[1, null, true, "text"]',
        "object-of-junk.json": b'{"title": ["not", "text"], "body": {"x": 1}}',
        "empty.json": b"",
        "empty.jsonl": b"\n\n\n",
        "latin1.txt": "Caf\xe9 body text.\nTitre\n".encode("latin-1"),
        "nul.jsonl": b'{"title": "a\x00", "body": "\x00\x00"}\n',
        "huge-line.jsonl": b'{"title": "Big", "body": "' + b"x" * 3_000_000 + b'"\n',
        "good.jsonl": b'{"title": "Still read", "body": "Protesters marched in Nairobi on Tuesday."}\n',
    }
    for name, content in hostile.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "a-directory.json").mkdir()
    items = list(read_articles([tmp_path]))
    articles = [i for i in items if isinstance(i, Article)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert "Still read" in [a.title for a in articles]
    named = {Path(r.origin.split(":")[0].split("[")[0]).name for r in rejected}
    for name in ("binary.json", "truncated.json", "nested.json", "scalars.json", "object-of-junk.json", "latin1.txt"):
        assert name in named, f"{name} not reported"
    assert all(r.reason for r in rejected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".json", ".jsonl", ".txt"]))
def test_any_bytes_in_a_file_give_articles_or_reasons_never_an_exception(tmp_path: Path, content: bytes, suffix: str):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    for item in read_articles([path]):
        assert isinstance(item, Article | Rejected)
        if isinstance(item, Rejected):
            assert item.reason


def test_a_records_own_id_is_kept_when_it_is_a_usable_key():
    """An upstream system's stable id is kept; one that cannot be a key is a rejection saying why."""
    from streams.ingest.sources import article_from_mapping

    assert article_from_mapping({"id": "wire:AP-2026-1201/17", "title": "t", "body": "b"}).id == "wire:AP-2026-1201/17"
    for bad in ("", "x" * 200, "has space", "../../etc", True, ["a"]):
        record = {"id": bad, "title": "t", "body": "b"}
        if bad == "":
            assert len(article_from_mapping(record).id) == 32  # no id: derived from the text
            continue
        with pytest.raises(InvalidArticle, match="id"):
            article_from_mapping(record)

import io
import json
from pathlib import Path

from streams.ingest.sources import Rejected, parse_seed_text, read_articles
from streams.models import Article


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

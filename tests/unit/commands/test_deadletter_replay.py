"""Dead letters are re-driven by reason, stage, origin and time, onto the topic they came from."""

from __future__ import annotations

import pytest

from streams.commands.deadletter_replay import LetterSelection, iso_to_millis, replay_letters
from streams.core.errors import ConfigError


def letter(reason: str, stage: str, topic: str, failed_at: int, key: bytes = b"k") -> dict[str, object]:
    return {
        "reason": reason,
        "stage": stage,
        "topic": topic,
        "failed_at": failed_at,
        "key": key,
        "payload": b"p-" + key,
    }


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []

    def send(self, topic: str, *, key: bytes | None, value: bytes) -> None:
        self.sent.append((topic, key, value))


def test_selected_letters_go_back_to_their_origin_with_key_and_original_bytes():
    """Reason and stage select; each letter's payload is sent under its key to the topic it came from."""
    letters = [
        letter("webhook_refused", "notify", "news.alerts", 10, b"a1"),
        letter("undecodable", "enrich", "news.articles", 11, b"x"),
        letter("webhook_refused", "notify", "news.alerts", 12, b"a2"),
        letter("rejected_by_database", "store", "news.enriched", 13, b"e1"),
    ]
    recorder = Recorder()
    report = replay_letters(letters, LetterSelection(reasons=frozenset({"webhook_refused"})), recorder)
    assert recorder.sent == [("news.alerts", b"a1", b"p-a1"), ("news.alerts", b"a2", b"p-a2")]
    assert report.seen == 4 and report.replayed == {"news.alerts": 2}


def test_a_time_window_and_a_dry_run():
    """--since is inclusive, --until exclusive; without a sender nothing is sent, only counted."""
    letters = [letter("invalid", "enrich", "news.articles", t, str(t).encode()) for t in (100, 200, 300)]
    report = replay_letters(letters, LetterSelection(since_ms=200, until_ms=300), None)
    assert report.total == 1


def test_iso_times_read_as_utc_and_bad_ones_say_how_to_write_them():
    """A date without an offset is UTC; garbage is a ConfigError with an example."""
    assert iso_to_millis("1970-01-01T00:00:01") == 1000
    assert iso_to_millis("1970-01-01T01:00:00+01:00") == 0
    with pytest.raises(ConfigError, match="ISO-8601"):
        iso_to_millis("last tuesday")

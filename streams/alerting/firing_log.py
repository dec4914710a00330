"""The memory behind "at most once per story within the cooldown": which rule alerted for which
story, at which level and when. Plain data, so the alert app's table can keep it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streams.alerting.rules import AlertRule


class FiringLog:
    """Which (rule, story) pairs have alerted, at which level and when."""

    def __init__(self, entries: dict[str, list[float]] | None = None, *, horizon_ms: float = 7 * 86_400_000) -> None:
        # "rule\x00story" -> [level, last fired (ms), occurrence]
        self.entries: dict[str, list[float]] = entries or {}
        self.horizon_ms = horizon_ms

    def claim(self, rule: AlertRule, story_id: str, level: int, now_ms: int) -> int | None:
        """The occurrence number if the rule may alert now for this story and level, else None."""
        key = f"{rule.name}\x00{story_id}"
        previous = self.entries.get(key)
        if previous is not None:
            last_level, last_time, occurrence = int(previous[0]), previous[1], int(previous[2])
            cooled = rule.cooldown_seconds > 0 and now_ms - last_time >= rule.cooldown_seconds * 1000
            if level <= last_level and not cooled:
                return None
            occurrence = occurrence + 1 if cooled and level <= last_level else occurrence
            self.entries[key] = [max(level, last_level), now_ms, occurrence]
            return occurrence
        self.entries[key] = [level, now_ms, 0]
        return 0

    def expire(self, now_ms: int) -> None:
        """Forget pairs not seen within the horizon (bounded memory)."""
        for key in [k for k, v in self.entries.items() if now_ms - v[1] > self.horizon_ms]:
            del self.entries[key]

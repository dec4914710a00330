"""The consumer groups a worker joins: one Faust app per role, and one per notifier.

Every consumer of a topic keeps its own place. A message is committed for storage only when the
store agent wrote it, for alerting only when the alert agent handled it, for each notifier only
when that notifier delivered it, because each of them reads in a consumer group of its own and
within a group each topic has exactly one agent: no agent's acknowledgement can move another's
committed offset (faust commits per group and partition).
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.config import Settings


@dataclass(frozen=True, slots=True)
class Group:
    """One Faust app of a worker: its role, its notifier (notify role only) and its app id, which
    is also its consumer group and the prefix of its internal topics."""

    role: str
    app_id: str
    notifier: str | None = None


def notifier_names(settings: Settings) -> list[str]:
    """The notifiers the settings configure, console first."""
    names = ["console"]
    if settings.webhook_url:
        names.append("webhook")
    if settings.alertmanager_url:
        names.append("alertmanager")
    return names


def worker_groups(settings: Settings) -> list[Group]:
    """The apps of a worker with these settings, in pipeline order."""
    groups = []
    for role in settings.role_list:
        if role == "notify":
            groups += [Group(role, f"{settings.app_id}-notify-{name}", name) for name in notifier_names(settings)]
        else:
            groups.append(Group(role, f"{settings.app_id}-{role}"))
    return groups


def alert_app_id(settings: Settings) -> str:
    return f"{settings.app_id}-alert"

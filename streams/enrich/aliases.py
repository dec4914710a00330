"""The alias file: organisations and armed groups, their other names, and where they are based."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from streams.core.errors import ConfigError

DEFAULT_ALIASES = Path(__file__).resolve().parent / "data" / "aliases.yaml"


@dataclass(frozen=True, slots=True)
class KnownEntity:
    canonical: str
    label: str
    country: str | None
    aliases: tuple[str, ...]


@lru_cache(maxsize=4)
def load_aliases(path: Path = DEFAULT_ALIASES) -> tuple[KnownEntity, ...]:
    """Parse and check the alias file; a malformed entry fails naming its position."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read alias file {path}: {exc}") from None
    known = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("canonical") or not entry.get("label"):
            raise ConfigError(f"{path}: entry {index + 1} needs at least 'canonical' and 'label'")
        known.append(
            KnownEntity(
                canonical=str(entry["canonical"]),
                label=str(entry["label"]),
                country=entry.get("country"),
                aliases=tuple(str(a) for a in entry.get("aliases", [])),
            )
        )
    return tuple(known)


def alias_index(known: tuple[KnownEntity, ...]) -> dict[str, KnownEntity]:
    """casefolded name or alias -> the entity it names."""
    index: dict[str, KnownEntity] = {}
    for entity in known:
        for name in (entity.canonical, *entity.aliases):
            index[name.casefold()] = entity
            if name.casefold().startswith("the "):
                index[name.casefold()[4:]] = entity
    return index

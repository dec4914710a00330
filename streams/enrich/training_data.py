"""The event classifier's training examples, from the committed files under training/ (see its
README for provenance and licences). Pure: records in, labelled examples out.

Real sources label what happened in their own terms; each `*_label` function maps one source's
terms to an ACLED sub-event type, or None when the record says too little to tell (then it is not
used). The mapping reads only the source's labels and, where the source has no finer label than
"violence", the weapon words of its headline.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.enrich.classifier import LABELS, NONE, party_features

#: fraction of each real source kept out of training: "dev" tunes thresholds and calibration,
#: "locked" is scored only to report, never to choose anything
SPLITS = (("train", 0.70), ("dev", 0.15), ("locked", 0.15))


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    label: str  # an ACLED sub-type or NONE
    source: str
    split: str
    country: str | None = None  # ISO-2 of where it happened, where the source says


def split_of(example_id: str) -> str:
    """A stable split from the id alone, so adding a source never moves another's examples."""
    point = int(hashlib.sha256(example_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if point < edge:
            return name
    return SPLITS[-1][0]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# weapon and act words, most specific first (a "suicide car bomb" is a suicide bomb)
_ACTS: list[tuple[str, re.Pattern[str]]] = [
    ("Chemical weapon", _words(r"\b(chlorine|sarin|mustard gas|chemical (weapon|attack)s?|toxic gas)\b")),
    ("Suicide bomb", _words(r"\bsuicide\b")),
    (
        "Air/drone strike",
        _words(
            r"\b(air ?strikes?|air ?raids?|warplanes?|war planes?|jets?|helicopters?|drones?|barrel bombs?"
            r"|aircraft|aerial|air force|fighter planes?)\b"
        ),
    ),
    ("Grenade", _words(r"\bgrenades?\b")),
    (
        "Remote explosive/landmine/IED",
        _words(
            r"\b(ieds?|roadside bombs?|land ?mines?|explosive devices?|car bombs?|booby|bomb(s|ing|ings|ed)?"
            r"|blasts?|explosions?|explodes?|exploded|detonat\w*)\b"
        ),
    ),
    (
        "Shelling/artillery/missile attack",
        _words(r"\b(shell(s|ing|ed)?|artillery|mortars?|rockets?|missiles?|bombard\w*|grad|katyusha|tank fire)\b"),
    ),
    ("Sexual violence", _words(r"\b(rape[sd]?|raping|sexual(ly)? (assault|violence|abuse)\w*)\b")),
    ("Abduction/forced disappearance", _words(r"\b(kidnap\w*|abduct\w*|hostages?|disappear\w*)\b")),
]
_RETAKE = _words(r"\b(retake[sn]?|retook|recaptur\w*|regain\w*|liberat\w*)\b")
_CAPTURE = _words(r"\b(captur\w*|seiz\w* control|tak(e|es|en|ing) control|took control|overr[au]n\w*|storm(s|ed)?)\b")
_GOVERNMENT = _words(r"^government of\b")


_NOT_LATIN = re.compile(r"[^\x00-\u024f\u2000-\u206f]")
_DATELINE = re.compile(r"^\w+ \d{1,2}(st|nd|rd|th)?,? \d{4}\s*:|^\w+day \d{1,2} \w+ \d{4}")


#: a headline with none of these words is not English (UCDP's CAR sources are often French)
_ENGLISH = re.compile(
    r"\b(the|of|in|and|by|at|on|to|for|with|after|near|kills?|killed|attacks?|attacked|clash(es)?|"
    r"forces|army|rebels?|troops|people|civilians?|soldiers?|police|dead|wounded|injured)\b",
    re.IGNORECASE,
)


def _headline(text: str) -> str:
    """UCDP joins an event's sources with ';' (headlines, outlets, report titles): the first part
    long enough to be a headline is the headline. Datelines and non-Latin script are not."""
    for part in text.split(";"):
        part = part.strip()
        if (
            len(part.split()) >= 5
            and not _NOT_LATIN.search(part)
            and not _DATELINE.match(part)
            and _ENGLISH.search(part)
        ):
            return part
    return ""


def ucdp_label(record: dict[str, Any]) -> str | None:
    """UCDP GED: state-based (1) and non-state (2) violence are fighting, one-sided (3) is violence
    against civilians; the headline's weapon words pick the ACLED sub-type within that."""
    text = record["text"]
    for label, pattern in _ACTS:
        if pattern.search(text):
            return label
    if record.get("type_of_violence") == 3:
        return "Attack"
    if _RETAKE.search(text) and _GOVERNMENT.search(record.get("side_a") or ""):
        return "Government regains territory"
    if _CAPTURE.search(text) and not _GOVERNMENT.search(record.get("side_a") or ""):
        return "Non-state actor overtakes territory"
    return "Armed clash"


# the Wikipedia incident list's attack types, by the first that applies
_INCIDENT_TYPES: list[tuple[str, str]] = [
    ("chemical", "Chemical weapon"),
    ("suicide", "Suicide bomb"),
    ("attempted", "Disrupted weapons use"),
    ("airstrike", "Air/drone strike"),
    ("grenade", "Grenade"),
    ("rocket", "Shelling/artillery/missile attack"),
    ("mortar", "Shelling/artillery/missile attack"),
    ("shelling", "Shelling/artillery/missile attack"),
    ("missile", "Shelling/artillery/missile attack"),
    ("bomb", "Remote explosive/landmine/IED"),
    ("land mine", "Remote explosive/landmine/IED"),
    ("landmine", "Remote explosive/landmine/IED"),
    ("explosion", "Remote explosive/landmine/IED"),
    ("kidnap", "Abduction/forced disappearance"),
    ("hostage", "Abduction/forced disappearance"),
    ("hijack", "Abduction/forced disappearance"),
    ("abduction", "Abduction/forced disappearance"),
    ("clash", "Armed clash"),
    ("ambush", "Armed clash"),
    ("shootdown", "Armed clash"),
    ("shotdown", "Armed clash"),
    ("shooting", "Attack"),
    ("massacre", "Attack"),
    ("stabbing", "Attack"),
    ("melee", "Attack"),
    ("assassination", "Attack"),
    ("execution", "Attack"),
    ("vehicular", "Attack"),
    ("raid", "Attack"),
    ("attack", "Attack"),
    ("arson", "Looting/property destruction"),
]


def incident_label(record: dict[str, Any]) -> str | None:
    """Wikipedia's lists of terrorist incidents: the attack type, mapped."""
    kind = str(record.get("type") or "").casefold()
    for word, label in _INCIDENT_TYPES:
        if word in kind:
            if label == "Attack" and _only_armed_victims(record["text"]):
                # ACLED's attacks are on civilians; gunmen shooting police or soldiers is a clash
                return "Armed clash"
            return label
    return None


def _only_armed_victims(text: str) -> bool:
    _, _, armed_victims, civilian_victims = party_features([text])[0]
    return bool(armed_victims) and not civilian_victims


#: Current Events Portal categories that hold no ACLED event (the rest may, and are not used)
_NO_EVENT_CATEGORIES = {
    "Disaster_Accident",
    "Business_Finance",
    "Entertainment_Culture",
    "Sports",
    "Technology_Internet",
    "Health_Medical_Pharma",
}


def portal_label(record: dict[str, Any]) -> str | None:
    return NONE if record.get("category") in _NO_EVENT_CATEGORIES else None


def written_label(record: dict[str, Any]) -> str | None:
    label = record.get("acled_sub_event_type")
    return label if label in LABELS else None


#: file under training/ -> (source name, label function, text cleaner)
SOURCES: dict[str, tuple[str, Callable[[dict[str, Any]], str | None], Callable[[str], str]]] = {
    "sources/ucdp_syria.jsonl": ("ucdp", ucdp_label, _headline),
    "sources/ucdp_car.jsonl": ("ucdp", ucdp_label, _headline),
    "sources/ucdp_ged_sample.jsonl": ("ucdp", ucdp_label, _headline),
    "sources/wiki_terrorism.jsonl": ("wikipedia-incidents", incident_label, str.strip),
    "sources/wiki_cep_2015_09.jsonl": ("wikipedia-portal", portal_label, str.strip),
    "written/acled_prototypes.jsonl": ("written", written_label, str.strip),
}


def load_examples(root: Path) -> Iterator[Example]:
    """Every usable example under `root` (the repository's training/ folder). Self-written
    examples are all for training: only real text is held out."""
    seen: set[str] = set()
    for name, (source, label_of, clean) in SOURCES.items():
        path = root / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("noise_flag"):  # codes, dates, URLs, report titles (training/sources/PROVENANCE.md)
                continue
            text = clean(record.get("text") or "")
            label = label_of({**record, "text": text}) if text else None
            key = text.casefold()
            if label is None or key in seen:
                continue
            seen.add(key)
            split = "train" if source == "written" else split_of(record["id"])
            yield Example(str(record["id"]), text, label, source, split, record.get("country_iso2"))

"""The learned event classifier: a sentence's ACLED sub-event type (25, or none) from its sentence
embedding and what the rule coder said of it. Pure numpy at run time; `make train` rebuilds the
weights (streams/enrich/training.py) from the committed data under training/.

A multinomial logistic regression over [embedding ; one-hot of the rules' sub-type]: the rules'
answer is a feature, so the model learns where the rules earn trust and where the sentence's
meaning should win. Probabilities are temperature-scaled on data the weights were not fitted on,
so `probability` reads as a confidence.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from streams.core.errors import ConfigError
from streams.reference.taxonomy import ACLED_SUB_TYPES

MODEL_FILE = Path(__file__).parent / "data" / "event_classifier.npz"
NONE = "none"
#: every label the classifier can give, in the order of its weight rows
LABELS: tuple[str, ...] = (*ACLED_SUB_TYPES, NONE)


def rule_features(rule_labels: Sequence[str | None]) -> np.ndarray:
    """One-hot of the rule coder's sub-type per sentence (None: the rules coded no ACLED event)."""
    features = np.zeros((len(rule_labels), len(LABELS)), dtype=np.float32)
    for row, label in enumerate(rule_labels):
        features[row, LABELS.index(label if label in ACLED_SUB_TYPES else NONE)] = 1.0
    return features


# Who was on the receiving end tells a clash from an attack on civilians, which a sentence
# embedding blurs ("killing 200 militants" and "killing 200 villagers" sit close together).
_ARMED = re.compile(
    r"\b(militants?|terrorists?|insurgents?|rebels?|fighters?|gunmen|soldiers?|troops|army|forces|"
    r"militia(men|s)?|jihadists?|guerrillas?|combatants?|police(men)?|officers?|taliban|al-shabaab|"
    r"boko haram|iswap|isis|isil|islamic state|hezbollah|hamas|houthis?|paramilitar\w*)\b",
    re.IGNORECASE,
)
_CIVILIAN = re.compile(
    r"\b(civilians?|villagers?|residents?|farmers?|herders?|shepherds?|worshippers?|students?|pupils?|"
    r"children|women|families|family|passengers?|travell?ers?|pilgrims?|traders?|miners?|fishermen|"
    r"displaced|refugees?|mourners?|shoppers?|patients?|teachers?|journalists?|aid workers?|people)\b",
    re.IGNORECASE,
)
_HARM = re.compile(
    r"\b(kill(s|ed|ing)?|shot|shoots?|shooting|gunned down|attack(s|ed|ing)?|massacred?|executed|"
    r"wound(s|ed|ing)?|injur(ed|ing)|abduct(s|ed|ing)?|kidnapp?(s|ed|ing)?|targets?|targeted|died|dead|"
    r"killed|slain|beheaded|clash(ed|es)? with|fought|ambush(ed|es)?)\b",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"\b(were|was|been|being|are|is|got)\s+$", re.IGNORECASE)
#: words either side of a harm word that name its victims
_VICTIM_WINDOW = 60
#: the flags after the rules' one-hot: armed and civilians named anywhere, then as the victims
EXTRA_FEATURES = 4


def _victim_text(text: str) -> str:
    """Where the victims of each harm word are named: after an active verb ("killing 200
    militants"), before a passive one or "died" ("23 soldiers were killed")."""
    parts = []
    for match in _HARM.finditer(text):
        before = text[max(0, match.start() - _VICTIM_WINDOW) : match.start()]
        if _PASSIVE.search(before) or match.group(0).lower() in {"died", "dead", "slain"}:
            parts.append(before)
        else:
            parts.append(text[match.end() : match.end() + _VICTIM_WINDOW])
    return " | ".join(parts)


def party_features(texts: Sequence[str]) -> np.ndarray:
    rows = []
    for text in texts:
        victims = _victim_text(text)
        rows.append(
            [
                float(bool(_ARMED.search(text))),
                float(bool(_CIVILIAN.search(text))),
                float(bool(_ARMED.search(victims))),
                float(bool(_CIVILIAN.search(victims))),
            ]
        )
    return np.array(rows, dtype=np.float32).reshape(len(texts), EXTRA_FEATURES)


def features(embeddings: np.ndarray, rule_labels: Sequence[str | None], texts: Sequence[str]) -> np.ndarray:
    return np.hstack([embeddings.astype(np.float32), rule_features(rule_labels), party_features(texts)])


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Guess:
    """The classifier's answer for one sentence."""

    label: str  # an ACLED sub-type, or NONE
    probability: float
    rule_probability: float  # the probability it gives the rules' own answer

    @property
    def sub_type(self) -> str | None:
        return None if self.label == NONE else self.label


class EventClassifier:
    def __init__(self, weights: np.ndarray, bias: np.ndarray, temperature: float, meta: dict[str, Any]) -> None:
        if weights.shape[0] != len(LABELS) or bias.shape != (len(LABELS),):
            raise ConfigError(f"event classifier has {weights.shape[0]} labels, this code knows {len(LABELS)}")
        self.weights, self.bias, self.temperature, self.meta = weights, bias, temperature, meta
        self.version = str(meta.get("version", "untrained"))

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> EventClassifier:
        try:
            with np.load(path, allow_pickle=False) as saved:
                meta = json.loads(str(saved["meta"]))
                if tuple(meta.get("labels", ())) != LABELS:
                    raise ConfigError(f"{path}: trained for other labels; rebuild it with `make train`")
                return cls(saved["weights"], saved["bias"], float(saved["temperature"]), meta)
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot load the event classifier {path}: {exc}; rebuild it with `make train`") from None

    def save(self, path: Path) -> None:
        meta = {**self.meta, "labels": list(LABELS)}
        meta["version"] = _fingerprint(self.weights, self.bias, self.temperature)
        np.savez_compressed(
            path, weights=self.weights, bias=self.bias, temperature=np.float64(self.temperature), meta=json.dumps(meta)
        )

    def probabilities(
        self, embeddings: np.ndarray, rule_labels: Sequence[str | None], texts: Sequence[str]
    ) -> np.ndarray:
        logits = features(embeddings, rule_labels, texts) @ self.weights.T + self.bias
        return softmax(logits / self.temperature)

    def classify(self, embeddings: np.ndarray, rule_labels: Sequence[str | None], texts: Sequence[str]) -> list[Guess]:
        if len(rule_labels) == 0:
            return []
        probabilities = self.probabilities(embeddings, rule_labels, texts)
        guesses = []
        for row, rule_label in zip(probabilities, rule_labels, strict=True):
            best = int(row.argmax())
            rule_index = LABELS.index(rule_label if rule_label in ACLED_SUB_TYPES else NONE)
            guesses.append(Guess(LABELS[best], float(row[best]), float(row[rule_index])))
        return guesses


def _fingerprint(weights: np.ndarray, bias: np.ndarray, temperature: float) -> str:
    digest = hashlib.sha256(weights.astype(np.float32).tobytes() + bias.astype(np.float32).tobytes())
    digest.update(repr(round(temperature, 6)).encode())
    return digest.hexdigest()[:10]


def committed_version(path: Path = MODEL_FILE) -> str:
    """The committed model's fingerprint, without loading its weights ("untrained" before `make train`)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return str(json.loads(str(saved["meta"])).get("version", "untrained"))
    except (OSError, KeyError, ValueError):
        return "untrained"


@lru_cache(maxsize=1)
def event_classifier() -> EventClassifier:
    """The committed classifier, loaded once per process."""
    return EventClassifier.load()

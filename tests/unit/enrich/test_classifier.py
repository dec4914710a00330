"""The learned event classifier: its file round-trips, refuses a file made for other labels, and
combines with the rule events as documented (streams/enrich/learned.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from streams.core.errors import ConfigError
from streams.core.models import Event
from streams.enrich.classifier import (
    EXTRA_FEATURES,
    LABELS,
    NONE,
    EventClassifier,
    Guess,
    committed_version,
    party_features,
    rule_features,
)
from streams.enrich.embedding import DIMENSIONS
from streams.enrich.learned import DROP_AT, OVERRIDE_AT, OVERRIDE_MARGIN, retype

FEATURES = DIMENSIONS + len(LABELS) + EXTRA_FEATURES


def _classifier(seed: int = 0) -> EventClassifier:
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(len(LABELS), FEATURES)).astype(np.float32)
    return EventClassifier(weights, np.zeros(len(LABELS), dtype=np.float32), 1.5, {"base_model": "test"})


def test_a_saved_classifier_loads_with_the_same_answers_and_a_version_of_its_weights(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    original = _classifier()
    original.save(path)
    loaded = EventClassifier.load(path)
    vectors = np.random.default_rng(1).normal(size=(5, DIMENSIONS)).astype(np.float32)
    rules = ["Attack", None, "Peaceful protest", "Armed clash", None]
    texts = ["t"] * 5
    assert np.allclose(original.probabilities(vectors, rules, texts), loaded.probabilities(vectors, rules, texts))
    assert loaded.version == committed_version(path) != "untrained"
    _classifier(seed=2).save(path)
    assert committed_version(path) != loaded.version, "other weights, other pipeline version"


def test_a_file_trained_for_other_labels_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    np.savez(
        path, weights=np.zeros((3, 4)), bias=np.zeros(3), temperature=1.0, meta=json.dumps({"labels": ["a", "b", "c"]})
    )
    with pytest.raises(ConfigError, match="make train"):
        EventClassifier.load(path)
    with pytest.raises(ConfigError, match="make train"):
        EventClassifier.load(tmp_path / "missing.npz")
    assert committed_version(tmp_path / "missing.npz") == "untrained"


def test_rule_features_mark_the_rules_answer_or_none() -> None:
    features = rule_features(["Attack", None, "not a type"])
    assert features.sum(axis=1).tolist() == [1, 1, 1]
    assert features[0, LABELS.index("Attack")] == 1
    assert features[1, LABELS.index(NONE)] == 1 and features[2, LABELS.index(NONE)] == 1


def test_probabilities_sum_to_one_and_guesses_carry_the_rules_probability() -> None:
    classifier = _classifier()
    vectors = np.random.default_rng(3).normal(size=(4, DIMENSIONS)).astype(np.float32)
    rules = ["Attack", None, "Grenade", "Arrests"]
    texts = ["Gunmen killed villagers", "", "a grenade", "police arrested"]
    probabilities = classifier.probabilities(vectors, rules, texts)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    for row, guess, rule in zip(probabilities, classifier.classify(vectors, rules, texts), rules, strict=True):
        assert guess.probability == pytest.approx(row.max())
        assert guess.rule_probability == pytest.approx(row[LABELS.index(rule or NONE)])


def test_party_flags_tell_armed_victims_from_civilians() -> None:
    flags = party_features(
        ["Troops killed 200 Taliban fighters", "Gunmen killed 12 villagers", "23 soldiers were killed", "Rates rose"]
    )
    # armed named, civilians named, armed among the victims, civilians among the victims
    assert flags.tolist() == [[1, 0, 1, 0], [1, 1, 0, 1], [1, 0, 1, 0], [0, 0, 0, 0]]


def _event(**fields: object) -> Event:
    base: dict[str, object] = dict(
        type="ASSAULT",
        sentence="s",
        field="body",
        start=0,
        end=1,
        confidence=0.8,
        mode="unconventional",
        acled_event_type="Explosions/Remote violence",
        acled_sub_event_type="Chemical weapon",
    )
    return Event(**{**base, **fields})  # type: ignore[arg-type]


def test_a_clearly_likelier_answer_retypes_the_event_across_families() -> None:
    event = _event()  # "police fired tear gas at protesters", read by the rules as a chemical attack
    retype(event, Guess("Protest with intervention", 0.81, 0.05))
    assert (event.type, event.acled_event_type, event.acled_sub_event_type) == (
        "PROTEST",
        "Protests",
        "Protest with intervention",
    )
    assert event.mode == "demo" and event.cameo == "14" and event.confidence == 0.81


def test_an_unsure_or_close_answer_leaves_the_rules_alone_with_a_calibrated_confidence() -> None:
    unsure = _event()
    retype(unsure, Guess("Protest with intervention", OVERRIDE_AT - 0.01, 0.10))
    close = _event()
    retype(close, Guess("Protest with intervention", 0.6, 0.6 - OVERRIDE_MARGIN + 0.01))
    for event in (unsure, close):
        assert event.acled_sub_event_type == "Chemical weapon" and event.type == "ASSAULT"
    assert unsure.confidence == 0.10 and close.confidence == round(0.6 - OVERRIDE_MARGIN + 0.01, 2)


def test_only_a_very_sure_no_event_takes_the_acled_type_off() -> None:
    kept = _event()
    retype(kept, Guess(NONE, DROP_AT - 0.05, 0.02))
    dropped = _event()
    retype(dropped, Guess(NONE, DROP_AT + 0.05, 0.02))
    assert kept.acled_sub_event_type == "Chemical weapon"
    assert dropped.acled_sub_event_type is None and dropped.acled_event_type is None
    assert dropped.type == "ASSAULT", "the PLOVER coding stays"

"""Fitting the event classifier (streams/enrich/training.py) and mapping real sources' labels to
ACLED sub-types (streams/enrich/training_data.py)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from streams.enrich.classifier import LABELS, softmax
from streams.enrich.training import (
    FitSettings,
    expected_calibration_error,
    f1_scores,
    fit_logistic,
    fit_temperature,
    label_indices,
    sample_weights,
)
from streams.enrich.training_data import _headline, incident_label, portal_label, split_of, ucdp_label


def _clusters(n_per_label: int, labels: list[str], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(labels), 16)) * 3
    x = np.vstack([centres[i] + rng.normal(size=(n_per_label, 16)) for i in range(len(labels))])
    y = label_indices([label for label in labels for _ in range(n_per_label)])
    return x, y


def test_the_fit_separates_labels_it_was_shown_on_data_it_was_not() -> None:
    labels = ["Attack", "Armed clash", "Peaceful protest", "none"]
    x, y = _clusters(60, labels)
    weights, bias = fit_logistic(x, y, FitSettings(iterations=300))
    held_x, held_y = _clusters(30, labels, seed=0)  # same centres, new noise
    rng = np.random.default_rng(5)
    held_x = held_x + rng.normal(scale=0.1, size=held_x.shape)
    predicted = (held_x @ weights.T + bias).argmax(axis=1)
    assert (predicted == held_y).mean() > 0.9


def test_balancing_weighs_a_rare_label_up() -> None:
    y = label_indices(["Attack"] * 90 + ["Grenade"] * 10)
    weights = sample_weights(y, balance=1.0)
    assert weights[-1] == pytest.approx(9 * weights[0])
    assert np.allclose(sample_weights(y, balance=0.0), 1.0)


def test_temperature_scaling_cools_an_overconfident_model() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, size=400)
    logits = np.zeros((400, len(LABELS)))
    # right only 60 % of the time but always ten logits sure of itself
    guesses = np.where(rng.random(400) < 0.6, y, (y + 1) % 3)
    logits[np.arange(400), guesses] = 10.0
    temperature = fit_temperature(logits, y)
    assert temperature > 2
    before = expected_calibration_error(softmax(logits), y)
    after = expected_calibration_error(softmax(logits / temperature), y)
    assert after < before


def test_f1_scores_weigh_by_support_and_average_over_labels() -> None:
    gold = ["a", "a", "a", "b"]
    predicted = ["a", "a", "a", "a"]
    scores = f1_scores(gold, predicted)
    assert scores["accuracy"] == 0.75
    assert scores["macro_f1"] == pytest.approx((6 / 7 + 0) / 2)
    assert scores["weighted_f1"] == pytest.approx(0.75 * 6 / 7)


def test_splits_are_stable_and_roughly_the_stated_shares() -> None:
    ids = [f"ucdp-{n}" for n in range(3000)]
    splits = Counter(split_of(i) for i in ids)
    assert [split_of(i) for i in ids[:50]] == [split_of(i) for i in ids[:50]]
    assert 0.66 < splits["train"] / 3000 < 0.74 and 0.12 < splits["locked"] / 3000 < 0.18


@pytest.mark.parametrize(
    ("text", "violence", "side_a", "expected"),
    [
        ("Regime warplanes strike Idlib countryside", 1, "Government of Syria", "Air/drone strike"),
        ("Gunmen kill five shepherds near Hama", 3, "IS", "Attack"),
        ("Clashes continue between rebels and regime forces in Daraa", 1, "Government of Syria", "Armed clash"),
        ("Suicide car bomb kills 12 at checkpoint", 2, "IS", "Suicide bomb"),
        ("Regime forces recapture the town of Khan Shaykhun", 1, "Government of Syria", "Government regains territory"),
        ("IS fighters capture villages east of Homs", 2, "IS", "Non-state actor overtakes territory"),
    ],
)
def test_ucdp_headlines_map_by_violence_type_and_weapon_words(
    text: str, violence: int, side_a: str, expected: str
) -> None:
    assert ucdp_label({"text": text, "type_of_violence": violence, "side_a": side_a}) == expected


def test_ucdp_source_lists_give_their_headline_and_datelines_give_none() -> None:
    assert _headline("Ugandan army kills senior LRA member in CAR;Hidden in Plain Sight;Crisis Tracker") == (
        "Ugandan army kills senior LRA member in CAR"
    )
    assert _headline("Thursday 3 January 2013;Abdul Satar Mustafa Hankosh") == ""


def test_incident_types_and_portal_categories_map_or_are_left_out() -> None:
    assert incident_label({"type": "Suicide car bombing", "text": ""}) == "Suicide bomb"
    assert incident_label({"type": "Car bombing", "text": ""}) == "Remote explosive/landmine/IED"
    assert incident_label({"type": "Shooting, kidnapping", "text": ""}) == "Abduction/forced disappearance"
    assert incident_label({"type": "Unknown", "text": ""}) is None
    assert incident_label({"type": "Shooting", "text": "Gunmen shot dead four villagers"}) == "Attack"
    assert incident_label({"type": "Shooting", "text": "Militants killed three police officers"}) == "Armed clash"
    assert portal_label({"category": "Sports"}) == "none"
    assert portal_label({"category": "War_Conflict"}) is None

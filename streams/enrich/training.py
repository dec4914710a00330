"""Fitting the event classifier: multinomial logistic regression with L2, by full-batch gradient
descent (Adam) in numpy, then a temperature fitted on held-out data. Deterministic for the same
examples; minutes on two cores. No I/O here: `newsstream train` reads, embeds and writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from streams.enrich.classifier import LABELS, softmax


@dataclass(frozen=True)
class FitSettings:
    l2: float = 1e-4
    iterations: int = 600
    learning_rate: float = 0.05
    #: per-label weight = (count)^-balance: 0 ignores imbalance, 1 fully balances the labels
    balance: float = 0.5


def label_indices(labels: Sequence[str]) -> np.ndarray:
    return np.array([LABELS.index(label) for label in labels], dtype=np.int64)


def sample_weights(labels: np.ndarray, balance: float) -> np.ndarray:
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    per_label = np.where(counts > 0, np.maximum(counts, 1.0) ** -balance, 0.0)
    weights = per_label[labels]
    return weights / weights.mean()  # type: ignore[no-any-return]


def fit_logistic(x: np.ndarray, y: np.ndarray, settings: FitSettings = FitSettings()) -> tuple[np.ndarray, np.ndarray]:
    """Weights (labels × features) and biases minimising weighted cross-entropy + L2."""
    n, d = x.shape
    k = len(LABELS)
    weights, bias = np.zeros((k, d)), np.zeros(k)
    sample = sample_weights(y, settings.balance)[:, None]
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    moments = [np.zeros_like(weights), np.zeros_like(bias)]
    squares = [np.zeros_like(weights), np.zeros_like(bias)]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, settings.iterations + 1):
        error = (softmax(x @ weights.T + bias) - onehot) * sample / n
        gradients = [error.T @ x + settings.l2 * weights, error.sum(axis=0)]
        for parameter, gradient, moment, square in zip((weights, bias), gradients, moments, squares, strict=True):
            moment *= beta1
            moment += (1 - beta1) * gradient
            square *= beta2
            square += (1 - beta2) * gradient**2
            corrected = moment / (1 - beta1**step)
            parameter -= settings.learning_rate * corrected / (np.sqrt(square / (1 - beta2**step)) + 1e-8)
    return weights.astype(np.float32), bias.astype(np.float32)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises held-out negative log-likelihood (calibration)."""
    best, best_loss = 1.0, float("inf")
    for temperature in np.arange(0.3, 4.01, 0.05):
        probabilities = softmax(logits / temperature)
        loss = -float(np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-12)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return round(best, 2)


def f1_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy, and weighted and macro F1 over the gold labels present."""
    support = Counter(gold)
    f1s = {}
    for label in support:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = support[label] - tp
        f1s[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    total = sum(support.values())
    return {
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / total if total else 0.0,
        "weighted_f1": sum(f1s[label] * support[label] for label in support) / total if total else 0.0,
        "macro_f1": sum(f1s.values()) / len(f1s) if f1s else 0.0,
    }


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """How far the stated confidence of the top label is from how often it is right."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y
    error = 0.0
    for low in np.linspace(0, 1, bins, endpoint=False):
        inside = (confidence > low) & (confidence <= low + 1 / bins)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)

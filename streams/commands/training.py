"""`newsstream train`: rebuild the event classifier from the committed data under training/."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from streams.commands import main

if TYPE_CHECKING:
    from streams.enrich.training import FitSettings
    from streams.enrich.training_data import Example


@main.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("training"),
    show_default=True,
    help="The training folder (sources/ and written/, see its README).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the model [default: the package's streams/enrich/data/event_classifier.npz].",
)
@click.option(
    "--max-per-label", default=1200, show_default=True, help="Cap per source and label (UCDP is mostly clashes)."
)
@click.option(
    "--curve/--no-curve", default=True, show_default=True, help="Also fit on 10-100 % of the real training text."
)
@click.option(
    "--score-locked",
    is_flag=True,
    help="Also score the locked split. It exists to report, once a model is chosen: never tune on it.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the scores as JSON here.",
)
def train(
    data_dir: Path, out: Path | None, max_per_label: int, curve: bool, score_locked: bool, report_path: Path | None
) -> None:
    """Fit the event classifier on training/ and report it on the held-out real text."""
    from streams.enrich.classifier import LABELS, MODEL_FILE, EventClassifier, features, softmax
    from streams.enrich.embedding import BASE_MODEL
    from streams.enrich.training import (
        FitSettings,
        expected_calibration_error,
        f1_scores,
        fit_logistic,
        fit_temperature,
        label_indices,
    )
    from streams.enrich.training_data import load_examples

    started = time.monotonic()
    examples = _capped(list(load_examples(data_dir)), max_per_label)
    if not examples:
        raise click.ClickException(f"no training examples under {data_dir}")
    click.echo(
        f"{len(examples)} examples: "
        + ", ".join(f"{k} {v}" for k, v in sorted(Counter(e.split for e in examples).items()))
    )
    embeddings, rule_labels = _features_cached(data_dir / ".cache", [e.text for e in examples])
    click.echo(f"features ready in {time.monotonic() - started:.0f} s")

    x = features(embeddings, rule_labels, [e.text for e in examples])
    y = label_indices([e.label for e in examples])
    by_split = {name: np.array([e.split == name for e in examples]) for name in ("train", "dev", "locked")}
    settings = FitSettings()
    weights, bias = fit_logistic(x[by_split["train"]], y[by_split["train"]], settings)
    dev_logits = x[by_split["dev"]] @ weights.T + bias
    temperature = fit_temperature(dev_logits, y[by_split["dev"]])

    report: dict[str, object] = {"examples": len(examples), "temperature": temperature}
    for split in ("dev", "locked") if score_locked else ("dev",):
        chosen = by_split[split]
        logits = x[chosen] @ weights.T + bias
        probabilities = softmax(logits / temperature)
        gold = [LABELS[i] for i in y[chosen]]
        model = [LABELS[i] for i in probabilities.argmax(axis=1)]
        rules = [label if label in LABELS else "none" for label, keep in zip(rule_labels, chosen, strict=True) if keep]
        sources = [e.source for e, keep in zip(examples, chosen, strict=True) if keep]
        scores: dict[str, object] = {
            "n": len(gold),
            "classifier": f1_scores(gold, model),
            "rules": f1_scores(gold, rules),
            "calibration_error": expected_calibration_error(probabilities, y[chosen]),
        }
        for source in sorted(set(sources)):
            pick = [s == source for s in sources]
            scores[source] = {
                "n": sum(pick),
                "classifier": f1_scores(_where(gold, pick), _where(model, pick)),
                "rules": f1_scores(_where(gold, pick), _where(rules, pick)),
            }
        report[split] = scores
        _echo_scores(split, scores)

    if curve:
        report["learning_curve"] = _learning_curve(x, y, examples, by_split, settings)

    meta = {
        "base_model": BASE_MODEL,
        "licence": "weights: Apache-2.0 (base model); training data: see training/README.md",
        "examples": dict(Counter(e.source for e in examples if e.split == "train")),
        "trained_seconds": round(time.monotonic() - started),
        "fit": settings.__dict__,
    }
    classifier = EventClassifier(weights, bias, temperature, meta)
    target = out or MODEL_FILE
    classifier.save(target)
    click.echo(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")
    if report_path:
        report_path.write_text(json.dumps(report, indent=2))


def _capped(examples: list[Example], cap: int) -> list[Example]:
    """At most `cap` training examples per source and label, chosen by id hash (stable); held-out
    splits are capped the same way so one source's bulk does not decide the scores."""
    groups: dict[tuple[str, str, str], list[Example]] = defaultdict(list)
    for example in examples:
        groups[(example.source, example.label, example.split)].append(example)
    kept = []
    for (_, _, split), members in groups.items():
        members.sort(key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
        limit = cap if split == "train" else max(1, cap * 15 // 70)
        kept.extend(members[:limit])
    kept.sort(key=lambda e: (e.source, e.id))
    return kept


def _features_cached(cache: Path, texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
    """Embeddings and the rule coder's sub-type per text. Cached per text under the rule coder's
    fingerprint, so new data or other fit settings cost only what is new."""
    from streams.enrich.embedding import DIMENSIONS

    path = cache / f"features-{_rules_fingerprint()[:16]}.npz"
    known: dict[str, tuple[np.ndarray, str | None]] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as saved:
            for digest, vector, rule in zip(saved["digests"], saved["embeddings"], saved["rules"], strict=True):
                known[str(digest)] = (vector, None if rule == "" else str(rule))
    digests = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    missing = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in known}.items())
    if missing:
        vectors, rules = _compute_features([t for _, t in missing])
        known.update({d: (v, r) for (d, _), v, r in zip(missing, vectors, rules, strict=True)})
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            digests=np.array(list(known)),
            embeddings=np.array([v for v, _ in known.values()], dtype=np.float32).reshape(-1, DIMENSIONS),
            rules=np.array([r or "" for _, r in known.values()]),
        )
    return np.array([known[d][0] for d in digests], dtype=np.float32), [known[d][1] for d in digests]


def _compute_features(texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
    from streams.commands.evaluation import main_event
    from streams.core.models import Article
    from streams.enrich import Enricher
    from streams.enrich.embedding import sentence_embedder

    enricher = Enricher(classify=False)
    rule_labels: list[str | None] = []
    with click.progressbar(range(0, len(texts), 64), label=f"rule coder on {len(texts)} texts") as bar:
        for start in bar:
            articles = [
                Article(id=f"t{start + n}", title="", body=t, ingested_at=1)
                for n, t in enumerate(texts[start : start + 64])
            ]
            for enriched in enricher.enrich_batch(articles):
                event = main_event(enriched, acled=True)
                rule_labels.append(event.acled_sub_event_type if event else None)
    return sentence_embedder().embed(texts), rule_labels


def _rules_fingerprint() -> str:
    """The rule coder's code and tables: its answers change only when these do."""
    package = Path(__file__).resolve().parents[1]
    files = sorted((package / "enrich").glob("*.py")) + sorted((package / "enrich" / "data").glob("*.yaml"))
    files += sorted((package / "reference").glob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        if path.name not in {
            "classifier.py",
            "training.py",
            "training_data.py",
            "learned.py",
            "embedding.py",
            "pipeline.py",
        }:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _learning_curve(
    x: np.ndarray, y: np.ndarray, examples: list[Example], by_split: dict[str, np.ndarray], settings: FitSettings
) -> list[dict[str, float]]:
    """Dev weighted F1 against the share of real training text used (self-written always in)."""
    from streams.enrich.classifier import LABELS
    from streams.enrich.training import f1_scores, fit_logistic

    real = [i for i, e in enumerate(examples) if e.split == "train" and e.source != "written"]
    written = [i for i, e in enumerate(examples) if e.split == "train" and e.source == "written"]
    rng = random.Random(7)  # noqa: S311  # a reproducible shuffle, not a secret
    rng.shuffle(real)
    dev = by_split["dev"]
    gold = [LABELS[i] for i in y[dev]]
    points = []
    for share in (0.0, 0.1, 0.25, 0.5, 1.0):
        chosen = written + real[: int(len(real) * share)]
        weights, bias = fit_logistic(x[chosen], y[chosen], settings)
        predicted = [LABELS[i] for i in (x[dev] @ weights.T + bias).argmax(axis=1)]
        scores = f1_scores(gold, predicted)
        points.append({"real_share": share, "train_examples": len(chosen), **scores})
        click.echo(
            f"curve: {share:4.0%} of real text ({len(chosen):5d} examples): "
            f"dev weighted F1 {scores['weighted_f1']:.3f}, macro F1 {scores['macro_f1']:.3f}"
        )
    return points


def _where(values: list[str], pick: list[bool]) -> list[str]:
    return [v for v, keep in zip(values, pick, strict=True) if keep]


def _echo_scores(split: str, scores: dict[str, object]) -> None:
    def line(name: str, block: dict[str, Any]) -> str:
        c, r = block["classifier"], block["rules"]
        return (
            f"  {name:22} n={block['n']:5d}  classifier wF1 {c['weighted_f1']:.3f} mF1 {c['macro_f1']:.3f}"
            f"  | rules wF1 {r['weighted_f1']:.3f} mF1 {r['macro_f1']:.3f}"
        )

    click.echo(f"{split}: calibration error {scores['calibration_error']:.3f}")
    click.echo(line("all", scores))
    for name, block in scores.items():
        if isinstance(block, dict) and "classifier" in block and name not in {"classifier", "rules"}:
            click.echo(line(name, block))

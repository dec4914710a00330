"""Quality floors on the dev sets under bench/data (written for this project, see their README):
a change that makes coding or NER clearly worse fails here. Floors sit a little under the scores
measured when they were set, so ordinary noise does not trip them."""

from pathlib import Path

import pytest

from streams.commands.evaluation import load_dataset, score, summary_rows

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


@pytest.mark.parametrize(
    ("dataset", "measure", "floor"),
    [
        ("dev_acled.jsonl", "ACLED sub-event type: weighted F1", 0.78),
        ("dev_acled.jsonl", "ACLED event type: macro F1", 0.80),
        ("dev_acled.jsonl", "country of the event: accuracy", 0.90),
        ("dev_acled.jsonl", "fatalities: exact match", 0.84),
        ("dev_ner.jsonl", "NER (CoNLL labels): micro F1", 0.80),
        ("dev_articles.jsonl", "primary PLOVER event (articles): accuracy", 0.80),
        ("dev_stories.jsonl", "story grouping: pairwise precision", 0.90),
        ("dev_stories.jsonl", "story grouping: pairwise recall", 0.66),
    ],
)
def test_dev_set_score_stays_above_its_floor(enricher, dataset: str, measure: str, floor: float):
    """Scores from `newsstream eval` on our own labelled text."""
    items = load_dataset(DATA / dataset)
    report = score(zip(items, enricher.enrich_batch([i.article for i in items]), strict=True))
    value = {name: float(v) for name, v, _ in summary_rows(report)}[measure]
    assert value >= floor, f"{measure} on {dataset}: {value:.3f} < {floor}"

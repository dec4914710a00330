"""The whole enricher (as `newsstream enrich` runs it) on the real text the classifier was not
trained on: the dev split (thresholds were chosen on it) and the locked split (reported, never
used to choose anything). Prints ACLED sub-type and event-type F1, rules alone and rules with the
learned classifier, per source.

    python -m bench.heldout_events [--split dev|locked|both]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from streams.commands.evaluation import EvalItem, score, summary_rows
from streams.core.models import Article
from streams.enrich import Enricher
from streams.enrich.classifier import NONE
from streams.enrich.training_data import Example, load_examples
from streams.reference.taxonomy import acled_event_type

TRAINING = Path(__file__).resolve().parents[1] / "training"
MEASURES = (
    "ACLED sub-event type: weighted F1",
    "ACLED sub-event type: macro F1",
    "ACLED event type: macro F1",
    "country of the event: accuracy",
)


def items_of(examples: list[Example]) -> list[EvalItem]:
    items = []
    for example in examples:
        gold = {
            "acled_sub_event_type": None if example.label == NONE else example.label,
            "acled_event_type": acled_event_type(example.label) if example.label != NONE else None,
        }
        if example.country:
            gold["country"] = example.country
        article = Article(id=example.id, title="", body=example.text, ingested_at=1)
        items.append(EvalItem(example.id, article, gold))
    return items


def scores(enricher: Enricher, items: list[EvalItem]) -> dict[str, float]:
    enriched = enricher.enrich_batch([item.article for item in items])
    return {name: float(value) for name, value, _ in summary_rows(score(zip(items, enriched, strict=True)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "locked", "both"], default="dev")
    args = parser.parse_args()
    splits = ["dev", "locked"] if args.split == "both" else [args.split]
    examples = [e for e in load_examples(TRAINING) if e.split in splits]
    by_source: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_source[f"{example.split}/{example.source}"].append(example)
    rules, learned = Enricher(classify=False), Enricher()
    print(f"{'split/source':32} {'n':>5}  " + "  ".join(f"{m[:34]:>34}" for m in MEASURES))
    for name in sorted(by_source):
        items = items_of(by_source[name])
        for label, enricher in (("rules", rules), ("rules+classifier", learned)):
            result = scores(enricher, items)
            cells = "  ".join(f"{result.get(m, float('nan')):34.3f}" for m in MEASURES)
            print(f"{name + ' ' + label:32} {len(items):5d}  {cells}")


if __name__ == "__main__":
    main()

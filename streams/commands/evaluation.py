"""Scoring the pipeline against labelled data: `newsstream eval DATASET`. Pure functions over
enriched articles and gold labels; the CLI does the reading and printing.

A dataset is JSON lines. Each record has `text` (or `title` and `body`, optional `published`) and
any of these gold labels, each scored where present:
  acled_event_type, acled_sub_event_type   the ACLED type of the record's main event
  event_type                               its PLOVER type
  country                                  ISO-2 of where the main event happened
  fatalities                               integer, or null when none is stated
  entities                                 [{start, end, label}] on `text`, CoNLL labels PER/ORG/LOC/MISC
  primary_event, countries                 for whole articles: the headline's PLOVER type, main countries
  actor, target                            [{text, country}]: the event's parties (the PLOVER file's
                                           source and target); a predicted party counts when its
                                           words or its country match one of them
The PLOVER gold-standard file (openeventdata/PLOVER, PLOVER_GSR_CAMEO) is read as is.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from streams.core.errors import ConfigError
from streams.core.identity import article_id
from streams.core.models import Article, EnrichedArticle, Event

#: spaCy/OntoNotes labels -> CoNLL-2003 labels (None: not a CoNLL entity)
CONLL_LABELS = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}
#: PLOVER 0.5 (the gold-standard file) -> current PLOVER
PLOVER_05 = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
_ISO3_TO_ISO2: dict[str, str] = {}


@dataclass
class EvalItem:
    id: str
    article: Article
    gold: dict[str, Any]


def _iso2(code: str | None) -> str | None:
    if not code:
        return None
    if len(code) == 2:
        return code.upper()
    if not _ISO3_TO_ISO2:
        import pycountry

        _ISO3_TO_ISO2.update({c.alpha_3: c.alpha_2 for c in pycountry.countries})
    return _ISO3_TO_ISO2.get(code.upper())


def _article(record_id: str, title: str, body: str, published: str | None) -> Article:
    return Article(
        id=record_id or article_id(url=None, title=title, body=body),
        title=title,
        body=body,
        published=published,
        ingested_at=1,
    )


def load_dataset(path: Path) -> list[EvalItem]:
    """JSON lines with gold labels, or the PLOVER gold-standard JSON array."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    if text.lstrip().startswith("["):
        return list(_plover_gsr(json.loads(text)))
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not JSON ({exc.msg})") from None
        title = record.get("title", "")
        body = record.get("body") or record.get("text") or ""
        gold = {k: v for k, v in record.items() if k not in {"id", "title", "body", "text", "published", "source"}}
        items.append(
            EvalItem(
                str(record.get("id", number)),
                _article(str(record.get("id", "")), title, body, record.get("published")),
                gold,
            )
        )
    return items


def _plover_gsr(records: list[dict[str, Any]]) -> Iterator[EvalItem]:
    for record in records:
        if record.get("event") in (None, "DOCUMENT") or not record.get("text"):
            continue
        gold: dict[str, Any] = {"event_type": PLOVER_05.get(record["event"], record["event"])}
        location = record.get("eventLoc") or {}
        code = location.get("country code") or location.get("country") if isinstance(location, dict) else None
        if code:
            gold["country"] = _iso2(str(code))
        if "dead" in record and str(record["dead"]).isdigit():
            gold["fatalities"] = int(record["dead"])
        for role, key in (("actor", "source"), ("target", "target")):
            parties = [_party(p) for p in record.get(key) or [] if isinstance(p, dict) and p.get("actorText")]
            if parties:
                gold[role] = parties
        yield EvalItem(record["id"], _article(record["id"], "", record["text"], "2000-01-01"), gold)


def _party(actor: dict[str, Any]) -> dict[str, str | None]:
    """A gold actor: its words and, where its CAMEO code starts with one, its country (ISO-2)."""
    code = str(actor.get("code") or "")
    return {"text": str(actor["actorText"]), "country": _iso2(code[:3]) if len(code) >= 3 else None}


def role_matches(gold: list[dict[str, str | None]], name: str | None, country: str | None) -> bool:
    """Whether a predicted actor (or target) is one of the gold parties: the same words (either
    containing the other, as "Hungarian officials" and "Hungarian"), or the same country."""
    if name is None:
        return False
    folded = name.casefold()
    for party in gold:
        words = (party["text"] or "").casefold()
        if words and (words in folded or folded in words):
            return True
        if country is not None and party["country"] == country:
            return True
    return False


def main_event(article: EnrichedArticle, *, acled: bool = False) -> Event | None:
    """The event a single-event text is about: the most salient fact (with an ACLED type if asked)."""
    for event in article.events:
        if event.is_fact and (event.acled_sub_event_type or not acled):
            return event
    return None


@dataclass
class Confusion:
    """Gold/predicted label pairs for one classification task."""

    pairs: list[tuple[str | None, str | None]] = field(default_factory=list)

    def add(self, gold: str | None, predicted: str | None) -> None:
        self.pairs.append((gold, predicted))

    def per_label(self) -> dict[str, tuple[float, float, float, int]]:
        """label -> (precision, recall, F1, support)."""
        tp: Counter[str] = Counter()
        fp: Counter[str] = Counter()
        fn: Counter[str] = Counter()
        for gold, predicted in self.pairs:
            if gold == predicted and gold is not None:
                tp[gold] += 1
                continue
            if predicted is not None:
                fp[predicted] += 1
            if gold is not None:
                fn[gold] += 1
        scores = {}
        for label in set(tp) | set(fn):
            precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
            recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            scores[label] = (precision, recall, f1, tp[label] + fn[label])
        return scores

    def macro_f1(self) -> float:
        scores = self.per_label()
        return sum(s[2] for s in scores.values()) / len(scores) if scores else 0.0

    def weighted_f1(self) -> float:
        scores = self.per_label()
        total = sum(s[3] for s in scores.values())
        return sum(s[2] * s[3] for s in scores.values()) / total if total else 0.0

    def accuracy(self) -> float:
        return sum(1 for g, p in self.pairs if g == p) / len(self.pairs) if self.pairs else 0.0


@dataclass
class SpanScores:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def f1(self, label: str | None = None) -> float:
        labels = [label] if label else list(set(self.tp) | set(self.fp) | set(self.fn))
        tp = sum(self.tp[x] for x in labels)
        fp = sum(self.fp[x] for x in labels)
        fn = sum(self.fn[x] for x in labels)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def predicted_spans(article: EnrichedArticle) -> set[tuple[int, int, str]]:
    """Body mentions as (start, end, CoNLL label)."""
    spans = set()
    for entity in article.entities:
        label = CONLL_LABELS.get(entity.label)
        if label is None:
            continue
        for mention in entity.mentions:
            if mention.field == "body":
                spans.add((mention.start, mention.end, label))
    return spans


@dataclass
class Report:
    """Every score computed for a dataset, and the misses to show."""

    tasks: dict[str, Confusion] = field(default_factory=lambda: defaultdict(Confusion))
    spans: SpanScores = field(default_factory=SpanScores)
    exact: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    items: int = 0
    story_precision: float | None = None
    story_recall: float | None = None
    story_items: int = 0


def score(items: Iterable[tuple[EvalItem, EnrichedArticle]]) -> Report:
    """Compare predictions with gold labels, task by task."""
    report = Report()
    items = list(items)
    if any("story" in item.gold for item, _ in items):
        report.story_precision, report.story_recall, report.story_items = story_pairs(items)
    for item, predicted in items:
        report.items += 1
        gold = item.gold
        acled_event = main_event(predicted, acled=True)
        any_event = main_event(predicted)
        text = (item.article.title + " | " if item.article.title else "") + item.article.body[:160]
        if "acled_sub_event_type" in gold:
            guess = acled_event.acled_sub_event_type if acled_event else None
            report.tasks["acled_sub_event_type"].add(gold["acled_sub_event_type"], guess)
            if guess != gold["acled_sub_event_type"]:
                report.misses["acled_sub_event_type"].append(f"{gold['acled_sub_event_type']} ≠ {guess}: {text}")
        if "acled_event_type" in gold:
            guess = acled_event.acled_event_type if acled_event else None
            report.tasks["acled_event_type"].add(gold["acled_event_type"], guess)
        reference = acled_event if "acled_sub_event_type" in gold else any_event
        if "event_type" in gold:
            guess = any_event.type if any_event else None
            report.tasks["event_type"].add(gold["event_type"], guess)
            if guess != gold["event_type"]:
                report.misses["event_type"].append(f"{gold['event_type']} ≠ {guess}: {text}")
        if gold.get("country"):
            guess = (reference.country if reference and reference.country else None) or (
                predicted.countries[0] if predicted.countries else None
            )
            report.exact["country"].append(guess == gold["country"])
            if guess != gold["country"]:
                report.misses["country"].append(f"{gold['country']} ≠ {guess}: {text}")
        for role in ("actor", "target"):
            if role in gold:
                name = getattr(any_event, role) if any_event else None
                coded = getattr(any_event, f"{role}_country") if any_event else None
                country = coded or _entity_country(predicted, name)
                hit = role_matches(gold[role], name, country)
                report.exact[role].append(hit)
                if not hit:
                    parties = ", ".join(str(p["text"]) for p in gold[role])
                    report.misses[role].append(f"{parties} ≠ {name}: {text}")
        if "fatalities" in gold:
            deaths = reference.fatalities if reference else None
            report.exact["fatalities"].append(deaths == gold["fatalities"])
            if deaths != gold["fatalities"]:
                report.misses["fatalities"].append(f"{gold['fatalities']} ≠ {deaths}: {text}")
        if "primary_event" in gold:
            report.tasks["primary_event"].add(gold["primary_event"], predicted.primary_event)
            if predicted.primary_event != gold["primary_event"]:
                report.misses["primary_event"].append(f"{gold['primary_event']} ≠ {predicted.primary_event}: {text}")
        if gold.get("countries"):
            main = predicted.countries[0] if predicted.countries else None
            report.exact["main_country"].append(main == gold["countries"][0])
            if main != gold["countries"][0]:
                report.misses["main_country"].append(f"{gold['countries'][0]} ≠ {main}: {text}")
        if "entities" in gold:
            wanted = {(e["start"], e["end"], e["label"]) for e in gold["entities"]}
            found = predicted_spans(predicted)
            for span in found & wanted:
                report.spans.tp[span[2]] += 1
            for span in found - wanted:
                report.spans.fp[span[2]] += 1
            for span in wanted - found:
                report.spans.fn[span[2]] += 1
                report.misses["entities"].append(f"missed {span[2]} {item.article.body[span[0] : span[1]]!r}")
    return report


def _entity_country(article: EnrichedArticle, name: str | None) -> str | None:
    if name is None:
        return None
    for entity in article.entities:
        if entity.canonical == name:
            return entity.country
    return None


def story_pairs(items: list[tuple[EvalItem, EnrichedArticle]]) -> tuple[float, float, int]:
    """Pairwise precision and recall of story grouping against gold `story` labels: articles are
    fed in publication order through one StoryIndex per story block, as the alert agent does."""
    from streams.alerting.stories import StoryIndex
    from streams.enrich.dates import parse_published
    from streams.stages.alert import story_block

    labelled = [(item, article) for item, article in items if "story" in item.gold]
    labelled.sort(key=lambda pair: pair[0].article.published or "")
    indexes: dict[str, StoryIndex] = defaultdict(StoryIndex)
    predicted: dict[str, str] = {}
    for item, article in labelled:
        day = parse_published(item.article.published)
        now = datetime.combine(day, datetime.min.time()).timestamp() if day else 0.0
        predicted[item.id] = indexes[story_block(article)].assign(article, now).story_id
    gold = {item.id: item.gold["story"] for item, _ in labelled}
    ids = sorted(gold)
    tp = fp = fn = 0
    for i, one in enumerate(ids):
        for two in ids[i + 1 :]:
            same_gold, same_predicted = gold[one] == gold[two], predicted[one] == predicted[two]
            tp += same_gold and same_predicted
            fp += same_predicted and not same_gold
            fn += same_gold and not same_predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, len(labelled)


def summary_rows(report: Report) -> list[tuple[str, str, int]]:
    """(measure, value, support) rows, the table `newsstream eval` prints."""
    rows: list[tuple[str, str, int]] = []
    names = {
        "acled_sub_event_type": "ACLED sub-event type",
        "acled_event_type": "ACLED event type",
        "event_type": "PLOVER event type",
        "primary_event": "primary PLOVER event (articles)",
    }
    for task, confusion in report.tasks.items():
        n = len(confusion.pairs)
        rows.append((f"{names[task]}: accuracy", f"{confusion.accuracy():.3f}", n))
        rows.append((f"{names[task]}: macro F1", f"{confusion.macro_f1():.3f}", n))
        rows.append((f"{names[task]}: weighted F1", f"{confusion.weighted_f1():.3f}", n))
    for task, hits in report.exact.items():
        label = {
            "country": "country of the event: accuracy",
            "fatalities": "fatalities: exact match",
            "main_country": "main country (articles): accuracy",
            "actor": "actor (source) of the event: accuracy",
            "target": "target of the event: accuracy",
        }[task]
        rows.append((label, f"{sum(hits) / len(hits):.3f}", len(hits)))
    if report.story_precision is not None and report.story_recall is not None:
        p, r = report.story_precision, report.story_recall
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows += [
            ("story grouping: pairwise precision", f"{p:.3f}", report.story_items),
            ("story grouping: pairwise recall", f"{r:.3f}", report.story_items),
            ("story grouping: pairwise F1", f"{f1:.3f}", report.story_items),
        ]
    if report.spans.tp or report.spans.fn:
        for label in ("PER", "ORG", "LOC", "MISC"):
            support = report.spans.tp[label] + report.spans.fn[label]
            rows.append((f"NER {label}: F1", f"{report.spans.f1(label):.3f}", support))
        total = sum(report.spans.tp.values()) + sum(report.spans.fn.values())
        rows.append(("NER (CoNLL labels): micro F1", f"{report.spans.f1():.3f}", total))
    return rows

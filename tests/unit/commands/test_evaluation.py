"""The scoring behind `newsstream eval`, on hand-made predictions."""

from streams.commands.evaluation import Confusion, load_dataset, predicted_spans
from streams.core.models import EnrichedArticle, Entity, Mention


def test_weighted_and_macro_f1_from_pairs():
    """Per-label F1 from gold/predicted pairs; a missing prediction counts against recall only."""
    confusion = Confusion()
    for gold, predicted in [("A", "A"), ("A", "A"), ("A", "B"), ("B", "B"), ("B", None)]:
        confusion.add(gold, predicted)
    scores = confusion.per_label()
    # A: tp 2, fp 0, fn 1 -> P 1, R 2/3, F1 0.8 ; B: tp 1, fp 1, fn 1 -> P 0.5, R 0.5, F1 0.5
    assert round(scores["A"][2], 3) == 0.8 and round(scores["B"][2], 3) == 0.5
    assert round(confusion.macro_f1(), 3) == 0.65
    assert round(confusion.weighted_f1(), 3) == round((0.8 * 3 + 0.5 * 2) / 5, 3)
    assert confusion.accuracy() == 3 / 5


def test_spans_map_to_conll_labels_and_skip_dates():
    """PERSON->PER, GPE->LOC, NORP->MISC; DATE is not a CoNLL entity."""
    article = EnrichedArticle(
        "x",
        "",
        "text",
        None,
        None,
        None,
        None,
        0,
        [
            Entity("Tarar", "PERSON", "Tarar", mentions=[Mention("body", 0, 5)]),
            Entity("Kabul", "GPE", "Kabul", mentions=[Mention("body", 10, 15), Mention("title", 0, 5)]),
            Entity("Afghan", "NORP", "Afghan", mentions=[Mention("body", 20, 26)]),
            Entity("Monday", "DATE", "Monday", mentions=[Mention("body", 30, 36)]),
        ],
        [],
        [],
        None,
        "s",
        "v",
    )
    assert predicted_spans(article) == {(0, 5, "PER"), (10, 15, "LOC"), (20, 26, "MISC")}


def test_plover_gold_standard_format_is_read(tmp_path):
    """The PLOVER GSR array: DOCUMENT header skipped, 0.5 labels mapped, ISO-2 from eventLoc."""
    path = tmp_path / "gsr.json"
    path.write_text(
        '[{"id": "doc", "event": "DOCUMENT"},'
        ' {"id": "e1", "event": "FIGHT", "text": "Troops fought rebels.", "eventLoc": {"country code": "SD"},'
        ' "dead": "4"}]'
    )
    [item] = load_dataset(path)
    assert item.gold == {"event_type": "ASSAULT", "country": "SD", "fatalities": 4}

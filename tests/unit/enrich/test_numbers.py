import pytest

from streams.enrich.numbers import casualties, parse_number


@pytest.mark.parametrize(
    ("sentence", "fatalities", "injured"),
    [
        ("The army responded, killing over 200 Afghan Taliban and affiliated militants.", 200, None),
        ("The ISPR said that 23 soldiers embraced martyrdom in the clashes.", 23, None),
        ("At least 14 people were killed and 30 wounded in the blast.", 14, 30),
        ("Two militants died and five were injured.", 2, 5),
        ("The death toll rose to 31 on Thursday.", 31, None),
        ("Gunmen killed 12 soldiers and three civilians were killed in the crossfire.", 15, None),
        ("No one was hurt in the explosion.", 0, None),
        ("The four-day talks ran over 18 hours.", None, None),
        ("The strike left twenty-three people dead.", 23, None),
        ("1 fatality.", 1, None),
        ("At least 14 soldiers and an unknown number of militants were killed in the ambush.", 14, None),
        ("A landmine exploded under a tractor, killing the farmer driving it.", 1, None),
        ("Troops raped a woman and killed her husband during a raid.", 1, None),
        ("Gunmen killed the soldiers guarding the gate.", None, None),  # a plural victim is no count
    ],
)
def test_counts_read_from_the_sentence(sentence: str, fatalities: int | None, injured: int | None):
    """Deaths and injuries as stated, summed when a sentence gives several groups; None if unstated."""
    counts = casualties(sentence)
    assert (counts.fatalities, counts.injured) == (fatalities, injured)


@pytest.mark.parametrize(
    ("text", "value"), [("1,200", 1200), ("twenty-three", 23), ("two hundred", 200), ("dozen", 12)]
)
def test_number_words(text: str, value: int):
    """Digits, grouped digits and number words."""
    assert parse_number(text) == value

"""Event coding on sentences written for these tests: each pins one behaviour of the coder."""

import pytest


def _events(enricher, make_article, body, title=""):
    return enricher.enrich(make_article(body, title=title)).events


def _only(events, event_type):
    found = [e for e in events if e.type == event_type]
    assert found, f"no {event_type} in {[(e.type, e.sentence) for e in events]}"
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "sub_type"),
    [
        (
            "A suicide bomber blew himself up at a checkpoint in Mogadishu on Monday, killing 11 people.",
            "Suicide bomb",
        ),
        (
            "A roadside bomb struck an army convoy near Quetta, killing six soldiers.",
            "Remote explosive/landmine/IED",
        ),
        (
            "Military jets carried out air strikes on a village in Sagaing, killing 23 civilians.",
            "Air/drone strike",
        ),
        (
            "Artillery shelling hit a crowded market in El Fasher, killing 19 people.",
            "Shelling/artillery/missile attack",
        ),
        ("Troops clashed with M23 rebels near Kiwanja, leaving 23 dead.", "Armed clash"),
        ("Gunmen attacked villagers in Zamfara, killing nine people.", "Attack"),
        ("Gunmen kidnapped 27 bus passengers on the Kaduna highway.", "Abduction/forced disappearance"),
        ("A grenade was thrown into a market in Djibo, killing five people.", "Grenade"),
    ],
)
def test_violence_gets_its_acled_sub_type(enricher, make_article, sentence, sub_type):
    """The ACLED sub-type follows the weapon and the victims, not just the verb."""
    event = _only(_events(enricher, make_article, sentence), "ASSAULT")
    assert event.acled_sub_event_type == sub_type


def test_fatalities_and_place_of_an_attack(enricher, make_article):
    """Deaths are counted once, the place resolves to its country."""
    event = _only(
        _events(enricher, make_article, "A roadside bomb killed six soldiers near Quetta on Tuesday."),
        "ASSAULT",
    )
    assert event.fatalities == 6
    assert event.country == "PK"
    assert event.date == "2026-11-17"  # the Tuesday before Wednesday 18 November, the publication day


@pytest.mark.parametrize(
    ("sentence", "sub_type"),
    [
        ("Thousands of farmers held a peaceful protest in Paris on Thursday.", "Peaceful protest"),
        ("Police fired tear gas to disperse protesters in Nairobi.", "Protest with intervention"),
        ("Rioters torched cars and pelted police with stones in Dakar.", "Violent demonstration"),
    ],
)
def test_protests(enricher, make_article, sentence, sub_type):
    """Protest sub-types follow what the police and the crowd did."""
    assert _only(_events(enricher, make_article, sentence), "PROTEST").acled_sub_event_type == sub_type


def test_a_threat_to_strike_is_not_a_strike(enricher, make_article):
    """THREATEN is a fact; the strike it threatens is hypothetical."""
    events = _events(enricher, make_article, "The Houthis threatened to attack ships in the Red Sea.")
    assert _only(events, "THREATEN").is_fact
    assert all(not e.is_fact for e in events if e.type == "ASSAULT")


def test_no_agreement_is_not_an_agreement(enricher, make_article):
    """A negated agreement is flagged, and a failed-talks event is coded."""
    events = _events(enricher, make_article, "No agreement was reached after two days of talks in Muscat.")
    assert all(e.negated for e in events if e.type == "AGREE")
    assert any(e.type == "REJECT" for e in events)


def test_denied_attack_is_negated(enricher, make_article):
    """A group denying an attack is not a claim that it attacked."""
    events = _events(enricher, make_article, "The group denied carrying out the attack on the police post.")
    assert all(e.negated for e in events if e.type == "ASSAULT")


def test_arrest_is_coerce_with_acled_arrests(enricher, make_article):
    """Arrests are COERCE/arrest and ACLED Strategic developments/Arrests."""
    event = _only(
        _events(enricher, make_article, "Police arrested opposition leader Iqbal Chaudhry in Lahore."),
        "COERCE",
    )
    assert (event.mode, event.acled_event_type, event.acled_sub_event_type) == (
        "arrest",
        "Strategic developments",
        "Arrests",
    )


def test_all_caps_headline_finds_entities(enricher, make_article):
    """A shouted headline still yields its place and its event."""
    article = enricher.enrich(
        make_article("Officials gave no further details.", title="SUICIDE BOMBER KILLS 11 IN MOGADISHU")
    )
    assert any(e.canonical == "Mogadishu" and e.country == "SO" for e in article.entities)
    assert article.primary_event == "ASSAULT"


def test_a_malformed_trigger_file_fails_at_load_naming_the_entry(tmp_path):
    """A trigger with a type PLOVER lacks, or a field nobody reads, is refused with its name."""
    import pytest

    from streams.core.errors import ConfigError
    from streams.enrich.lexicon import load_triggers

    bad_type = tmp_path / "type.yaml"
    bad_type.write_text("- {name: raid, type: RAID, patterns: [raid]}\n")
    with pytest.raises(ConfigError, match=r"trigger 1 \(raid\): 'RAID' is not a PLOVER type"):
        load_triggers(bad_type)
    bad_field = tmp_path / "field.yaml"
    bad_field.write_text("- {name: raid, type: COERCE, patterns: [raid], weight: 2}\n")
    with pytest.raises(ConfigError, match="unknown field"):
        load_triggers(bad_field)


def test_the_spokesman_who_reports_a_clash_is_not_its_actor(enricher, make_article):
    """A media wing or spokesman is the source of the news, not a side in the fight."""
    events = _events(
        enricher,
        make_article,
        "The military's media wing, the Inter-Services Public Relations, said that 23 soldiers were killed "
        "in clashes with the Taliban.",
    )
    clash = _only(events, "ASSAULT")
    assert clash.actor != "Inter-Services Public Relations" and clash.target != "Inter-Services Public Relations"


def test_the_army_that_says_it_killed_rebels_is_the_actor(enricher, make_article):
    events = _events(enricher, make_article, "The Nigerian Army said it killed 20 Boko Haram fighters in Borno.")
    assert _only(events, "ASSAULT").actor is not None


def test_a_venue_or_the_same_state_twice_is_no_party(enricher, make_article):
    events = _events(enricher, make_article, "Istanbul hosted talks between Pakistan and Afghanistan on Monday.")
    assert all(e.actor != "Istanbul" for e in events)
    rejected = _events(enricher, make_article, "Pakistan rejected the offer, and Islamabad said talks had failed.")
    assert all(not (e.actor == "Pakistan" and e.target == "Islamabad") for e in rejected)


def _tolls(enricher, make_article, body):
    return [(event.acled_sub_event_type, event.fatalities) for event in _events(enricher, make_article, body)]


def test_a_sentence_that_counts_the_dead_of_the_report_before_it_is_that_event_s_toll(enricher, make_article):
    """ACLED-style notes: one event with its toll, not a second, anonymous clash."""
    tolls = _tolls(
        enricher,
        make_article,
        "On 3 August 2023, Nigerien military forces retook the village of Tchoma Bangou from IS Sahel militants. "
        "12 militants were killed during the fighting.",
    )
    assert tolls == [("Government regains territory", 12)]


def test_a_count_with_a_place_of_its_own_is_another_event(enricher, make_article):
    tolls = _tolls(
        enricher,
        make_article,
        "Gunmen attacked a village near Djibo. 12 soldiers were killed in an ambush near Arbinda.",
    )
    assert len(tolls) == 2 and (None, 12) not in tolls and any(deaths == 12 for _, deaths in tolls)

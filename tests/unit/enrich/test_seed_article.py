"""The article this project started from: what a reader of it knows, the pipeline must find."""

from streams.core.models import EnrichedArticle


def _entity_by_canonical(article: EnrichedArticle, canonical: str):
    matches = [e for e in article.entities if e.canonical == canonical]
    assert matches, f"{canonical} not among {[e.canonical for e in article.entities]}"
    assert len(matches) == 1, f"{canonical} split into {len(matches)} entities"
    return matches[0]


def _mention_texts(article: EnrichedArticle, entity) -> set[str]:
    return {(article.title if m.field == "title" else article.body)[m.start : m.end] for m in entity.mentions}


def test_places_resolve_to_countries(enriched_seed):
    """Pakistan, Afghanistan, Kabul, Istanbul, Doha and Qatar resolve to their ISO-2 codes."""
    expected = {
        "Pakistan": "PK",
        "Afghanistan": "AF",
        "Kabul": "AF",
        "Istanbul": "TR",
        "Doha": "QA",
        "Qatar": "QA",
    }
    for name, country in expected.items():
        entity = _entity_by_canonical(enriched_seed, name)
        assert entity.country == country
        assert entity.lat is not None and entity.lon is not None


def test_armed_groups_are_one_entity_each(enriched_seed):
    """ "TTP" and "Tehreek-e-Taliban Pakistan" are one group; the Taliban another."""
    ttp = _entity_by_canonical(enriched_seed, "Tehreek-e-Taliban Pakistan")
    assert {"TTP", "Tehreek-e-Taliban Pakistan"} <= _mention_texts(enriched_seed, ttp)
    taliban = _entity_by_canonical(enriched_seed, "Taliban")
    assert taliban.label == "ORG"


def test_attaullah_tarar_is_one_person_across_title_and_body(enriched_seed):
    """ "Attaullah Tarar", "Tarar" and the headline's "Atta tarar" are one canonical person."""
    tarar = _entity_by_canonical(enriched_seed, "Attaullah Tarar")
    assert tarar.label == "PERSON"
    texts = _mention_texts(enriched_seed, tarar)
    assert "Tarar" in texts and "Attaullah Tarar" in texts
    assert any(m.field == "title" for m in tarar.mentions)
    body_count = enriched_seed.body.count("Tarar")
    assert sum(1 for m in tarar.mentions if m.field == "body") >= body_count - 1
    assert not [e for e in enriched_seed.entities if "Tarar" in e.canonical and e is not tarar]


def test_mentions_point_at_their_text(enriched_seed):
    """Every mention's offsets cut the mentioned text out of its field."""
    for entity in enriched_seed.entities:
        for mention in entity.mentions:
            text = (enriched_seed.title if mention.field == "title" else enriched_seed.body)[
                mention.start : mention.end
            ]
            assert text.strip() == text and text


def test_countries_lead_with_pakistan_and_afghanistan(enriched_seed):
    """The article is about Pakistan and Afghanistan first."""
    assert set(enriched_seed.countries[:2]) == {"PK", "AF"}


def _facts(article, event_type):
    return [e for e in article.events if e.type == event_type and e.is_fact]


def test_diplomatic_events(enriched_seed):
    """Talks held (CONSULT), talks failed (REJECT), an accusation (ACCUSE)."""
    assert any("Istanbul" in (e.location or "") for e in _facts(enriched_seed, "CONSULT"))
    assert any("failed to produce" in e.sentence for e in _facts(enriched_seed, "REJECT"))
    assert any("accusing it of" in e.sentence for e in _facts(enriched_seed, "ACCUSE"))


def test_ceasefire_agreed_in_doha_on_october_19(enriched_seed):
    """AGREE, ACLED Agreement, in Doha (QA), dated 19 October of the publication year."""
    agreements = [e for e in _facts(enriched_seed, "AGREE") if "ceasefire" in e.sentence]
    assert agreements
    assert any(e.location == "Doha" and e.country == "QA" and e.date == "2025-10-19" for e in agreements)
    assert all(e.acled_sub_event_type == "Agreement" for e in agreements)


def test_october_12_clashes_and_strikes(enriched_seed):
    """ASSAULT events: an armed clash (Battles) with 200 killed and the strikes (Explosions/Remote violence)."""
    assaults = _facts(enriched_seed, "ASSAULT")
    battles = [e for e in assaults if e.acled_event_type == "Battles"]
    remote = [e for e in assaults if e.acled_event_type == "Explosions/Remote violence"]
    assert battles and remote
    killing = [e for e in battles if e.fatalities == 200]
    assert killing and killing[0].date == "2025-10-12"
    assert any(e.fatalities == 23 for e in battles)
    assert any(e.country == "AF" and e.acled_sub_event_type == "Air/drone strike" for e in remote)


def test_events_carry_their_sentence(enriched_seed):
    """Each event's sentence is the text at its offsets."""
    for event in enriched_seed.events:
        text = enriched_seed.title if event.field == "title" else enriched_seed.body
        assert text[event.start : event.end].strip() == event.sentence


def test_headline_event_is_primary(enriched_seed):
    """ "Dialogue Collapses" makes REJECT the primary event; the events lead with violence or it."""
    assert enriched_seed.primary_event == "REJECT"
    assert enriched_seed.events[0].type in {"ASSAULT", "REJECT"}

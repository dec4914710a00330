"""Actor and target codes: each party's country and sector, as PLOVER's actor codes carry them."""

from __future__ import annotations

import pytest

from streams.enrich.parties import sector_of


@pytest.mark.parametrize(
    ("phrase", "sector"),
    [
        ("Myanmar military troops", "military"),
        ("police officers", "police"),
        ("the Interior Ministry", "government"),
        ("suspected Boko Haram militants", "rebels"),
        ("unidentified gunmen", "unidentified armed group"),
        ("hundreds of students", "civilians"),
        ("thousands of demonstrators", "protesters"),
        ("the Supreme Court", "judiciary"),
        ("a local journalist", "media"),
        ("Tuesday's meeting", None),
    ],
)
def test_the_head_noun_of_a_party_s_phrase_gives_its_sector(phrase: str, sector: str | None):
    assert sector_of(phrase.split()) == sector


def _parties(enricher, make_article, body):
    return [
        (e.actor_country, e.actor_sector, e.target_country, e.target_sector)
        for e in enricher.enrich(make_article(body)).events
    ]


def test_a_passive_clause_gives_the_agent_as_actor_and_the_subject_as_target(enricher, make_article):
    assert _parties(enricher, make_article, "23 soldiers were killed by Taliban militants in Helmand.") == [
        ("AF", "rebels", None, "military")
    ]


def test_a_demonym_in_the_party_s_phrase_gives_its_country(enricher, make_article):
    parties = _parties(enricher, make_article, "Nigerien forces retook the village of Tchoma Bangou from militants.")
    assert parties[0][:2] == ("NE", "military")


def test_a_word_that_is_also_a_town_gives_no_country(enricher, make_article):
    """ "Police" is a town in Poland; police officers have no country from that."""
    parties = _parties(enricher, make_article, "Police fired tear gas at protesters in Nairobi.")
    assert parties and all(actor_country != "PL" for actor_country, *_ in parties)
    assert parties[0][1] == "police"

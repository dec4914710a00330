"""Entities of an article: spaCy's spans, cleaned, resolved to places, and grouped per real-world thing.

"Tarar", "Attaullah Tarar" and "Atta Tarar" are one person; "TTP" and "Tehreek-e-Taliban
Pakistan" one group; "Turkiye" and "Türkiye" one country. Grouping rules, in order: the alias file,
the gazetteer (places resolve to one canonical place), acronyms defined in the text ("Inter-Services
Public Relations (ISPR)"), and person surnames (a lone surname joins the full name it shortens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from streams.core.models import Entity, Mention
from streams.enrich.aliases import KnownEntity, alias_index, load_aliases
from streams.reference.gazetteer import Gazetteer, Place

SKIPPED_LABELS = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "TIME"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# words after which a capitalised name is a place ("clashes near Djibo", "in Kaolack (Kaolack)")
PLACE_NOUNS = frozenset(
    "centre center outskirts city town village province region district state capital suburbs area north south "
    "east west governorate county municipality control capture recapture fall siege countryside vicinity "
    "outskirt edge heart streets neighbourhood neighborhood northeast northwest southeast southwest north-east "
    "north-west south-east south-west".split()
)
_SPORTS = re.compile(
    r"\b(beat|beats|defeat(s|ed)?|draw|drew|match|league|cup|goals?|scored|coach|club|striker|season|"
    r"fixture|tournament|stadium|semi-final|final|champions)\b",
    re.IGNORECASE,
)
_MATCH_VERBS = frozenset({"beat", "defeat", "draw", "play", "face", "thrash", "edge", "outplay", "overcome"})
#: labels the small model gives place names it does not know as places ("Aleppo" as LANGUAGE)
_MISLABELLED_PLACE = frozenset({"ORG", "PERSON", "LANGUAGE", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
PLACE_CUES = frozenset({"in", "near", "at", "outside", "around", "from", "into", "toward", "towards", "across", "("})
# Words that precede names but are not part of them ("Minister Attaullah Tarar").
HONORIFICS = frozenset(
    (
        "minister president prime general lt col colonel major captain sergeant governor senator mayor king queen "
        "prince sheikh dr mr mrs ms spokesman spokeswoman spokesperson commander chief secretary ambassador envoy "
        "leader director judge justice information broadcasting interior defence defense foreign affairs finance "
        "deputy acting former said says told according"
    ).split()
)
_DASHES = re.compile(r"[–—]")
_LEADING_THE = re.compile(r"^(?:the|a|an)\s+", re.I)
_TRAILING_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(slots=True)
class SpanRef:
    """One mention, tied to the field it came from."""

    text: str
    label: str
    field: str
    start: int
    end: int
    #: the words before it say it is a place ("in", "near", "the outskirts of")
    cued: bool = False
    #: the country a list of places puts it in ("Córdoba" in "Tierralta, Córdoba, Colombia")
    within: str | None = None


@dataclass(slots=True)
class EntityGroup:
    key: str
    canonical: str
    label: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    mentions: list[SpanRef] = field(default_factory=list)


@dataclass(slots=True)
class EntityIndex:
    """The grouped entities of an article and a way back from any mention to its group."""

    groups: list[EntityGroup]
    #: (field, character offset) -> the entity mentioned there; built once, read per token
    by_char: dict[tuple[str, int], EntityGroup]

    @classmethod
    def build(cls, groups: list[EntityGroup]) -> EntityIndex:
        by_char: dict[tuple[str, int], EntityGroup] = {}
        for group in groups:
            for mention in group.mentions:
                for offset in range(mention.start, mention.end):
                    by_char.setdefault((mention.field, offset), group)
        return cls(groups=groups, by_char=by_char)

    def group_at(self, field_name: str, char_start: int, char_end: int) -> EntityGroup | None:
        """The entity whose mention overlaps [char_start, char_end) in a field."""
        return self.by_char.get((field_name, char_start)) or self.by_char.get((field_name, char_end - 1))

    def to_entities(self) -> list[Entity]:
        return [
            Entity(
                text=group.mentions[0].text,
                label=group.label,
                canonical=group.canonical,
                country=group.country,
                lat=group.lat,
                lon=group.lon,
                mentions=[Mention(m.field, m.start, m.end) for m in group.mentions],
            )
            for group in self.groups
        ]


def clean_span_text(text: str) -> str:
    """Drop leading articles, trailing possessives and stray punctuation."""
    cleaned = _LEADING_THE.sub("", text.strip())
    cleaned = _TRAILING_POSSESSIVE.sub("", cleaned)
    return cleaned.strip(" \t\n\"'“”‘’.,;:()")


def _trimmed_span(span: Span, doc_text: str) -> tuple[str, int, int]:
    """The cleaned text of a span and its character offsets within the doc."""
    tokens = list(span)
    while tokens and (tokens[0].lower_ in {"the", "a", "an"} or tokens[0].is_punct):
        tokens.pop(0)
    # "Kisumu (Kisumu": the NER ran on into a parenthesised district; the district is its own place
    opening = next((i for i, token in enumerate(tokens) if token.text == "("), None)
    if opening is not None:
        tokens = tokens[:opening]
    while tokens and (tokens[-1].is_punct or tokens[-1].tag_ == "POS" or tokens[-1].text in {"'s", "’s"}):
        tokens.pop()
    if not tokens:
        return "", span.start_char, span.start_char
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return doc_text[start:end], start, end


def _person_full_names(doc: Doc, surname: str) -> list[tuple[str, int, int]]:
    """Every "First Surname" in the doc that the NER missed or cut short ("Attaullah Tarar")."""
    found = []
    for token in doc:
        if token.text != surname or token.i == 0:
            continue
        first = doc[token.i - 1]
        if (
            first.pos_ == "PROPN"
            and first.text[:1].isupper()
            and first.is_alpha
            and first.lower_ not in HONORIFICS
            and first.ent_type_ not in {"GPE", "NORP", "ORG", "DATE", "LOC"}
        ):
            found.append((f"{first.text} {token.text}", first.idx, token.idx + len(token.text)))
    return found


class EntityGrouper:
    """Turns the spans of an article's title and body docs into canonical entities."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        known: tuple[KnownEntity, ...] | None = None,
        common_words: frozenset[str] = frozenset(),
    ) -> None:
        self._gazetteer = gazetteer
        #: lowercase English words; a small town named like one ("Congress", "Police") is only
        #: believed when the article points at the town's country
        self._common_words = common_words
        self._aliases = alias_index(known if known is not None else load_aliases())

    def group(self, docs: Iterable[tuple[str, Doc]]) -> EntityIndex:
        """Group every named span of the given (field, doc) pairs."""
        docs = list(docs)
        refs = [ref for field_name, doc in docs for ref in self._refs(field_name, doc)]
        surnames = self._person_surnames(refs)
        refs += self._bare_surnames(docs, refs, surnames)
        groups: dict[str, EntityGroup] = {}
        acronyms = self._acronyms(refs)
        context = self._context_countries(refs)
        for ref in refs:
            key, canonical, label, place, country = self._identify(
                ref, acronyms, surnames, context[clean_span_text(ref.text)]
            )
            group = groups.get(key)
            if group is None:
                group = groups[key] = EntityGroup(key=key, canonical=canonical, label=label, country=country)
                if place is not None:
                    group.lat, group.lon = place.lat, place.lon
            elif len(canonical) > len(group.canonical) and label == "PERSON":
                group.canonical = canonical  # the fullest form of a person's name wins
            if group.country is None and country is not None:
                group.country = country
            group.mentions.append(ref)
        ordered = sorted(
            groups.values(),
            key=lambda g: (-len(g.mentions), g.mentions[0].field != "title", g.mentions[0].start),
        )
        return EntityIndex.build(ordered)

    def _refs(self, field_name: str, doc: Doc) -> list[SpanRef]:
        refs: list[SpanRef] = []
        doc_text = doc.text  # spaCy rebuilds Doc.text on every access
        for span in doc.ents:
            if span.label_ in SKIPPED_LABELS:
                continue
            text, start, end = _trimmed_span(span, doc_text)
            if not text or not any(ch.isalpha() for ch in text):
                continue
            label = span.label_
            cued = self._cued_place(span)
            if ", " in text and (parts := self._place_list(text, start, cued)):
                # "Beni, Democratic Republic of Congo", "Buea, Southwest Cameroon": one span, two places
                refs += [
                    SpanRef(text=t, label="GPE", field=field_name, start=s, end=e, cued=c, within=within)
                    for t, s, e, c, within in parts
                ]
                continue
            if label in _MISLABELLED_PLACE | {"NORP", "FAC"} and cued and self._gazetteer.place(text, towns=True):
                label = "GPE"  # "in Kaolack", "near Djibo", "the centre of Kharkiv": a place, whatever the NER said
            elif label in _MISLABELLED_PLACE and self._is_place_not_team(text, span):
                label = "GPE"  # "shelling on Daraa", "Hama countryside": the small model often says ORG
            elif label == "GPE" and not cued and self._is_team(span):
                label = "ORG"  # "Barcelona beat Sevilla 3-1": clubs, not cities
            elif label == "NORP" and doc_text[end : end + 9] == " Republic":
                country = self._gazetteer.place(text + " Republic")
                if country is not None and country.kind == "country":  # "Central African" + "Republic"
                    text, end, label = text + " Republic", end + 9, "GPE"
            refs.append(
                SpanRef(text=_DASHES.sub("-", text), label=label, field=field_name, start=start, end=end, cued=cued)
            )
        # a person's first name the NER left out: "Minister Attaullah Tarar ... Tarar said" finds
        # only "Tarar"; the full name becomes a mention of its own (or widens the one it overlaps)
        for surname in {r.text for r in refs if r.label == "PERSON" and " " not in r.text}:
            for full, start, end in _person_full_names(doc, surname):
                overlapping = [r for r in refs if r.start < end and start < r.end]
                if overlapping:
                    for ref in overlapping:
                        if ref.label == "PERSON" and ref.end == end:
                            ref.text, ref.start = full, start
                else:
                    refs.append(SpanRef(text=full, label="PERSON", field=field_name, start=start, end=end))
        refs += self._unlabelled_places(doc, refs, field_name)
        refs.sort(key=lambda r: r.start)
        return refs

    def _place_list(self, text: str, start: int, cued: bool) -> list[tuple[str, int, int, bool, str]]:
        """The places of a span that lists a place and the larger places it lies in, each as
        (text, start, end, cued, country of the last part), or nothing when the span is not such
        a list: the last part must be a country or a region."""
        parts: list[tuple[str, int, int, bool]] = []
        offset = 0
        for number, part in enumerate(text.split(", ")):
            stripped = part.strip()
            at = text.index(stripped, offset) if stripped else offset
            offset = at + len(stripped)
            if stripped:
                parts.append((stripped, start + at, start + at + len(stripped), cued or number > 0))
        if len(parts) < 2:
            return []
        if "." in parts[-1][0] or len(parts[-1][0]) <= 3:
            return []  # "Washington, D.C.", "Springfield, IL": one name with its postal suffix
        last = self._gazetteer.place(parts[-1][0], towns=True)
        if last is None or last.kind == "city":
            return []
        if any(self._gazetteer.place(t, towns=True) is None for t, *_ in parts[:-1]):
            return []
        return [(*part, last.country) for part in parts]

    @staticmethod
    def _cued_place(span: Span) -> bool:
        """Whether the words before a span say it is a place."""
        doc = span.doc
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        if before in PLACE_CUES:
            return True
        two_before = doc[span.start - 2].lower_ if span.start > 1 else ""
        return before == "of" and two_before in PLACE_NOUNS

    def _unlabelled_places(self, doc: Doc, refs: list[SpanRef], field_name: str) -> list[SpanRef]:
        """Proper nouns the NER left out that the gazetteer knows, where the text says they are
        places: after "in", "near", "at"…, or inside parentheses ("in Kaolack (Kaolack)")."""
        covered = [(r.start, r.end) for r in refs]
        found: list[SpanRef] = []
        index = 0
        tokens = list(doc)
        while index < len(tokens):
            token = tokens[index]
            if token.pos_ != "PROPN" or not token.text[:1].isupper():
                index += 1
                continue
            end = index
            while end + 1 < len(tokens) and tokens[end + 1].pos_ == "PROPN" and tokens[end + 1].text[:1].isupper():
                end += 1
            previous = tokens[index - 1].lower_ if index > 0 else ""
            start_char, end_char = token.idx, tokens[end].idx + len(tokens[end].text)
            cued = previous in PLACE_CUES or (
                previous == "of" and index > 1 and tokens[index - 2].lower_ in PLACE_NOUNS
            )
            if not any(s < end_char and start_char < e for s, e in covered):
                text = doc.text[start_char:end_char]
                # uncued, only a country, region or city of 15,000+ that is no English word
                # ("shelling targeted Aleppo", which the small model often leaves untagged)
                place = self._gazetteer.place(text, towns=True) if cued else self._well_known_place(text)
                if place is not None:
                    found.append(
                        SpanRef(text=text, label="GPE", field=field_name, start=start_char, end=end_char, cued=cued)
                    )
            index = end + 1
        return found

    @staticmethod
    def _is_team(span: Span) -> bool:
        """A place name that beats, plays or draws with another in a sports sentence."""
        if not _SPORTS.search(span.sent.text):
            return False
        return any(token.lemma_ in _MATCH_VERBS for token in span.root.ancestors)

    def _is_place_not_team(self, text: str, span: Span) -> bool:
        """An ORG or PERSON that is exactly a well-known place's name, outside sports pages
        ("Barcelona beat Sevilla" is a club) and unless it is a known organisation."""
        if self._aliases.get(text.casefold()) is not None or _SPORTS.search(span.sent.text):
            return False
        return self._well_known_place(text) is not None

    def _well_known_place(self, text: str) -> Place | None:
        """A country, region or city of 15,000+ by this name, unless the name is also an English
        word; WordNet knows many cities, so those of 500,000+ and countries pass anyway."""
        if len(text) < 4 or text.isupper():
            return None
        place = self._gazetteer.place(text)
        if place is None:
            return None
        if (
            text.casefold() in self._common_words
            and place.kind != "country"
            and not self._gazetteer.is_major_city(text)
        ):
            return None
        return place

    @staticmethod
    def _bare_surnames(docs: list[tuple[str, Doc]], refs: list[SpanRef], surnames: dict[str, str]) -> list[SpanRef]:
        """Surnames of known people that the NER did not tag at all ("According to Tarar, …")."""
        cased = {full.split()[-1] for full in surnames.values()}
        extra: list[SpanRef] = []
        for field_name, doc in docs:
            covered = [(r.start, r.end) for r in refs if r.field == field_name]
            for token in doc:
                if token.text not in cased:
                    continue
                start, end = token.idx, token.idx + len(token.text)
                if not any(s < end and start < e for s, e in covered):
                    extra.append(SpanRef(text=token.text, label="PERSON", field=field_name, start=start, end=end))
        return extra

    def _acronyms(self, refs: list[SpanRef]) -> dict[str, str]:
        """ACRONYM -> the long name it abbreviates, when both occur and initials match."""
        longs = [r.text for r in refs if len(r.text.split()) >= 2]
        found: dict[str, str] = {}
        for ref in refs:
            short = ref.text
            if not (2 <= len(short) <= 6 and short.isupper() and short.isalpha()):
                continue
            for long in longs:
                words = [w for w in re.split(r"[\s-]+", long) if w and w[0].isupper()]
                if "".join(w[0] for w in words) == short:
                    found[short] = long
                    break
        return found

    def _person_surnames(self, refs: list[SpanRef]) -> dict[str, str]:
        """casefolded surname -> the longest full name ending in it."""
        names: dict[str, str] = {}
        for ref in refs:
            if ref.label != "PERSON" or " " not in ref.text:
                continue
            surname = ref.text.split()[-1].casefold()
            if len(ref.text) > len(names.get(surname, "")):
                names[surname] = ref.text
        return names

    def _context_countries(self, refs: list[SpanRef]) -> dict[str, frozenset[str]]:
        """Per mention text, the countries the rest of the article points at without doubt:
        country names, demonyms, known groups' home countries and cities no other country shares.
        They settle the shared names ("Bam, Centre-Nord" is Burkina Faso's Bam, not Iran's). A name
        never settles itself: Sabha in Libya must not outvote "Deir ez-Zor" for "al-Sabha". Small
        towns and regions count only when nothing stronger does: "outside Congress" names a
        village in Arizona too."""
        strong: list[tuple[str, str]] = []  # (mention text, country)
        weak: list[tuple[str, str]] = []
        for ref in refs:
            text = clean_span_text(ref.text)
            known = self._aliases.get(text.casefold())
            if known is not None:
                if known.country:
                    strong.append((text, known.country))
                continue
            place = self._gazetteer.place(text)
            if ref.label == "NORP" or (ref.label in PLACE_LABELS and place is None):
                # demonyms, also where the NER called them places ("Ukrainian and Russian forces")
                country = self._gazetteer.country_of_demonym(text)
                if country:
                    strong.append((text, country))
                    continue
            if place is not None and place.kind == "country":  # whatever the NER called it ("DR Congo" as ORG)
                if not self._gazetteer.is_ambiguous(text, towns=False):  # "Congo" alone could be either
                    strong.append((text, place.country))
            elif ref.label in PLACE_LABELS and not self._gazetteer.is_ambiguous(text):
                if place is not None:
                    strong.append((text, place.country))
                elif ref.cued and (town := self._gazetteer.place(text, towns=True)) is not None:
                    weak.append((text, town.country))
        context: dict[str, frozenset[str]] = {}
        for text in {clean_span_text(ref.text) for ref in refs}:
            others = {country for name, country in strong if name != text}
            context[text] = frozenset(others or {country for name, country in weak if name != text})
        return context

    def _unlikely_town(self, text: str, place: Place, context: frozenset[str]) -> bool:
        """ "outside Congress" in a story from Buenos Aires is no village in Arizona."""
        return (
            bool(context)
            and place.country not in context
            and text.casefold() in self._common_words
            and self._gazetteer.is_small_town(text)
        )

    def _identify(
        self, ref: SpanRef, acronyms: dict[str, str], surnames: dict[str, str], context: frozenset[str] = frozenset()
    ) -> tuple[str, str, str, Place | None, str | None]:
        """(group key, canonical name, label, place, country) for one mention."""
        text = clean_span_text(ref.text)
        folded = text.casefold()
        known = self._aliases.get(folded) or self._aliases.get(acronyms.get(text, "").casefold())
        if known is not None:
            return f"known:{known.canonical}", known.canonical, known.label, None, known.country
        if ref.label in PLACE_LABELS:
            place = self._gazetteer.place_in(text, ref.within) if ref.within else None
            place = place or self._gazetteer.place(text, towns=ref.cued, prefer=context)
            if place is not None and self._unlikely_town(text, place, context):
                place = None
            if place is not None:
                return f"place:{place.name}|{place.country}", place.name, ref.label, place, place.country
        elif ref.label in {"ORG", "PERSON"}:
            # "Mozambique's capital" is often tagged ORG; a country's own name is still the country
            place = self._gazetteer.place(text)
            if place is not None and place.kind == "country" and place.name.casefold() == text.casefold():
                return f"place:{place.name}|{place.country}", place.name, "GPE", place, place.country
        if ref.label == "NORP":
            country = self._gazetteer.country_of_demonym(text)
            return f"norp:{folded}", text, "NORP", None, country
        surname = folded.split()[-1] if folded else folded
        if surname in surnames and (ref.label in {"PERSON", "ORG"} or " " not in text):
            full = surnames[surname]
            return f"person:{surname}", full, "PERSON", None, None
        if text in acronyms:
            long = acronyms[text]
            return f"{ref.label}:{long.casefold()}", long, ref.label, None, None
        place = self._gazetteer.place(text, prefer=context) if ref.label in PLACE_LABELS else None
        if ref.label == "ORG":
            return f"ORG:{folded}", text, "ORG", None, self._home_country(text)
        return f"{ref.label}:{folded}", text, ref.label, place, place.country if place else None

    def _home_country(self, name: str) -> str | None:
        """The country of an organisation named after its home ("Kabul University", "Kenya
        Airways", "Lahore High Court"): it stays an organisation, but its country is that place's."""
        words = name.split()
        for size in range(min(3, len(words) - 1), 0, -1):
            place = self._well_known_place(" ".join(words[:size]))
            if place is not None:
                return place.country
        return None

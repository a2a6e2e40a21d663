"""The mentor directory as an in-memory search index: text search, filters, facets, sort and
pages, with no storage behind it (the store loads it and keeps it current; see
services/directory.py).

Each mentor is one `DirectoryCard`. A changed card replaces the old one under a new document
number; the old number stays in the word postings until the index is rebuilt, and every answer
is intersected with the live documents, so postings never need editing in place. Everything a
filter or an order needs is a set or a sorted column kept up to date card by card, so a query
costs set operations (in C) over the mentors that match, plus a walk of one sorted column for
the page.

Relevance: every word of the query must match, as a prefix, a word of the name, job title,
specialties, company or bio (`DirectoryQuery.words` are folded as `domain.text` folds). A
word scores the weight of the best field it matches in (name 10, title 8, specialties 6,
company 4, bio 1), times 0.75 when it only matches as a prefix of a longer word; a mentor's
score is the sum over the query's words. Ties go to the smaller mentorId, as in every order.
"""

from __future__ import annotations

import heapq
import sys
from array import array
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Callable, Iterable

from mentorship.domain.search_text import fold, words

LEVELS = ("junior", "mid", "senior", "staff")
AVAILABILITY_FACETS = ("today", "week", "month")
FIELD_WEIGHTS = {"name": 10.0, "title": 8.0, "specialties": 6.0, "company": 4.0, "bio": 1.0}
PREFIX_FACTOR = 0.75
_FIELDS = tuple(FIELD_WEIGHTS)
_PAST_LAST_WORD = "{"  # sorts after every folded word ([a-z0-9]+): the end of a prefix range
_HIGHEST = "\U0010ffff"
# Rebuild the postings once this many replaced documents linger (and they outnumber the live).
REBUILD_AFTER_DEAD = 1_000


class DirectorySort(StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    RATING = "rating"
    PRICE = "price"
    PRICE_DESCENDING = "-price"
    AVAILABILITY = "availability"


@dataclass(frozen=True, slots=True)
class DirectoryCard:
    """What the directory knows of a mentor: the card it shows, and the words it searches."""

    mentor_id: str
    name: str
    avatar_url: str | None
    company: str
    job_title: str
    years_of_experience: int
    experience_level: str
    hourly_rate: int  # minor units
    currency: str
    rating_total: int
    review_count: int
    total_sessions: int
    specialties: tuple[str, ...]
    next_open_at: int | None  # epoch seconds of the earliest open, unheld slot
    bio_words: tuple[str, ...]  # folded words of the bio, each once (the bio itself is not kept)
    version: int  # rises with every change to the profile: an older card never replaces a newer one

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.review_count, 2) if self.review_count else None

    def field_words(self) -> dict[str, Iterable[str]]:
        return {
            "name": _words_of(self.name),
            "title": _words_of(self.job_title),
            "specialties": [word for specialty in self.specialties for word in _words_of(specialty)],
            "company": _words_of(self.company),
            "bio": self.bio_words,
        }


@lru_cache(maxsize=65_536)
def _words_of(text: str) -> tuple[str, ...]:
    """Folded words of a short field; titles, companies and specialties repeat across mentors."""
    return tuple(sys.intern(word) for word in words(text))


@lru_cache(maxsize=65_536)
def _folded(text: str) -> str:
    return fold(text).strip()


# ---------------------------------------------------------------- orders

def _name_key(card: DirectoryCard) -> tuple:
    return (_folded(card.name), card.mentor_id)


def _rating_key(card: DirectoryCard) -> tuple:
    if not card.review_count:
        return (1, 0.0, 0, card.mentor_id)
    return (0, -card.rating_total / card.review_count, -card.review_count, card.mentor_id)


def _price_key(card: DirectoryCard) -> tuple:
    return (card.hourly_rate, card.mentor_id)


def _price_descending_key(card: DirectoryCard) -> tuple:
    return (-card.hourly_rate, card.mentor_id)


def _availability_key(card: DirectoryCard) -> tuple:
    if card.next_open_at is None:
        return (1, 0, card.mentor_id)
    return (0, card.next_open_at, card.mentor_id)


def _id_key(card: DirectoryCard) -> tuple:
    return (card.mentor_id,)


ORDER_KEYS: dict[DirectorySort, Callable[[DirectoryCard], tuple]] = {
    DirectorySort.NAME: _name_key,
    DirectorySort.RATING: _rating_key,
    DirectorySort.PRICE: _price_key,
    DirectorySort.PRICE_DESCENDING: _price_descending_key,
    DirectorySort.AVAILABILITY: _availability_key,
}
# What a cursor's key holds, by order: the types of its parts (the last is always the mentorId).
KEY_TYPES: dict[DirectorySort, tuple[tuple[type, ...], ...]] = {
    DirectorySort.RELEVANCE: ((int, float), (str,)),
    DirectorySort.NAME: ((str,), (str,)),
    DirectorySort.RATING: ((int,), (int, float), (int,), (str,)),
    DirectorySort.PRICE: ((int,), (str,)),
    DirectorySort.PRICE_DESCENDING: ((int,), (str,)),
    DirectorySort.AVAILABILITY: ((int,), (int,), (str,)),
}


def valid_after_key(sort: DirectorySort, key: object) -> tuple | None:
    """`key` (from a cursor's JSON) as a key of `sort`, or None when it is not one."""
    types = KEY_TYPES[sort]
    if not isinstance(key, list) or len(key) != len(types):
        return None
    for part, allowed in zip(key, types):
        if isinstance(part, bool) or not isinstance(part, allowed):
            return None
    return tuple(key)


class _SortedColumn:
    """Documents in the order of their keys (unique: every key ends with the mentorId)."""

    def __init__(self) -> None:
        self.keys: list[tuple] = []
        self.docs: list[int] = []

    def add(self, key: tuple, doc: int) -> None:
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.docs.insert(at, doc)

    def remove(self, key: tuple) -> None:
        at = bisect_left(self.keys, key)
        if at < len(self.keys) and self.keys[at] == key:
            del self.keys[at]
            del self.docs[at]

    def between(self, low: tuple, high: tuple) -> list[int]:
        """Documents whose key is in [low, high)."""
        return self.docs[bisect_left(self.keys, low) : bisect_left(self.keys, high)]


# ---------------------------------------------------------------- queries and answers

@dataclass(frozen=True)
class DirectoryQuery:
    words: tuple[str, ...] = ()  # folded; every one must match
    specialty: str | None = None  # folded; exact
    job_family: str | None = None  # casefolded; a substring of the job title
    min_rate: int | None = None
    max_rate: int | None = None
    experience_level: str | None = None
    open_between: tuple[int, int] | None = None  # epoch seconds [from, to) of the availability filter
    facet_windows: dict[str, tuple[int, int]] = field(default_factory=dict)  # today/week/month
    sort: DirectorySort = DirectorySort.NAME
    limit: int = 20
    after: tuple | None = None  # the key of the last card of the previous page


@dataclass(frozen=True)
class DirectoryPage:
    cards: list[DirectoryCard]
    total: int
    level_facets: dict[str, int]
    availability_facets: dict[str, int]
    next_after: tuple | None  # the key to continue after, None on the last page


class DirectoryIndex:
    def __init__(self, cards: Iterable[DirectoryCard] = ()) -> None:
        self._reset()
        self._load(cards)

    def _load(self, cards: Iterable[DirectoryCard]) -> None:
        """Bulk load into an empty index: the orders and the vocabulary are sorted once at the end."""
        for card in cards:
            self.upsert(card, bulk=True)
        for key, column in self._columns():
            pairs = sorted((key(self._cards[doc]), doc) for doc in self._live)
            column.keys = [pair[0] for pair in pairs]
            column.docs = [pair[1] for pair in pairs]
        self._vocabulary = sorted(self._known_words)

    def _reset(self) -> None:
        self._cards: list[DirectoryCard | None] = []
        self._doc_of: dict[str, int] = {}
        self._live: set[int] = set()
        self._postings: dict[str, dict[str, array]] = {name: {} for name in _FIELDS}
        self._vocabulary: list[str] = []  # every word of any field, sorted: prefix ranges
        self._known_words: set[str] = set()
        self._specialties: dict[str, set[int]] = {}
        self._levels: dict[str, set[int]] = {level: set() for level in LEVELS}
        self._titles: dict[str, set[int]] = {}
        self._orders = {sort: _SortedColumn() for sort in ORDER_KEYS}
        self._by_id = _SortedColumn()  # for ties inside a relevance score
        self._dead = 0

    # ------------------------------------------------------------ changes

    def __len__(self) -> int:
        return len(self._live)

    def get(self, mentor_id: str) -> DirectoryCard | None:
        doc = self._doc_of.get(mentor_id)
        return None if doc is None else self._cards[doc]

    def cards(self) -> list[DirectoryCard]:
        return [self._cards[doc] for doc in sorted(self._live)]

    def upsert(self, card: DirectoryCard, bulk: bool = False) -> bool:
        """Add or replace a mentor's card; an older version than the one held changes nothing.
        `bulk` (loading only) leaves the orders and the vocabulary for `_load` to sort."""
        current = self.get(card.mentor_id)
        if current is not None and current.version >= card.version:
            return False
        if current is not None:
            self._unlink(self._doc_of[card.mentor_id], current)
        doc = len(self._cards)
        self._cards.append(card)
        self._doc_of[card.mentor_id] = doc
        self._live.add(doc)
        self._levels.setdefault(card.experience_level, set()).add(doc)
        self._titles.setdefault(card.job_title.casefold(), set()).add(doc)
        for specialty in card.specialties:
            self._specialties.setdefault(_folded(specialty), set()).add(doc)
        if not bulk:
            for key, column in self._columns():
                column.add(key(card), doc)
        for name, field_words in card.field_words().items():
            postings = self._postings[name]
            for word in dict.fromkeys(field_words):
                docs = postings.get(word)
                if docs is None:
                    word = sys.intern(word)
                    docs = postings[word] = array("I")
                    if word not in self._known_words:
                        self._known_words.add(word)
                        if not bulk:
                            insort(self._vocabulary, word)
                docs.append(doc)
        if not bulk and self._dead >= REBUILD_AFTER_DEAD and self._dead > len(self._live):
            self._rebuild()
        return True

    def _unlink(self, doc: int, card: DirectoryCard) -> None:
        self._live.discard(doc)
        self._cards[doc] = None
        self._levels.get(card.experience_level, set()).discard(doc)
        self._titles.get(card.job_title.casefold(), set()).discard(doc)
        for specialty in card.specialties:
            self._specialties.get(_folded(specialty), set()).discard(doc)
        for key, column in self._columns():
            column.remove(key(card))
        self._dead += 1  # its postings stay until the next rebuild

    def _columns(self) -> list[tuple[Callable[[DirectoryCard], tuple], _SortedColumn]]:
        return [(ORDER_KEYS[sort], column) for sort, column in self._orders.items()] + [(_id_key, self._by_id)]

    def _rebuild(self) -> None:
        live = self.cards()
        self._reset()
        self._load(live)

    # ------------------------------------------------------------ queries

    def _prefix_words(self, word: str) -> list[str]:
        low = bisect_left(self._vocabulary, word)
        high = bisect_left(self._vocabulary, word + _PAST_LAST_WORD, low)
        return self._vocabulary[low:high]

    def _word_hits(self, word: str) -> list[tuple[float, set[int]]]:
        """(score, documents) for `word`: per field, the exact matches and the prefix matches."""
        extended = self._prefix_words(word)
        hits = []
        for name, weight in FIELD_WEIGHTS.items():
            postings = self._postings[name]
            exact = postings.get(word)
            if exact:
                hits.append((weight, set(exact)))
            longer: set[int] = set()
            for candidate in extended:
                if candidate != word and candidate in postings:
                    longer.update(postings[candidate])
            if longer:
                hits.append((weight * PREFIX_FACTOR, longer))
        return hits

    def _text_matches(
        self, query_words: tuple[str, ...], scored: bool
    ) -> tuple[set[int], list[tuple[float, set[int]]]]:
        """Live documents matching every word and, when `scored`, the same documents grouped by
        relevance score (disjoint groups, best first)."""
        per_word = []
        matches = self._live
        for word in dict.fromkeys(query_words):
            if scored:
                groups, matched = self._best_field_groups(word)
                per_word.append(groups)
            else:
                matched = self._any_field(word)
            matches = matches & matched
            if not matches:
                return set(), []
        return matches, _score_groups(per_word, matches) if scored else []

    def _best_field_groups(self, word: str) -> tuple[list[tuple[float, set[int]]], set[int]]:
        groups: list[tuple[float, set[int]]] = []
        matched: set[int] = set()
        for weight, docs in sorted(self._word_hits(word), key=lambda hit: -hit[0]):
            docs = docs - matched  # each document counts its best field only
            if docs:
                groups.append((weight, docs))
                matched |= docs
        return groups, matched

    def _any_field(self, word: str) -> set[int]:
        matched: set[int] = set()
        for candidate in self._prefix_words(word):
            for postings in self._postings.values():
                docs = postings.get(candidate)
                if docs:
                    matched.update(docs)
        return matched

    def _job_family(self, needle: str) -> set[int]:
        docs: set[int] = set()
        for title, members in self._titles.items():
            if needle in title:
                docs |= members
        return docs

    def _rate_range(self, low: int | None, high: int | None) -> set[int]:
        column = self._orders[DirectorySort.PRICE]
        start = (low if low is not None else -1,)
        end = (high + 1,) if high is not None else (sys.maxsize,)
        return set(column.between(start, end))

    def _open_between(self, window: tuple[int, int]) -> set[int]:
        return set(self._orders[DirectorySort.AVAILABILITY].between((0, window[0]), (0, window[1])))

    def search(self, query: DirectoryQuery) -> DirectoryPage:
        groups: list[tuple[float, set[int]]] = []
        narrowing: list[set[int]] = []
        if query.words:
            text_matches, groups = self._text_matches(query.words, scored=query.sort is DirectorySort.RELEVANCE)
            narrowing.append(text_matches)
        if query.specialty is not None:
            narrowing.append(self._specialties.get(query.specialty, set()))
        if query.job_family:
            narrowing.append(self._job_family(query.job_family))
        if query.min_rate is not None or query.max_rate is not None:
            narrowing.append(self._rate_range(query.min_rate, query.max_rate))
        core = _intersection(narrowing) & self._live if narrowing else self._live
        by_level = self._levels.get(query.experience_level, set()) if query.experience_level else None
        by_availability = self._open_between(query.open_between) if query.open_between else None

        # Each facet counts with every filter except its own (where nothing narrows the directory,
        # the counts are the sizes of the level sets and of the availability column's ranges).
        without_level = core & by_availability if by_availability is not None else core
        if without_level is self._live:
            level_facets = {level: len(self._levels[level]) for level in LEVELS}
        else:
            level_facets = {level: len(without_level & self._levels[level]) for level in LEVELS}
        without_availability = core & by_level if by_level is not None else core
        availability_facets = {
            name: self._count_open(without_availability, window) for name, window in query.facet_windows.items()
        }
        matches = without_level & by_level if by_level is not None else without_level

        if query.sort is DirectorySort.RELEVANCE:
            keyed = self._page_by_relevance(matches, groups or [(0.0, matches)], query)
        else:
            keyed = self._page_in_order(matches, query)
        has_more = len(keyed) > query.limit
        keyed = keyed[: query.limit]
        return DirectoryPage(
            [card for _, card in keyed],
            len(matches),
            level_facets,
            availability_facets,
            keyed[-1][0] if has_more else None,
        )

    def _count_open(self, base: set[int], window: tuple[int, int]) -> int:
        docs = self._orders[DirectorySort.AVAILABILITY].between((0, window[0]), (0, window[1]))
        return len(docs) if base is self._live else len(base.intersection(docs))

    def _page_by_relevance(
        self, matches: set[int], groups: list[tuple[float, set[int]]], query: DirectoryQuery
    ) -> list[tuple[tuple, DirectoryCard]]:
        """Best score first, then mentorId: whole groups of one score are skipped or taken."""
        wanted = query.limit + 1
        page: list[tuple[tuple, DirectoryCard]] = []
        for score, docs in groups:
            if query.after is not None and (-score, _HIGHEST) < query.after:
                continue  # the whole group sorts before the cursor
            docs = docs & matches
            after_id = query.after[1] if query.after is not None and -score == query.after[0] else None
            for mentor_id, doc in self._smallest_ids(docs, after_id, wanted - len(page)):
                page.append(((-score, mentor_id), self._cards[doc]))
            if len(page) == wanted:
                break
        return page

    def _smallest_ids(self, docs: set[int], after_id: str | None, count: int) -> list[tuple[str, int]]:
        """The `count` documents of `docs` with the smallest mentorIds above `after_id`: sorted
        directly when few, else walked in the id column from the cursor."""
        if len(docs) * 8 < len(self._live):
            ids = ((self._cards[doc].mentor_id, doc) for doc in docs)
            if after_id is not None:
                ids = (entry for entry in ids if entry[0] > after_id)
            return heapq.nsmallest(count, ids)
        column = self._by_id
        position = bisect_right(column.keys, (after_id,)) if after_id is not None else 0
        found: list[tuple[str, int]] = []
        while position < len(column.docs) and len(found) < count:
            doc = column.docs[position]
            if doc in docs:
                found.append((column.keys[position][0], doc))
            position += 1
        return found

    def _page_in_order(self, matches: set[int], query: DirectoryQuery) -> list:
        """The next `limit + 1` matches after the cursor: sorted directly when few match, else
        walked from the cursor's place in the presorted column."""
        wanted = query.limit + 1
        key = ORDER_KEYS[query.sort]
        if len(matches) * 8 < len(self._live):
            keyed = ((key(self._cards[doc]), doc) for doc in matches)
            if query.after is not None:
                keyed = (entry for entry in keyed if entry[0] > query.after)
            return [(entry_key, self._cards[doc]) for entry_key, doc in heapq.nsmallest(wanted, keyed)]
        column = self._orders[query.sort]
        position = bisect_right(column.keys, query.after) if query.after is not None else 0
        page: list[tuple[tuple, DirectoryCard]] = []
        while position < len(column.docs) and len(page) < wanted:
            doc = column.docs[position]
            if doc in matches:
                page.append((column.keys[position], self._cards[doc]))
            position += 1
        return page


def _score_groups(per_word: list[list[tuple[float, set[int]]]], matches: set[int]) -> list[tuple[float, set[int]]]:
    """Documents grouped by their total score (the sum over words of the weight each word's best
    field gives), best first. Combining the words' groups takes set intersections, so it costs no
    Python loop over the matches for up to a few words."""
    combined: dict[float, set[int]] = {0.0: matches}
    for groups in per_word:
        following: dict[float, set[int]] = {}
        for total, docs in combined.items():
            for weight, members in groups:
                both = docs & members
                if both:
                    following.setdefault(total + weight, set()).update(both)
        combined = following
    return sorted(combined.items(), key=lambda group: -group[0])


def _intersection(sets: list[set[int]]) -> set[int]:
    ordered = sorted(sets, key=len)
    result = set(ordered[0])
    for other in ordered[1:]:
        result &= other
        if not result:
            break
    return result

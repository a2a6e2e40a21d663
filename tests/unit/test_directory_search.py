"""The in-memory directory (domain/directory.py): matching, relevance on a labelled set of
queries, facets, orders, ties and pages, without storage."""

from __future__ import annotations

import pytest

from mentorship.domain.directory import DirectoryCard, DirectoryIndex, DirectoryQuery, DirectorySort, valid_after_key
from mentorship.domain.search_text import unique_words, words

DAY = 86_400
NOW = 1_800_000_000
WINDOWS = {"today": (NOW, NOW + DAY // 2), "week": (NOW, NOW + 7 * DAY), "month": (NOW, NOW + 30 * DAY)}


def card(mentor_id, name, title="Software Engineer", company="Acme", specialties=(), bio="", *, years=5,
         level="mid", rate=10_000, ratings=(0, 0), next_open=None, version=1) -> DirectoryCard:
    return DirectoryCard(
        mentor_id, name, None, company, title, years, level, rate, "USD", ratings[0], ratings[1], 0,
        tuple(specialties), next_open, unique_words(bio), version,
    )


LABELLED = [
    card("a01", "Kubo Tanaka", "Product Designer", "Studio Nine", ("ux research",), "I love design systems."),
    card("a02", "Maria Lopez", "Platform Engineer", "Cobalt Cloud", ("kubernetes", "go"), "Helm charts and operators."),
    card("a03", "Ravi Shah", "Data Engineer", "Lumen", ("data pipelines",), "I moved our cluster to Kubernetes."),
    card("a04", "José Señor", "Engineering Manager", "Orchard Pay", ("leadership",), "Hiring and growing teams."),
    card("a05", "Søren Berg", "Staff Software Engineer", "Northwind", ("system design",), "Distributed systems."),
    card("a06", "Ana Design", "Frontend Engineer", "Kestrel", ("react",), "Accessible user interfaces."),
    card("a07", "Li Wei", "Security Engineer", "Tidewater Bank", ("security", "cloud"), "Threat modelling."),
    card("a08", "Grace Hopper", "Principal Engineer", "Navy", ("compilers",), "Grace under pressure; COBOL."),
]

# The labelled set: a query and the mentors it must return, best first. Field weights: name 10,
# title 8, specialties 6, company 4, bio 1; a word that only starts a longer word counts 0.75.
RELEVANCE_CASES = [
    ("kub", ["a01", "a02", "a03"]),  # name prefix (Kubo), specialty prefix (kubernetes), bio prefix
    ("kube", ["a02", "a03"]),  # Kubo no longer matches; specialty above bio
    ("kubernetes", ["a02", "a03"]),
    ("design", ["a06", "a01", "a05"]),  # name (Ana Design) > title (Product Designer, prefix 6) > "system design" (6, id)
    ("senor", ["a04"]),  # accent folded
    ("SØREN", ["a05"]),  # case and ø folded
    ("grace", ["a08"]),  # name (the bio's "Grace" does not add)
    ("engineer security", ["a07"]),  # every word must match
    ("cloud", ["a07", "a02"]),  # specialty "cloud" (6) above company "Cobalt Cloud" (4)
    ("eng kube", ["a02", "a03"]),  # title prefix + specialty prefix above title prefix + bio prefix
    ("engineer manager hiring", ["a04"]),
    ("kubernetesx", []),
    ("nothing", []),
]


def ranked(index: DirectoryIndex, text: str, **query) -> list[str]:
    page = index.search(DirectoryQuery(words=tuple(words(text)), sort=DirectorySort.RELEVANCE, limit=50, **query))
    return [c.mentor_id for c in page.cards]


@pytest.mark.parametrize(("text", "expected"), RELEVANCE_CASES)
def test_relevance_on_the_labelled_set(text, expected):
    assert ranked(DirectoryIndex(LABELLED), text) == expected


def test_an_exact_word_outranks_a_longer_word_in_the_same_field():
    index = DirectoryIndex([card("b1", "Dan Go"), card("b2", "Dan Gopher")])
    assert ranked(index, "go") == ["b1", "b2"]


def test_specialty_is_exact_and_case_insensitive():
    index = DirectoryIndex(LABELLED)
    found = index.search(DirectoryQuery(specialty="system design"))
    assert [c.mentor_id for c in found.cards] == ["a05"]
    assert index.search(DirectoryQuery(specialty="system")).total == 0


def directory_for_facets() -> DirectoryIndex:
    return DirectoryIndex([
        card("c1", "A", level="junior", rate=5_000, next_open=NOW + 3600),
        card("c2", "B", level="mid", rate=9_000, next_open=NOW + 3 * DAY),
        card("c3", "C", level="mid", rate=12_000, next_open=NOW + 20 * DAY),
        card("c4", "D", level="senior", rate=15_000, next_open=None),
        card("c5", "E", level="staff", rate=30_000, next_open=NOW + 2 * 3600),
    ])


def test_each_facet_counts_every_filter_but_its_own():
    index = directory_for_facets()
    page = index.search(DirectoryQuery(experience_level="mid", open_between=WINDOWS["week"], facet_windows=WINDOWS))
    assert [c.mentor_id for c in page.cards] == ["c2"] and page.total == 1
    # levels: with the week filter only (c1, c2, c5 are open this week)
    assert page.level_facets == {"junior": 1, "mid": 1, "senior": 0, "staff": 1}
    # availability: with the level filter only (c2, c3 are mid)
    assert page.availability_facets == {"today": 0, "week": 1, "month": 2}
    page = index.search(DirectoryQuery(max_rate=12_000, facet_windows=WINDOWS))
    assert page.total == 3
    assert page.level_facets == {"junior": 1, "mid": 2, "senior": 0, "staff": 0}
    assert page.availability_facets == {"today": 1, "week": 2, "month": 3}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (DirectorySort.NAME, ["p1", "p2", "p3", "p4", "p5"]),
        (DirectorySort.PRICE, ["p2", "p4", "p1", "p3", "p5"]),
        (DirectorySort.PRICE_DESCENDING, ["p5", "p1", "p3", "p2", "p4"]),
        (DirectorySort.RATING, ["p3", "p4", "p5", "p1", "p2"]),
        (DirectorySort.AVAILABILITY, ["p4", "p2", "p5", "p1", "p3"]),
    ],
)
def test_orders_and_their_ties_by_mentor_id(sort, expected):
    index = DirectoryIndex([
        card("p1", "alice", rate=20_000, ratings=(0, 0), next_open=None),
        card("p2", "Bob", rate=10_000, ratings=(0, 0), next_open=NOW + 500),
        card("p3", "carol", rate=20_000, ratings=(10, 2), next_open=None),
        card("p4", "Dave", rate=10_000, ratings=(5, 1), next_open=NOW + 100),
        card("p5", "Eve", rate=30_000, ratings=(45, 10), next_open=NOW + 900),
    ])
    # p3 and p4 average 5.0; p3 has more reviews. p5 averages 4.5. p1 and p2 have none: last, by id.
    seen, after = [], None
    while True:
        page = index.search(DirectoryQuery(sort=sort, limit=2, after=after))
        seen += [c.mentor_id for c in page.cards]
        if page.next_after is None:
            break
        assert len(page.cards) == 2
        after = page.next_after
    assert seen == expected


def test_pages_are_full_and_never_repeat_under_a_selective_filter():
    cards = [card(f"m{k:04d}", f"Name {k % 7}", level="staff" if k % 13 == 0 else "mid", rate=1_000 + k % 5) for k in range(2_000)]
    index = DirectoryIndex(cards)
    expected = sorted(
        (c for c in cards if c.experience_level == "staff"), key=lambda c: (c.name.casefold(), c.mentor_id)
    )
    seen, after = [], None
    while True:
        page = index.search(DirectoryQuery(experience_level="staff", limit=7, after=after))
        assert page.total == len(expected)
        if page.next_after is not None:
            assert len(page.cards) == 7
        seen += [c.mentor_id for c in page.cards]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [c.mentor_id for c in expected]


def test_a_newer_card_replaces_the_old_one_and_an_older_one_changes_nothing():
    index = DirectoryIndex([card("r1", "Old Name", bio="kotlin", version=2)])
    assert not index.upsert(card("r1", "Older Name", version=1))
    assert index.upsert(card("r1", "New Name", bio="swift", version=3))
    assert ranked(index, "kotlin") == [] and ranked(index, "swift") == ["r1"]
    assert ranked(index, "old") == [] and [c.name for c in index.search(DirectoryQuery()).cards] == ["New Name"]


def test_replacing_many_cards_rebuilds_the_postings_and_keeps_answers():
    index = DirectoryIndex([card(f"s{k}", f"Name{k}", bio="alpha") for k in range(50)])
    for version in range(2, 60):
        for k in range(50):
            index.upsert(card(f"s{k}", f"Name{k}", bio="beta" if version % 2 else "alpha", version=version))
    assert len(index) == 50
    assert len(ranked(index, "beta")) == 50 and ranked(index, "alpha") == []


@pytest.mark.parametrize(
    ("sort", "key", "valid"),
    [
        (DirectorySort.NAME, ["ada", "m1"], True),
        (DirectorySort.NAME, [1, "m1"], False),
        (DirectorySort.PRICE, [100, "m1"], True),
        (DirectorySort.PRICE, [True, "m1"], False),
        (DirectorySort.RATING, [0, -4.5, -3, "m1"], True),
        (DirectorySort.AVAILABILITY, [0, 5, "m"], True),
        (DirectorySort.RELEVANCE, [-10.0, "m"], True),
        (DirectorySort.RELEVANCE, "m", False),
        (DirectorySort.PRICE, [100], False),
    ],
)
def test_cursor_keys_are_checked_against_their_order(sort, key, valid):
    assert (valid_after_key(sort, key) is not None) == valid

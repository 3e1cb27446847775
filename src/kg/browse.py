"""What the browsing pages show, as data (no HTML): the taxonomy tree with counts, lists of works and of
entities (sorted and paged), and the summary of one paper with the provenance of each fact.

Every query is a file in `sparql/` run by a QueryRunner (the server's worker pool or a local store).
Works are the nodes typed as papers, surveys or candidates; source records (`dkg:recordOf`) never are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.iri import DKG, compact
from kg.runner import QueryRunner, records

__all__ = [
    "WorkRow", "EntityRow", "Concept", "Page", "ENTITY_CLASSES", "WORK_SORTS", "ENTITY_SORTS",
    "labels_around", "works", "linked_works", "entities", "taxonomy", "paginate", "similar_works", "survey_sections",
    "fact_sources", "FactSource",
]

_SPARQL = Path(__file__).parent / "sparql"

ENTITY_CLASSES: dict[str, tuple[str, ...]] = {
    "benchmarks": (DKG + "Benchmark",),
    "networks": (DKG + "Network",),
    "authors": (DKG + "Author",),
    "venues": (DKG + "Venue",),
    "section9": (DKG + "ChallengeArea", DKG + "Challenge", DKG + "ResearchDirection", DKG + "Recommendation"),
}
"""Index page -> the classes of the things it lists."""


@cache
def sparql(name: str) -> str:
    """The text of `sparql/<name>.rq`."""
    return (_SPARQL / f"{name}.rq").read_text(encoding="utf-8")


def _text(term: object) -> str:
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else ""


@dataclass
class WorkRow:
    iri: str
    title: str
    year: str
    names: str
    models: str
    settings: str
    code: str


@dataclass
class EntityRow:
    iri: str
    label: str
    works: int


@dataclass
class Concept:
    iri: str
    label: str
    works: int
    scheme: str
    children: list[Concept] = field(default_factory=list)


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    sort: str
    per_page: int


def labels_around(runner: QueryRunner, iri: str) -> dict[str, str]:
    """IRI -> label of what a page about `iri` shows (see sparql/labels-around.rq): far fewer than `labels`."""
    rows = records(runner.run_select(sparql("labels-around"), {"entity": ox.NamedNode(iri)}))
    return {row["thing"].value: _text(row["label"]) for row in rows if row["thing"] is not None}


def works(runner: QueryRunner) -> list[WorkRow]:
    """Every work with its key facts."""
    out = []
    for row in records(runner.run_select(sparql("works"))):
        work = row["work"]
        assert work is not None  # bound by the query's pattern
        out.append(WorkRow(iri=work.value, title=_text(row["title"]) or compact(work.value), year=_text(row["year"]),
                           names=_text(row["names"]), models=_text(row["models"]), settings=_text(row["settings"]),
                           code=_text(row["code"])))
    return out


def linked_works(runner: QueryRunner, iri: str) -> set[str]:
    """The works linked to `iri` (see sparql/linked-works.rq)."""
    rows = records(runner.run_select(sparql("linked-works"), {"entity": ox.NamedNode(iri)}))
    return {work.value for row in rows if (work := row["work"]) is not None}


def entities(runner: QueryRunner, classes: Sequence[str]) -> list[EntityRow]:
    """Things of any of `classes`, with their label and how many works link to them."""
    found: dict[str, EntityRow] = {}
    for class_iri in classes:
        for row in records(runner.run_select(sparql("entities"), {"class": ox.NamedNode(class_iri)})):
            entity = row["entity"]
            assert entity is not None and row["works"] is not None  # bound: pattern and COUNT
            found[entity.value] = EntityRow(entity.value, _text(row["label"]) or compact(entity.value),
                                            int(row["works"].value))
    return list(found.values())


def taxonomy(runner: QueryRunner) -> list[Concept]:
    """The top concepts of the dual taxonomy and of the policy architectures, each with its narrower
    concepts (recursively) and work counts, in label order."""
    concepts: dict[str, Concept] = {}
    broader: dict[str, str] = {}
    for row in records(runner.run_select(sparql("taxonomy"))):
        node, scheme, count = row["concept"], row["scheme"], row["works"]
        assert node is not None and scheme is not None and count is not None  # bound by patterns / COUNT
        concepts[node.value] = Concept(node.value, _text(row["label"]), int(count.value), scheme.value)
        if row["broader"] is not None:
            broader[node.value] = row["broader"].value
    roots: list[Concept] = []
    for iri, concept in concepts.items():
        parent = concepts.get(broader.get(iri, ""))
        (parent.children if parent else roots).append(concept)
    for concept in concepts.values():
        concept.children.sort(key=lambda c: c.label.lower())
    # the taxonomy's two perspectives first, then the architectures
    return sorted(roots, key=lambda c: (not c.scheme.endswith("/taxonomy"), c.label.lower()))


WORK_SORTS: dict[str, Callable[[WorkRow], object]] = {
    "-year": lambda w: (-int(w.year or 0), w.title.lower()),
    "year": lambda w: (int(w.year or 9999), w.title.lower()),
    "title": lambda w: w.title.lower(),
    "code": lambda w: (w.code or "~", w.title.lower()),
}
ENTITY_SORTS: dict[str, Callable[[EntityRow], object]] = {
    "-works": lambda e: (-e.works, e.label.lower()),
    "label": lambda e: e.label.lower(),
}


def paginate(rows: list, *, sort: str, sorts: dict[str, Callable], page: int, per_page: int) -> Page:
    """Rows sorted by `sort` (a key of `sorts`; the first is the default when empty), page `page`.

    Raises InputError for an unknown sort or a page out of range.
    """
    sort = sort or next(iter(sorts))
    if sort not in sorts:
        raise InputError(f"unknown sort {sort[:30]!r}; use one of: {', '.join(sorts)}")
    pages = max(1, -(-len(rows) // per_page))
    if not 1 <= page <= pages:
        raise InputError(f"page {page} does not exist: pages 1 to {pages}")
    ordered = sorted(rows, key=sorts[sort])
    return Page(rows=ordered[(page - 1) * per_page: page * per_page], total=len(rows), page=page, pages=pages,
                sort=sort, per_page=per_page)


def similar_works(runner: QueryRunner, iri: str) -> list[tuple[str, str, int]]:
    """(work, title, number of shared headings/models/tasks/benchmarks) of the works most like `iri`."""
    rows = records(runner.run_select(sparql("similar-works"), {"work": ox.NamedNode(iri)}))
    return [(row["other"].value, _text(row["title"]) or compact(row["other"].value), int(row["common"].value))
            for row in rows if row["other"] is not None and row["common"] is not None]


def survey_sections(runner: QueryRunner, iri: str) -> list[tuple[str, str]]:
    """(section IRI, label) of the survey sections citing `iri`, where the graph records them."""
    rows = records(runner.run_select(sparql("survey-sections"), {"work": ox.NamedNode(iri)}))
    return [(row["section"].value, _text(row["label"])) for row in rows if row["section"] is not None]


@dataclass
class FactSource:
    record: str
    source: str
    locator: str
    suggested: bool
    """An AI suggestion (dkg:extractionMethod dkg:AISuggested) rather than a statement of a source."""
    status: str
    """The suggestion's review status (compact, e.g. dkg:Pending), empty for other records."""


def fact_sources(runner: QueryRunner, iri: str) -> dict[tuple[str, str], list[FactSource]]:
    """(predicate, object value) -> the records of `iri` stating it, with source and locator."""
    out: dict[tuple[str, str], dict[str, FactSource]] = {}
    for row in records(runner.run_select(sparql("sources"), {"work": ox.NamedNode(iri)})):
        record, predicate, obj = row["record"], row["p"], row["o"]
        assert record is not None and predicate is not None and obj is not None  # bound by the pattern
        method = _text(row["method"])
        out.setdefault((predicate.value, obj.value), {})[record.value] = FactSource(
            record=record.value, source=_text(row["source"]), locator=_text(row["locator"]),
            suggested=method == DKG + "AISuggested", status=compact(_text(row["status"])) if row["status"] else "")
    return {key: list(found.values()) for key, found in out.items()}


"""Source records apart from works, the per-source views, and the merged view's precedence rule.

The default graph of every query holds works, not records (docs/model.md, "Records, views and
provenance"): a data file's records (subjects with `dkg:recordOf`, and the blank nodes they reach) are
placed in `graph:records`, the works in `graph:data` (`place_records`). At build time each source's
records are turned into work-level facts in a view graph (`view_quads`):

- `graph:view/survey`: what the published survey states (its text, tables and references; curated
  records whose evidence is the survey text);
- `graph:view/list`: what the companion list states (its headings);
- `graph:view/sheets`: what the spreadsheets state.

`graph:data` is the merged view. Most facts are many-valued and every source's value stays; for the
single-valued facts of `SINGLE_VALUED` where sources disagree, `apply_precedence` keeps on the work only
the value of the highest-ranked source (survey, then list, then sheets, then others), except code
availability, where the most available value wins: "N/A" in a table says there was no code when the
survey was written, a later spreadsheet's "Yes" reports a release since. The other values stay on their
records and in their views (named query `source-disagreements`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kg.iri import DKG, FABIO, GRAPH_DATA, GRAPH_RECORDS, GRAPH_VIEW, PREFIXES, PROV, SRC

__all__ = ["VIEWS", "SINGLE_VALUED", "CODE_AVAILABILITY_ORDER", "place_records", "apply_precedence",
           "record_view", "view_quads", "view_graph"]

VIEWS = ("survey", "list", "sheets")
"""The per-source views, in precedence order (graph:view/<name>)."""

SINGLE_VALUED = frozenset({DKG + "codeAvailability", DKG + "frameworkName", DKG + "trainingData",
                           FABIO + "hasPublicationYear"})
"""Facts a work has one value of: where sources disagree the merged view keeps one (see the module doc)."""

CODE_AVAILABILITY_ORDER = (DKG + "CodeAvailable", DKG + "CodeAnnounced", DKG + "CodeNotAvailable",
                           DKG + "CodeUnknown")
"""Most available first: the value the merged view keeps when sources disagree on code availability."""

_RECORD_OF = ox.NamedNode(DKG + "recordOf")
_DERIVED_FROM = PROV + "wasDerivedFrom"
_EVIDENCE = DKG + "evidence"
_RDF_TYPE = PREFIXES["rdf"] + "type"
# what a record says about itself (where it is, what it is), not about its work
_RECORD_ONLY = frozenset({_RDF_TYPE, DKG + "recordOf", _DERIVED_FROM, _EVIDENCE, DKG + "locator",
                          DKG + "tableNumber", DKG + "rowNumber", PROV + "wasAttributedTo",
                          DKG + "score", DKG + "nearestWork", DKG + "extractionMethod", DKG + "reviewStatus",
                          DKG + "reviewer", PREFIXES["dcterms"] + "date"})
_SOURCE_VIEW = {SRC + "survey-text": "survey", SRC + "companion-list": "list"}


def view_graph(name: str) -> str:
    """`survey` -> the IRI of graph:view/survey."""
    return GRAPH_VIEW + name


def _view_of_source(source: str) -> str | None:
    if source in _SOURCE_VIEW:
        return _SOURCE_VIEW[source]
    return "sheets" if source.startswith(SRC + "sheet-") else None


def record_view(statements: Iterable[tuple[str, object]]) -> str | None:
    """The view a record belongs to, from its (predicate, object) pairs: its source document's view, else
    (curated records) the view of the document its `dkg:evidence` cites; None for other sources."""
    pairs = [(p, o.value) for p, o in statements if p in (_DERIVED_FROM, _EVIDENCE) and isinstance(o, ox.NamedNode)]
    for predicate in (_DERIVED_FROM, _EVIDENCE):
        for view in (_view_of_source(value) for p, value in pairs if p == predicate):
            if view is not None:
                return view
    return None


def _reached(by_subject: dict, roots: Iterable) -> set:
    """`roots` and the blank nodes reached from them."""
    seen = set(roots)
    pending = list(seen)
    while pending:
        for quad in by_subject.get(pending.pop(), ()):
            if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                pending.append(quad.object)
    return seen


def place_records(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads of one data file with its records moved from graph:data to graph:records.

    A record is a subject with `dkg:recordOf`; blank nodes it reaches go with it (and stay in graph:data
    as well when a non-record node reaches them too)."""
    by_subject: dict = defaultdict(list)
    for quad in quads:
        by_subject[quad.subject].append(quad)
    records = {q.subject for q in quads if q.predicate == _RECORD_OF}
    if not records:
        return quads
    in_records = _reached(by_subject, records)
    in_data = _reached(by_subject, [s for s in by_subject if not isinstance(s, ox.BlankNode) and s not in records])
    graph_records = ox.NamedNode(GRAPH_RECORDS)
    placed = []
    for quad in quads:
        if quad.subject in in_data or quad.subject not in in_records:
            placed.append(quad)
        if quad.subject in in_records:
            placed.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph_records))
    return placed


def _rank(view: str | None) -> int:
    return VIEWS.index(view) if view in VIEWS else len(VIEWS)


def apply_precedence(quads: list[ox.Quad]) -> list[ox.Quad]:
    """`quads` (records already in graph:records) with the losing values of single-valued work facts
    removed from graph:data (see the module doc); the records keep every value."""
    data = ox.NamedNode(GRAPH_DATA)
    records: dict = defaultdict(list)
    for quad in quads:
        if quad.graph_name != data:
            records[quad.subject].append(quad)
    best: dict[tuple, int] = {}  # (work, predicate, value) -> best rank of a record stating it
    for statements in records.values():
        works = [q.object for q in statements if q.predicate == _RECORD_OF]
        rank = _rank(record_view((q.predicate.value, q.object) for q in statements))
        for quad in statements:
            if quad.predicate.value in SINGLE_VALUED:
                for work in works:
                    key = (work, quad.predicate.value, quad.object)
                    best[key] = min(best.get(key, rank), rank)
    values: dict[tuple, list] = defaultdict(list)
    for quad in quads:
        if quad.graph_name == data and quad.predicate.value in SINGLE_VALUED:
            values[(quad.subject, quad.predicate.value)].append(quad.object)
    losing = set()
    for (work, predicate), objects in values.items():
        if len(objects) < 2:
            continue
        if predicate == DKG + "codeAvailability":
            order = {ox.NamedNode(v): i for i, v in enumerate(CODE_AVAILABILITY_ORDER)}
            ranks = {o: order.get(o, len(order)) for o in objects}
        else:
            # a value no record states (a maintainer's own assertion) is kept
            ranks = {o: best.get((work, predicate, o), -1) for o in objects}
        top = min(ranks.values())
        losing |= {(work, predicate, o) for o, r in ranks.items() if r != top}
    if not losing:
        return quads
    return [q for q in quads if not (q.graph_name == data and (q.subject, q.predicate.value, q.object) in losing)]


def view_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads of graph:view/survey, graph:view/list and graph:view/sheets: each record of a view's
    sources restated on its work (record-only predicates such as locators and cells left out), the blank
    nodes those facts reach, and the work's asserted types."""
    data, graph_records = ox.NamedNode(GRAPH_DATA), ox.NamedNode(GRAPH_RECORDS)
    by_subject: dict = defaultdict(list)
    types: dict = defaultdict(list)
    for quad in quads:
        if quad.graph_name == graph_records:
            by_subject[quad.subject].append(quad)
        elif quad.graph_name == data and quad.predicate.value == _RDF_TYPE:
            types[quad.subject].append(quad.object)
    out: list[ox.Quad] = []
    for subject, statements in by_subject.items():
        works = [q.object for q in statements if q.predicate == _RECORD_OF]
        if isinstance(subject, ox.BlankNode) or not works:
            continue
        view = record_view((q.predicate.value, q.object) for q in statements)
        if view is None:
            continue
        graph = ox.NamedNode(view_graph(view))
        facts = [q for q in statements if q.predicate.value not in _RECORD_ONLY
                 and not q.predicate.value.startswith(DKG + "cell")]
        for work in works:
            out += [ox.Quad(work, ox.NamedNode(_RDF_TYPE), t, graph) for t in types.get(work, ())]
            out += [ox.Quad(work, q.predicate, q.object, graph) for q in facts]
        reached = _reached(by_subject, [q.object for q in facts if isinstance(q.object, ox.BlankNode)])
        out += [ox.Quad(q.subject, q.predicate, q.object, graph) for node in reached for q in by_subject[node]]
    return list(dict.fromkeys(out))

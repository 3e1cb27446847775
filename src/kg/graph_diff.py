"""A canonical diff of two RDF datasets (two builds, two dumps, two releases), as RDF Patch or SPARQL Update.

Both sides are canonicalised with RDFC-1.0 (pyoxigraph `Dataset.canonicalize`) before they are compared,
so blank node labels and serialisation order never show up as changes: an OWL restriction written again
with other blank node ids is the same restriction. What is left is the quads only one side holds.

RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html): `TX .`, one `D`/`A` row per quad, `TC .`;
applied to the canonical form of A it gives the canonical form of B (`apply_patch`). SPARQL Update:
`DELETE DATA` / `INSERT DATA` for ground quads; a removed blank node structure becomes a `DELETE ... WHERE`
pattern with one variable per blank node (DELETE DATA cannot name blank nodes), added ones `INSERT DATA`
with fresh blank nodes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, NotFound
from kg.iri import GRAPH_INFERRED, compact

__all__ = ["GraphDiff", "canonical", "graph_diff", "read_dump", "apply_patch", "DUMP_FORMATS", "gap_cells", "store_report", "report_markdown"]

DUMP_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE,
                ".nt": ox.RdfFormat.N_TRIPLES}
"""Dump file suffix -> format; the triple formats read into the default graph."""


def canonical(quads) -> ox.Dataset:
    """The quads as a Dataset with RDFC-1.0 blank node labels (`_:c14n0`, ...)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def read_dump(path: Path) -> ox.Dataset:
    """A dump file (.nq, .trig, .ttl, .nt) as a Dataset. Raises InputError naming the file and line."""
    rdf_format = DUMP_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise InputError(f"{path}: not a dump kg diff can read (give a {', '.join(DUMP_FORMATS)} file)")
    if not path.is_file():
        raise NotFound(f"{path}: no such dump file")
    try:
        return ox.Dataset(ox.parse(path=str(path), format=rdf_format))
    except SyntaxError as err:
        raise InputError(f"{path} line {err.lineno}: {err.msg}") from None


def _sort_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


@dataclass(frozen=True)
class GraphDiff:
    a: str
    b: str
    removed: tuple[ox.Quad, ...]
    added: tuple[ox.Quad, ...]

    @property
    def empty(self) -> bool:
        return not (self.removed or self.added)

    def per_graph(self) -> dict[str, tuple[int, int]]:
        """graph IRI (or 'default') -> (removed, added)."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for index, quads in enumerate((self.removed, self.added)):
            for quad in quads:
                counts[_graph_label(quad.graph_name)][index] += 1
        return {graph: (r, a) for graph, (r, a) in sorted(counts.items())}

    def inferred(self) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """(lost, gained) facts of graph:inferred: what a category change did to the reasoner's output."""
        graph = ox.NamedNode(GRAPH_INFERRED)
        return ([q for q in self.removed if q.graph_name == graph], [q for q in self.added if q.graph_name == graph])

    def to_patch(self) -> str:
        lines = ["TX ."]
        lines += [f"D {_quad_text(q)} ." for q in self.removed]
        lines += [f"A {_quad_text(q)} ." for q in self.added]
        return "\n".join([*lines, "TC ."]) + "\n"

    def to_sparql(self) -> str:
        parts: list[str] = []
        ground_removed = [q for q in self.removed if not _has_blank(q)]
        if ground_removed:
            parts.append("DELETE DATA {\n" + _block(ground_removed) + "}")
        for group in _blank_groups([q for q in self.removed if _has_blank(q)]):
            pattern = _block(group, as_variables=True)
            parts.append("DELETE {\n" + pattern + "} WHERE {\n" + pattern + "}")
        if self.added:
            parts.append("INSERT DATA {\n" + _block(list(self.added)) + "}")
        return " ;\n".join(parts) + ("\n" if parts else "")


def graph_diff(a: ox.Dataset | ox.Store, b: ox.Dataset | ox.Store, *, a_name: str = "A", b_name: str = "B") -> GraphDiff:
    """The quads only one side holds (sorted: the same inputs give the same text).

    Ground quads are compared as they are. Quads with blank nodes are compared as whole structures (the
    quads a set of blank nodes connects), each canonicalised with RDFC-1.0: a structure both sides hold
    is no change, whatever its labels; a structure that changed at all is removed and added whole, its
    added blank nodes labelled `_:b<label>` so they never meet the labels of A.
    """
    left, right = list(canonical(iter(a))), list(canonical(iter(b)))  # labels unique within each side
    left_ground = {q for q in left if not _has_blank(q)}
    right_ground = {q for q in right if not _has_blank(q)}
    left_structures = _structures([q for q in left if _has_blank(q)])
    right_structures = _structures([q for q in right if _has_blank(q)])
    removed = [q for q in left_ground if q not in right_ground]
    added = [q for q in right_ground if q not in left_ground]
    unmatched = dict.fromkeys(right_structures, 0)
    for key in right_structures:
        unmatched[key] += 1
    for key, quads in left_structures.items():
        if unmatched.get(key, 0):
            unmatched[key] -= 1
        else:
            removed += quads
    for key, quads in right_structures.items():
        if unmatched.get(key, 0):
            unmatched[key] -= 1
            added += [_relabel(q, "b") for q in quads]
    return GraphDiff(a=a_name, b=b_name, removed=tuple(sorted(removed, key=_sort_key)),
                     added=tuple(sorted(added, key=_sort_key)))


def _structures(quads: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Each blank node structure (e.g. one OWL restriction) keyed by its own RDFC-1.0 canonical N-Quads, with
    its quads as given. Equal keys on both sides: the same structure."""
    keyed: dict[str, list[ox.Quad]] = {}
    for group in _blank_groups(quads):
        key = "".join(sorted(f"{_quad_text(q)} .\n" for q in canonical(group)))
        while key in keyed:  # the same structure twice on one side: keep both
            key += "+"
        keyed[key] = group
    return keyed


def _relabel(quad: ox.Quad, prefix: str) -> ox.Quad:
    def term(t):
        return ox.BlankNode(prefix + t.value) if isinstance(t, ox.BlankNode) else t
    return ox.Quad(term(quad.subject), quad.predicate, term(quad.object), quad.graph_name)


def _graph_label(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "default" if isinstance(graph, ox.DefaultGraph) else graph.value


def _quad_text(quad: ox.Quad) -> str:
    terms = [quad.subject, quad.predicate, quad.object]
    if not isinstance(quad.graph_name, ox.DefaultGraph):
        terms.append(quad.graph_name)
    return " ".join(str(term) for term in terms)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _blank_groups(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """The quads grouped by the blank nodes that connect them (one DELETE ... WHERE per structure)."""
    owner: dict[str, str] = {}

    def find(label: str) -> str:
        while owner.setdefault(label, label) != label:
            label = owner[label]
        return label

    for quad in quads:
        labels = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        for other in labels[1:]:
            owner[find(other)] = find(labels[0])
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        first = next(t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode))
        groups[find(first)].append(quad)
    return [groups[key] for key in sorted(groups)]


def _term(term: object, as_variables: bool) -> str:
    if isinstance(term, ox.BlankNode) and as_variables:
        return "?" + re.sub(r"\W", "_", term.value)
    return str(term)


def _block(quads: list[ox.Quad], *, as_variables: bool = False) -> str:
    """Triples grouped under `GRAPH <g> { ... }` (or bare in the default graph)."""
    by_graph: dict[str, list[str]] = defaultdict(list)
    for quad in quads:
        triple = " ".join(_term(t, as_variables) for t in (quad.subject, quad.predicate, quad.object)) + " ."
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph[graph].append(triple)
    out = []
    for graph, triples in sorted(by_graph.items()):
        body = "".join(f"    {t}\n" for t in triples)
        out.append(body if not graph else f"  GRAPH {graph} {{\n{body}  }}\n")
    return "".join(out)


_PATCH_ROW = re.compile(r"^([AD])\s+(.*)\s*$")


def apply_patch(dataset: ox.Dataset, patch: str) -> ox.Dataset:
    """`dataset` with the patch's rows applied; the patch names A's blank nodes by their RDFC-1.0 labels, so
    give it `canonical(A)`.

    Raises InputError naming the line of a row that is not `A`/`D` + one N-Quads quad.
    """
    result = ox.Dataset(dataset)
    for number, line in enumerate(patch.splitlines(), start=1):
        text = line.strip()
        if not text or text in ("TX .", "TC .") or text.startswith(("H ", "#")):
            continue
        row = _PATCH_ROW.match(text)
        if row is None:
            raise InputError(f"patch line {number}: expected `A <quad> .` or `D <quad> .`, got {text[:60]!r}")
        try:
            (quad,) = list(ox.parse(row.group(2), format=ox.RdfFormat.N_QUADS))
        except (SyntaxError, ValueError) as err:
            raise InputError(f"patch line {number}: {err}") from None
        if row.group(1) == "A":
            result.add(quad)
        else:
            result.discard(quad)
    return result


def gap_cells(store: ox.Store, settings) -> dict[tuple[str, str, str], int]:
    """(matrix, row, column) -> works, for every cell of the gap matrices (kg.gaps.MATRICES) over `store`."""
    from kg.gaps import MATRICES, run_gap_query

    return {(key, compact(r["row"]), compact(r["column"])): int(r["works"] or 0)
            for key, _, query in MATRICES for r in run_gap_query(settings=settings, name=query, store=store)}


def store_report(change: GraphDiff, *, a: ox.Store, b: ox.Store, settings) -> dict:
    """The diff of two builds for people and tools: quads per graph, the inferred facts lost and gained (what a
    category change did to the classification) and the gap-matrix cells whose count changed."""
    lost, gained = change.inferred()
    before, after = gap_cells(a, settings), gap_cells(b, settings)
    cells = [{"matrix": m, "row": r, "column": c, "old": before.get((m, r, c), 0), "new": after.get((m, r, c), 0)}
             for (m, r, c) in sorted(set(before) | set(after)) if before.get((m, r, c), 0) != after.get((m, r, c), 0)]
    return {"a": change.a, "b": change.b, "removed": len(change.removed), "added": len(change.added),
            "graphs": {g: {"removed": r, "added": n} for g, (r, n) in change.per_graph().items()},
            "inferredLost": [_triple_text(q) for q in lost], "inferredGained": [_triple_text(q) for q in gained],
            "gapCells": cells}


def _triple_text(quad: ox.Quad) -> str:
    return " ".join(compact(t.value) if isinstance(t, ox.NamedNode) else str(t)
                    for t in (quad.subject, quad.predicate, quad.object))


def report_markdown(report: dict) -> str:
    lines = [f"## {report['a']} -> {report['b']}", ""]
    if not report["removed"] and not report["added"]:
        return "\n".join([*lines, "No change (the two datasets are isomorphic)."]) + "\n"
    lines.append(f"- {report['removed']} quad(s) removed, {report['added']} added (blank nodes compared "
                 "by their RDFC-1.0 canonical form)")
    for graph, counts in report["graphs"].items():
        lines.append(f"  - {compact(graph)}: -{counts['removed']} +{counts['added']}")
    for title, facts in (("Inferred facts lost", report["inferredLost"]),
                         ("Inferred facts gained", report["inferredGained"])):
        if facts:
            lines.append(f"- {title} ({len(facts)}): " + "; ".join(facts[:50]) + (" ..." if len(facts) > 50 else ""))
    for cell in report["gapCells"]:
        lines.append(f"- Gap matrix {cell['matrix']}, {cell['row']} x {cell['column']}: "
                     f"{cell['old']} -> {cell['new']} work(s)")
    return "\n".join(lines) + "\n"

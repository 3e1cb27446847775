"""Helpers of the maintainer tests: a scratch project, its store, and a pending suggestion written the
way `kg place` writes one (HELPERS design: a dkg:Suggestion record in the work's edit file)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from cli_support import ROOT, copy_project

from kg.edits import PaperEdit, description, write_batch
from kg.iri import CAT, DEFAULT_GRAPHS, DKG, GRAPH_RECORDS, PAPER, PREFIXES, PROV, SRC
from kg.settings import Settings
from kg.store import current

__all__ = ["FIXTURES", "SOURCES", "scratch_settings", "published", "sparql", "write_pending_suggestion"]

FIXTURES = Path(__file__).parent / "fixtures" / "add"
SOURCES = ROOT.parent / "shared"


def scratch_settings(tmp: Path, **overrides) -> Settings:
    root = copy_project(tmp / "project")
    return Settings(root=root, store_dir=tmp / "store", sources_dir=SOURCES, **overrides)


def published(settings: Settings) -> ox.Store:
    return ox.Store.read_only(str(current(settings).path))


# the works (default graph) and their source records, suggestions and review decisions (graph:records)
_WORKS_AND_RECORDS = [ox.NamedNode(g) for g in (*DEFAULT_GRAPHS, GRAPH_RECORDS)]


def sparql(settings: Settings, query: str) -> list[tuple[str, ...]]:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    rows = published(settings).query(prologue + query, default_graph=_WORKS_AND_RECORDS)
    return [tuple(term.value for term in row) for row in rows]


def write_pending_suggestion(settings: Settings, *, paper_id: str, facet: str, predicate: str, concept: str,
                             score: str = "0.81", nearest: tuple[str, ...] = ()) -> str:
    """A pending suggestion of `predicate cat:<concept>` on the work, as `kg place` writes one; returns
    `<paper id>/<fragment>`. For tests that need a chosen suggestion (the journey runs `kg place` itself)."""
    paper = ox.NamedNode(PAPER + paper_id)
    node = ox.NamedNode(f"{paper.value}#suggestion-{facet}-{concept}")
    n = ox.NamedNode
    suggestion = [
        ox.Triple(node, n(PREFIXES["rdf"] + "type"), n(DKG + "Suggestion")),
        ox.Triple(node, n(DKG + "recordOf"), paper),
        ox.Triple(node, n(predicate), n(CAT + concept)),
        ox.Triple(node, n(DKG + "score"), ox.Literal(score, datatype=n(PREFIXES["xsd"] + "decimal"))),
        ox.Triple(node, n(DKG + "extractionMethod"), n(DKG + "AISuggested")),
        ox.Triple(node, n(PROV + "wasAttributedTo"), n(SRC + "placement-model")),
        ox.Triple(node, n(DKG + "reviewStatus"), n(DKG + "Pending")),
        *(ox.Triple(node, n(DKG + "nearestWork"), n(PAPER + w)) for w in nearest),
    ]

    def compose(files):
        old = [q.triple for q in description(list(files.quads()), paper)]
        assert old, f"paper:{paper_id} is not in the project"
        return [PaperEdit(paper_id=paper_id, triples=old + suggestion)]

    write_batch(settings, compose=compose, method="kg place (test stand-in)", by="placement model")
    return f"{paper_id}/suggestion-{facet}-{concept}"

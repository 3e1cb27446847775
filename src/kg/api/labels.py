"""Labels of IRIs for the pages people read (named-query tables, the editor's results): a work's title, a
concept's preferred label, anything else's rdfs:label, read from the default graph in one query."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.api.query_service import QueryService

__all__ = ["labels_for", "MAX_LABELLED"]

MAX_LABELLED = 2000
"""IRIs labelled per request: one page of results at most holds this many distinct ones."""

_LABELS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s (SAMPLE(?title) AS ?t) (SAMPLE(?pref) AS ?p) (SAMPLE(?other) AS ?o) WHERE {
  VALUES ?s { %s }
  { ?s dcterms:title ?title } UNION { ?s skos:prefLabel ?pref } UNION { ?s rdfs:label ?other }
} GROUP BY ?s
"""


async def labels_for(queries: QueryService, iris: Iterable[str]) -> dict[str, str]:
    """{iri: label} for those of `iris` that have one (title before prefLabel before rdfs:label).

    Strings that are not valid IRIs are left out, not an error: they come from result tables. The IRIs are
    written into VALUES as pyoxigraph serializes NamedNodes, so no text of theirs can change the query.
    """
    nodes: list[str] = []
    for iri in dict.fromkeys(iris):
        try:
            nodes.append(str(ox.NamedNode(iri)))
        except ValueError:
            continue
        if len(nodes) == MAX_LABELLED:
            break
    if not nodes:
        return {}
    table = await queries.select(_LABELS % " ".join(nodes), max_rows=MAX_LABELLED)
    labels: dict[str, str] = {}
    for subject, *candidates in table.rows:
        label = next((c.value for c in candidates if c is not None), None)
        if subject is not None and label:
            labels[subject.value] = label
    return labels

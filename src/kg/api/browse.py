"""Browsing routes: the home page, search (`/search`, HTML or JSON), the index pages (`/papers`,
`/categories`, `/benchmarks`, `/networks`, `/authors`, `/venues`, `/section9`) and the JSON-LD context
(`/context.jsonld`). Data comes from kg.browse and kg.search; pages are cached under the graph's version."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from kg.api.negotiation import negotiate
from kg.api.query_service import service
from kg.api.rendering import render
from kg.browse import ENTITY_CLASSES, ENTITY_SORTS, WORK_SORTS, entities, paginate, taxonomy, works
from kg.figures import figure_names, figure_title
from kg.formats import HTML, JSON_DOCUMENT, Format
from kg.iri import PAPER
from kg.jsonld import context
from kg.runner import QueryRunner, records
from kg.search import FACETS, search

__all__ = ["router", "PER_PAGE"]

router = APIRouter()

PER_PAGE = 50
"""Rows per page of the index pages."""
_JSONLD = Format("jsonld-context", "application/ld+json", ("application/ld+json", "application/json"), "jsonld",
                 "document")
_SURVEY = PAPER + "doi-10.1016-j.inffus.2025.104003"
_HOME_FACTS = """
SELECT ?survey (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?doi) WHERE {
  OPTIONAL { ?survey dcterms:title ?t } OPTIONAL { ?survey dkg:doi ?d } } GROUP BY ?survey"""
_EDITION = """
SELECT (MAX(?date) AS ?last) WHERE { GRAPH ?edition { ?edition dcterms:issued ?date } }"""
"""The newest edition of the companion list the graph holds (edition graphs describe themselves, kg.edition_graph)."""


_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?thing) AS ?n) WHERE {
  VALUES ?class { dkg:ResearchPaper dkg:CandidatePaper dkg:Survey dkg:Benchmark dkg:Network dkg:Author }
  ?thing a ?class . FILTER NOT EXISTS { ?thing dkg:recordOf ?anything }
} GROUP BY ?class"""
_WORKS_COUNT = """
SELECT (COUNT(DISTINCT ?work) AS ?n) WHERE {
  VALUES ?class { dkg:ResearchPaper dkg:CandidatePaper dkg:Survey }
  ?work a ?class . FILTER NOT EXISTS { ?work dkg:recordOf ?anything } }"""
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(runner: QueryRunner, query: str) -> int:
    value = runner.run_select(query).rows[0][0]
    return int(value.value) if value is not None else 0


def _counts(runner: QueryRunner) -> list[dict]:
    per_class = {row["class"].value.rsplit("#", 1)[1]: int(row["n"].value)
                 for row in records(runner.run_select(_COUNTS)) if row["class"] is not None and row["n"] is not None}
    counts = [{"label": "works", "count": _count(runner, _WORKS_COUNT), "href": "/papers"}]
    for kind, name in (("benchmarks", "Benchmark"), ("networks", "Network"), ("authors", "Author")):
        counts.append({"label": kind, "count": per_class.get(name, 0), "href": f"/{kind}"})
    return counts


@router.get("/", summary="Home page: the survey, counts, the taxonomy, figures and where to start")
async def home(request: Request) -> Response:
    base = request.app.state.settings.base_iri

    def compute(runner: QueryRunner) -> bytes:
        facts = records(runner.run_select(_HOME_FACTS, {"survey": ox.NamedNode(_SURVEY)}))[0]
        last = runner.run_select(_EDITION).rows
        edition = last[0][0].value if last and last[0][0] is not None else ""
        survey = {"title": facts["title"].value if facts["title"] else "The duality of generative AI and "
                  "reinforcement learning in robotics", "doi": facts["doi"].value if facts["doi"] else "",
                  "href": "/" + _SURVEY[len(base):] if _SURVEY.startswith(base) else _SURVEY}
        figures = [{"name": name, "title": figure_title(name)} for name in figure_names()]
        return render("home.html", base=base, title="Home", here="/", survey=survey, counts=_counts(runner),
                      triples=_count(runner, _TRIPLES), edition=edition,
                      tree=[node for node in taxonomy(runner) if node.scheme.endswith("/taxonomy")],
                      figures=figures, prefix="/figures").encode()

    return await service(request).respond(request, ("home",), HTML, compute)


def _search_links(q: str, facets: list[str], page: int) -> dict:
    def url(facet_list: list[str], page_number: int = 1, fmt: str | None = None) -> str:
        params = [("q", q)] if q else []
        params += [("facet", f) for f in facet_list]
        if page_number > 1:
            params.append(("page", str(page_number)))
        if fmt:
            params.append(("format", fmt))
        return "/search" + ("?" + urlencode(params) if params else "")

    return {"url": url, "prev": url(facets, page - 1), "next": url(facets, page + 1), "json": url(facets, page, "json")}


@router.get("/search", summary="Full-text search over the works with facets (HTML or JSON)")
async def search_route(request: Request, q: str = Query("", max_length=200),
                       facet: list[str] = Query([], max_length=20), page: int = Query(1, ge=1, le=10_000),
                       format: str | None = None) -> Response:
    fmt = negotiate(request.headers.get("accept"), (HTML, JSON_DOCUMENT), requested=format)
    index = request.app.state.graph.search_index
    base = request.app.state.settings.base_iri
    result = await asyncio.to_thread(search, index, q=q, facets=facet, page=page)
    if fmt is JSON_DOCUMENT:
        return Response(json.dumps(dataclasses.asdict(result) | {"pages": result.pages}, ensure_ascii=False),
                         media_type=fmt.media_type, headers={"Vary": "Accept"})
    links = _search_links(q, facet, page)
    raw = {(name, value): item for item in facet for name, _, value in [item.partition(":")]}
    value_labels = {(name, v.value): v.label for name, values in result.facets.items() for v in values}
    add_links = {(name, v.value): links["url"]([*facet, f"{name}:{v.value}"])
                 for name, values in result.facets.items() for v in values}
    remove_links = {key: links["url"]([f for f in facet if f != item]) for key, item in raw.items()}
    page_html = render("search.html", base=base, title=f"Search: {q}" if q else "Search", here="/search",
                       result=result, facet_labels=FACETS, value_labels=value_labels, add_links=add_links,
                       remove_links=remove_links, page_links=links, json_link=links["json"])
    return Response(page_html, media_type=HTML.media_type, headers={"Vary": "Accept"})


def _index_route(kind: str, title: str, intro: str):
    async def index(request: Request, sort: str = Query("", max_length=20), page: int = Query(1, ge=1, le=10_000),
                    per_page: int = Query(PER_PAGE, ge=1, le=200)) -> Response:
        base = request.app.state.settings.base_iri

        def compute(runner: QueryRunner) -> bytes:
            if kind == "papers":
                listing = paginate(works(runner), sort=sort, sorts=WORK_SORTS, page=page, per_page=per_page)
            else:
                listing = paginate(entities(runner, ENTITY_CLASSES[kind]), sort=sort, sorts=ENTITY_SORTS,
                                   page=page, per_page=per_page)
            return render("index.html", base=base, title=title, here=f"/{kind}", intro=intro, listing=listing,
                          works=kind == "papers", path=f"/{kind}").encode()

        return await service(request).respond(request, ("index", kind, sort, page, per_page), HTML, compute)

    index.__name__ = f"index_{kind}"
    return index


_INDEXES = {
    "papers": ("Papers", "Every work of the graph: the papers the survey reviews, the companion list's and the survey itself."),
    "benchmarks": ("Benchmarks", "Benchmarks and datasets the works use, with how many works use each."),
    "networks": ("Networks", "Concrete networks (GPT-4, CLIP ...) the works build on."),
    "authors": ("Authors", "Authors as the sources name them (references give first authors)."),
    "venues": ("Venues", "Where the works were published."),
    "section9": ("Section 9", "The survey's challenge areas, challenges, recommendations and research directions, "
                 "with the works given as evidence."),
}
for _kind, (_title, _intro) in _INDEXES.items():
    router.add_api_route(f"/{_kind}", _index_route(_kind, _title, _intro), methods=["GET"],
                         summary=f"Index page: {_title.lower()}")


@router.get("/categories", summary="The taxonomy as a tree with work counts")
async def categories(request: Request) -> Response:
    base = request.app.state.settings.base_iri
    return await service(request).respond(
        request, ("categories",), HTML,
        lambda runner: render("categories.html", base=base, title="Categories", here="/categories",
                              tree=taxonomy(runner)).encode())


@router.get("/context.jsonld", summary="The JSON-LD @context of the resources' JSON-LD")
async def context_document(request: Request) -> Response:
    return await service(request).respond(
        request, ("context",), _JSONLD,
        lambda runner: json.dumps({"@context": context(runner)}, indent=1).encode())


"""`/sparql`: the SPARQL 1.1 Protocol (query operation only) and the service description.

Default graph: the merge of graph:ontology, graph:data and graph:inferred (kg.iri.DEFAULT_GRAPHS: works,
not their source records), unless the request names a dataset with `default-graph-uri`/`named-graph-uri`
or the query with FROM/FROM NAMED; those select graphs of the local store only and are never
dereferenced. `GRAPH ?g` reaches every named graph: graph:records, the views graph:view/..., editions.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kg.api.error_responses import plain_error, status_for
from kg.api.fair_share import client_key
from kg.api.guard import check_query
from kg.api.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    Format,
    NotAcceptable,
    named_format,
    negotiate,
)
from kg.api.query_service import QueryService, etag_matches
from kg.errors import InputError, KgError, QueryRejected, RequestTooLarge
from kg.iri import DEFAULT_GRAPHS, GRAPH_RECORDS, GRAPH_VIEW
from kg.settings import Settings
from kg.views import VIEWS

__all__ = ["router", "read_body", "SparqlFastPath"]

router = APIRouter()

_READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refusing (RequestTooLarge) anything over `limit` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the request is not valid UTF-8") from None


def _params(raw_query: bytes) -> list[tuple[str, str]]:
    return parse_qsl(_decode(raw_query), keep_blank_values=True)


async def sparql(request: Request) -> Response:
    """GET/POST /sparql: answer a query, or describe the service when there is none."""
    settings: Settings = request.app.state.settings
    url_params = _params(request.scope.get("query_string", b""))
    body_params: list[tuple[str, str]] = []
    query_texts = [v for k, v in url_params if k == "query"]
    if any(k == "update" for k, _ in url_params):
        return plain_error(403, _READ_ONLY)
    if request.method == "POST":
        content_type = request.headers.get("content-type")
        if not content_type:
            return plain_error(400, "POST needs a Content-Type: application/x-www-form-urlencoded "
                                    "or application/sparql-query")
        media = content_type.split(";")[0].strip().lower()
        body = await read_body(request, limit=settings.max_body_bytes)
        if media == "application/x-www-form-urlencoded":
            body_params = _params(body)
            if any(k == "update" for k, _ in body_params):
                return plain_error(403, _READ_ONLY)
            query_texts += [v for k, v in body_params if k == "query"]
        elif media == "application/sparql-query":
            query_texts.append(_decode(body))
        elif media == "application/sparql-update":
            return plain_error(403, _READ_ONLY)
        else:
            return plain_error(415, "unsupported Content-Type: use application/x-www-form-urlencoded "
                                    "or application/sparql-query")
    if len(query_texts) > 1:
        return plain_error(400, "the request carries more than one query")
    all_params = url_params + body_params
    if not query_texts:
        if request.method == "GET":
            if negotiate(request.headers.get("accept"), (*GRAPH_FORMATS, HTML)) is HTML:
                return RedirectResponse("/query", status_code=303)  # a browser: show the query page
            return service_description(request)
        return plain_error(400, "the request carries no query")
    return await _answer(request, settings, query_texts[0], all_params)


async def sparql_wrong_method(request: Request) -> Response:
    return plain_error(405, "use GET or POST for SPARQL queries; this endpoint is read-only",
                       headers={"Allow": "GET, POST"})


# Plain Starlette routes: the handler parses the protocol itself, so FastAPI's parameter machinery
# would only add per-request cost on the hottest path.
router.add_route("/sparql", sparql, methods=["GET", "POST"])


class SparqlFastPath:
    """ASGI middleware answering GET/POST /sparql before FastAPI's router and exception layers.

    Same handler and same error mapping as the route above, minus about a tenth of a millisecond of
    framework work per query; everything else passes through.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in ("GET", "POST"):
            return await self.app(scope, receive, send)
        try:
            response = await sparql(Request(scope, receive))
        except (KgError, NotAcceptable) as err:
            response = plain_error(status_for(err), str(err))
        await response(scope, receive, send)

router.add_route("/sparql", sparql_wrong_method, methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)


async def _answer(request: Request, settings: Settings, query: str, params: list[tuple[str, str]]) -> Response:
    shape = check_query(query, max_chars=settings.max_query_chars, max_depth=settings.max_query_depth)
    default_graphs = tuple(v for k, v in params if k == "default-graph-uri")
    named_graphs = tuple(v for k, v in params if k == "named-graph-uri")
    for graph in (*default_graphs, *named_graphs):
        if not graph.startswith(("http://", "https://", "urn:")) or any(c in graph for c in '<> "{}|\\^`'):
            raise QueryRejected("default-graph-uri and named-graph-uri must be absolute IRIs")
    offered = RESULT_FORMATS if shape.form in ("SELECT", "ASK") else GRAPH_FORMATS
    fmt = _chosen_format(request, params, offered)
    queries: QueryService = request.app.state.queries
    key = (query, fmt.key, default_graphs, named_graphs)
    headers = {"ETag": queries.etag(key), "Vary": "Accept", "Cache-Control": "no-cache"}
    if etag_matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)

    async def produce() -> bytes:
        return await queries.run(query, form=shape.form, format_key=fmt.key,
                                 project_default_graph=not shape.names_dataset,
                                 default_graphs=default_graphs, named_graphs=named_graphs,
                                 client=client_key(request.headers.get("authorization"),
                                                   request.client.host if request.client else None))

    media_type, body = await queries.computed(key, fmt.media_type, produce)
    return Response(body, media_type=media_type, headers=headers)


def _chosen_format(request: Request, params: list[tuple[str, str]], offered: tuple[Format, ...]) -> Format:
    """`format=` / `output=` (download links, SPARQLWrapper) when one names an offered format, else `Accept`.
    SPARQL clients send these words for every query form, so one that names nothing offered is ignored."""
    for value in (v for k, v in params if k in ("format", "output")):
        fmt = named_format(offered, value)
        if fmt is not None:
            return fmt
    return negotiate(request.headers.get("accept"), offered)


def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the format the client accepts."""
    endpoint = str(request.url.replace(query=""))
    result_formats = {
        "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "ttl": "http://www.w3.org/ns/formats/Turtle",
        "nt": "http://www.w3.org/ns/formats/N-Triples",
        "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
        "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    }
    # labelled blank nodes: the same description serializes to the same bytes every time
    named = (*DEFAULT_GRAPHS, GRAPH_RECORDS, *(GRAPH_VIEW + v for v in VIEWS))
    graphs = "".join(f"""        sd:namedGraph _:graph{index} ;\n""" for index, _ in enumerate(named))
    graph_nodes = "".join(f"""_:graph{index} a sd:NamedGraph ; sd:name <{g}> .\n""" for index, g in enumerate(named))
    default = ", ".join(f"<{g}>" for g in DEFAULT_GRAPHS)
    comment = ("Read-only. The default graph is the merge of " + default + ": works and the merged view, "
               "not their source records, which are in <" + GRAPH_RECORDS + "> (GRAPH ?g reaches every named "
               "graph). SERVICE, LOAD and updates are refused; FROM and default-graph-uri select local graphs only.")
    turtle = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
_:service a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    {" ; ".join(f"sd:resultFormat <{v}>" for v in result_formats.values())} ;
    rdfs:comment "{comment}" ;
    sd:defaultDataset _:dataset .
_:dataset a sd:Dataset ;
{graphs}        sd:defaultGraph _:default .
_:default a sd:Graph ; rdfs:comment "the merge of {default}" .
{graph_nodes}"""
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    triples = [q.triple for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]
    body = ox.serialize(triples, format=fmt.rdf,
                        prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"}
                        if fmt.key in ("ttl", "rdfxml") else None)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})

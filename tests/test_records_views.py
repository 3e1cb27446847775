"""Records out of the default graph, the per-source views and the merged view's precedence (issue 10, 1-4).

Over the project's data (ontology + data/ttl loaded as the build loads them) and over the endpoint's
fixture through a real server: a query that does not ask for provenance sees works, not records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from queries_support import ROOT, project_settings, project_store, require_data
from survey_tables import load_fixture

from kg.iri import CAT, DKG, GRAPH_RECORDS, GRAPH_VIEW, PAPER, PREFIXES
from kg.queries import list_queries, load_query, project_select
from kg.queries import run_query as _run_query
from kg.views import CODE_AVAILABILITY_ORDER

DOC = ROOT / "docs" / "model.md"
CLIP = PREFIXES["net"] + "clip"


def run_query(store: ox.Store, query, params: dict[str, str]) -> ox.QuerySolutions:
    return _run_query(store=store, query=query, params=params)


def _values(store: ox.Store, query: str) -> list[list[str | None]]:
    solutions = project_select(store, query)
    names = [v.value for v in solutions.variables]
    return [[None if row[n] is None else row[n].value for n in names] for row in solutions]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    require_data()
    return project_store()


def test_clip_query_over_the_default_graph_counts_works_not_records(store):
    """The issue's example: `?w dkg:usesNetwork net:clip` counted CLIP 18 times (works and records)."""
    rows = _values(store, "SELECT ?w WHERE { ?w dkg:usesNetwork net:clip }")
    works_of_clip_records = {w for (w,) in _values(
        store, "SELECT DISTINCT ?w WHERE { GRAPH graph:records { ?r dkg:recordOf ?w ; dkg:usesNetwork net:clip } }")}
    assert len(rows) == len({w for (w,) in rows}) == len(works_of_clip_records) == 6
    assert {w for (w,) in rows} == works_of_clip_records


def test_default_graph_holds_no_record(store):
    assert _values(store, "SELECT (COUNT(*) AS ?n) WHERE { ?r dkg:recordOf ?w }") == [["0"]]
    in_files = sum(1 for path in Path(project_settings().data_dir).rglob("*.ttl")
                   for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if t.predicate.value == DKG + "recordOf")
    assert in_files > 500
    assert _values(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:records { ?r dkg:recordOf ?w } }") == [[str(in_files)]]


def test_category_listing_returns_no_record_iri(store):
    settings = project_settings()
    query = load_query(settings, "papers-in-category")
    solutions = run_query(store, query, {"category": "cat:reward-signal"})
    works = [row["work"].value for row in solutions]
    assert works, "cat:reward-signal lists works"
    assert not [w for w in works if "#" in w], "records listed as works"


def test_every_named_query_that_returns_works_returns_no_record(store):
    settings = project_settings()
    checked = 0
    for query in list_queries(settings):
        solutions = run_query(store, query, {})
        for row in solutions:
            for variable in solutions.variables:
                term = row[variable]
                if isinstance(term, ox.NamedNode) and term.value.startswith(PAPER) and variable.value in ("work", "paper"):
                    assert "#" not in term.value, f"{query.name}: ?{variable.value} is a record: {term.value}"
                    checked += 1
    assert checked > 100


def test_named_queries_return_works_with_reference_title_year_and_framework(store):
    """Issue 10 point 4: every named query with a ?work column names the work as the survey does."""
    settings = project_settings()
    with_works = 0
    for query in list_queries(settings):
        solutions = run_query(store, query, {})
        names = [v.value for v in solutions.variables]
        # render/*: the renderers' inputs, whose columns are the published files' columns (docs/publishing.md)
        if "work" not in names or query.name.startswith("render/"):
            continue
        with_works += 1
        assert {"reference", "title", "year", "framework"} <= set(names), f"{query.name}: columns {names}"
    assert with_works >= 8


@pytest.mark.parametrize("work", ["arxiv-2306.07290", "arxiv-2309.06599", "arxiv-2310.06114", "arxiv-2403.09583"])
def test_code_availability_disagreement_merged_keeps_most_available_views_keep_both(store, work):
    """A table's "N/A" against a spreadsheet's "Yes" (or "announced"): the merged view keeps the most
    available value; the survey's view and the sheets' view keep their own; source-disagreements shows both."""
    iri = ox.NamedNode(PAPER + work)
    merged = {v for (v,) in _values(store, f"SELECT ?c WHERE {{ {iri} dkg:codeAvailability ?c }}")}
    per_record = {v for (v,) in _values(
        store, f"SELECT ?c WHERE {{ GRAPH graph:records {{ ?r dkg:recordOf {iri} ; dkg:codeAvailability ?c }} }}")}
    assert len(per_record) == 2, per_record
    assert merged == {min(per_record, key=CODE_AVAILABILITY_ORDER.index)}
    survey = {v for (v,) in _values(store, f"SELECT ?c WHERE {{ GRAPH <{GRAPH_VIEW}survey> {{ {iri} dkg:codeAvailability ?c }} }}")}
    sheets = {v for (v,) in _values(store, f"SELECT ?c WHERE {{ GRAPH <{GRAPH_VIEW}sheets> {{ {iri} dkg:codeAvailability ?c }} }}")}
    assert survey == {DKG + "CodeNotAvailable"} and sheets and survey | sheets == per_record
    shown = {(r["value"].value, r["source"].value) for r in run_query(
        store, load_query(project_settings(), "source-disagreements"), {}) if r["work"] == iri
        and r["property"].value == DKG + "codeAvailability"}
    assert {value for value, _ in shown} == per_record
    assert {PREFIXES["src"] + "survey-text"} < {source for _, source in shown}


def test_views_hold_work_level_facts_only(store):
    for view in ("survey", "list", "sheets"):
        rows = _values(store, f"SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {{ GRAPH <{GRAPH_VIEW}{view}> {{ ?w ?p ?o }} "
                              f"FILTER (isIRI(?w) && CONTAINS(STR(?w), '#')) }}")
        assert rows == [["0"]], f"graph:view/{view} has record subjects"
        assert int(_values(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_VIEW}{view}> {{ ?w a ?t }} }}")[0][0]) > 50
    # the list's headings are in the list view, never in the survey's
    assert _values(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_VIEW}survey> {{ ?w dkg:inCompanionList true }} }}") \
        == [["0"]]


# --- the gap matrix agrees with the survey's tables ---

_CAPTION_MODEL = {2: "llm", 3: "vlm", 4: "diffusion-model", 5: "diffusion-model", 7: "world-and-video-prediction-models"}
"""The base model each generative-tools table is about (Section 3: one table per base model)."""
_CELL_MODELS = {"llm": "llm", "vlm": "vlm", "diffusion": "diffusion-model", "world model": "world-and-video-prediction-models",
                "video prediction": "world-and-video-prediction-models"}
_TASKS = {"reward signal": "reward-signal", "state representation": "state-representation",
          "planning & exploration": "planning-exploration", "planning and exploration": "planning-exploration"}


def _survey_table_cells() -> dict[tuple[str, str], bool]:
    """(base model, task) -> whether any row of that cell reports a real-world experiment, read from the
    survey's tables (tests/fixtures/survey_tables.json, parsed from seed 001), not from our data."""
    cells: dict[tuple[str, str], bool] = defaultdict(bool)
    for number, model in _CAPTION_MODEL.items():
        table = load_fixture()[number]
        header = [h.lower() for h in table["header"]]
        model_column = next(i for i, h in enumerate(header) if h.startswith(("base model", "model class")))
        task_column, setting_column = header.index("task"), next(i for i, h in enumerate(header) if h.startswith("simulation"))
        for row in table["rows"]:
            task = _TASKS[row[task_column].strip().lower()]
            models = {model} | {m for word, m in _CELL_MODELS.items() if word in row[model_column].lower()}
            real = "real" in row[setting_column].lower()
            for m in models:
                cells[(m, task)] |= real
    return cells


def test_gap_cells_without_real_world_work_are_the_survey_tables(store):
    """Foundation Actor-Critic [110] (Table 7: world model, diffusion; list: State Representation) put a work in
    diffusion x state representation that no source states, and `kg gaps` flagged two cells, not three."""
    expected = {cell for cell, real in _survey_table_cells().items() if not real}
    assert expected == {("vlm", "state-representation"), ("diffusion-model", "reward-signal"),
                        ("diffusion-model", "state-representation")}
    rows = run_query(store, load_query(project_settings(), "gaps/tool-matrix"), {})
    found = {(r["row"].value.removeprefix(CAT), r["column"].value.removeprefix(CAT)) for r in rows
             if int(r["works"].value) > 0 and int(r["realWorld"].value) == 0}
    assert found == expected
    # and `kg gaps` flags exactly those cells
    from kg.gaps import build_report

    report = build_report(settings=project_settings(), store=store)
    tools = next(m for m in report["matrices"] if m["id"] == "tools")
    flagged = {(c["row"].removeprefix(CAT), c["column"].removeprefix(CAT)) for c in tools["cells"] if c["noRealWorld"]}
    assert flagged == expected


def test_a_pair_from_two_sources_places_no_work(store):
    """[110]: its base models come from Table 7, its State Representation from a list heading."""
    (work,) = {w for (w,) in _values(store, "SELECT ?w WHERE { ?w dkg:surveyReferenceNumber 110 }")}
    rows = run_query(store, load_query(project_settings(), "gaps/cell-works"),
                     {"row": "cat:diffusion-model", "column": "cat:state-representation"})
    assert work not in {r["work"].value for r in rows}


def test_papers_in_both_perspectives_follows_the_list_headings(store):
    settings = project_settings()
    listed = {w for (w,) in _values(store, """SELECT DISTINCT ?w WHERE { GRAPH graph:records {
        ?a a dkg:ListEntry ; dkg:recordOf ?w ; dkg:inCategory cat:generative-tools-for-rl .
        ?b a dkg:ListEntry ; dkg:recordOf ?w ; dkg:inCategory cat:rl-for-generative-policies } }""")}
    found = {r["work"].value for r in run_query(store, load_query(settings, "papers-in-both-perspectives"), {})}
    assert listed and found == listed
    with_sheets = {r["work"].value for r in run_query(store, load_query(settings, "papers-in-both-perspectives"),
                                                      {"withSheets": "true"})}
    assert found < with_sheets


# --- the docs' examples run ---

def _doc_queries() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Records, views and provenance"):]
    section = section[:section.find("\n## ", 5)] if "\n## " in section[5:] else section
    blocks = re.findall(r"```sparql\n(.*?)```", section, re.DOTALL)
    return [(f"example-{i}", block) for i, block in enumerate(blocks, start=1)]


def test_docs_records_section_has_examples():
    assert len(_doc_queries()) >= 3


@pytest.mark.parametrize(("name", "query"), _doc_queries())
def test_every_doc_example_query_runs(store, name, query):
    rows = list(project_select(store, query))
    assert rows, f"docs/model.md {name} returns no rows"
    if "net:clip" in query and "COUNT" in query:
        assert rows[0][0].value == "6"


# --- the endpoint: a real server over the fixture project ---

def test_endpoint_default_graph_holds_no_record_and_graph_records_reaches_them(api_server):
    with httpx.Client(base_url=api_server.url, timeout=30) as client:
        def count(query: str) -> int:
            response = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
            assert response.status_code == 200, response.text
            return int(response.json()["results"]["bindings"][0]["n"]["value"])

        assert count("SELECT (COUNT(*) AS ?n) WHERE { ?r dkg:recordOf ?w }") == 0
        in_records = count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:records { ?r dkg:recordOf ?w } }")
        assert in_records > 0
        assert count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?r dkg:recordOf ?w } }") == in_records
        # a request naming its dataset gets it: the records graph as default graph
        response = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?r dkg:recordOf ?w }",
                                                 "default-graph-uri": GRAPH_RECORDS},
                              headers={"accept": "application/sparql-results+json"})
        assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == in_records
        description = client.get("/sparql", headers={"accept": "text/turtle"}).text
        assert GRAPH_RECORDS in description and "UnionDefaultGraph" not in description


def test_docs_say_which_view_every_named_query_reads():
    text = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    table = text[text.index("## The queries"):text.index("## Tests")]
    views = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            for name in re.findall(r"`([a-z0-9/-]+)`", cells[0]):
                views[name] = cells[1]
    names = [q.name for q in list_queries(project_settings())]
    assert names
    tables = {n for n in names if n.startswith("survey-table-")}
    missing = [n for n in names if n not in views and not (n in tables and "survey-table-1" in views)]
    assert not missing, f"docs/queries.md does not say which view these read: {missing}"
    assert all(re.search(r"merged|records|survey|list|sheets|matrix|editions", views[n]) for n in views)


@pytest.mark.parametrize(("work", "predicate"), [("arxiv-2406.18043", "frameworkName"), ("arxiv-2304.07297", "frameworkName"),
                                                 ("arxiv-2306.07290", "trainingData"), ("mahmoudieh-2022-zero-shot", "trainingData")])
def test_single_valued_disagreement_merged_keeps_the_survey_value(store, work, predicate):
    """Survey first, then list, then sheets: a spreadsheet's variant stays on its record and in its view."""
    iri = f"<{PAPER + work}>"
    merged = {v for (v,) in _values(store, f"SELECT ?v WHERE {{ {iri} dkg:{predicate} ?v }}")}
    survey = {v for (v,) in _values(store, f"SELECT ?v WHERE {{ GRAPH <{GRAPH_VIEW}survey> {{ {iri} dkg:{predicate} ?v }} }}")}
    sheets = {v for (v,) in _values(store, f"SELECT ?v WHERE {{ GRAPH <{GRAPH_VIEW}sheets> {{ {iri} dkg:{predicate} ?v }} }}")}
    assert survey and sheets and survey != sheets
    assert merged == survey

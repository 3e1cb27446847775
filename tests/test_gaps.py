"""kg gaps: every matrix cell equals a count computed independently by SPARQL over the asserted data, the
report renders in every format, and /gaps answers over a real uvicorn server."""

from __future__ import annotations

import json
import re
import shlex
from collections import defaultdict

import httpx
import pytest
from api_server import serve_in_thread
from reasoning_stores import (
    FIXTURES,
    REAL_DATA,
    loaded_store,
    real_data_present,
    settings_for,
)

from kg.gaps import (
    build_report,
    render_heatmap,
    render_html,
    render_markdown,
    run_gap_query,
)
from kg.iri import CAT, GRAPH_DATA, GRAPH_RECORDS, GRAPH_VIEW, PREFIXES
from kg.queries import load_query, result_table, run_query
from kg.reason import reason

_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# The heading concepts that place a work in each row / column, read from the companion list's structure:
# a row's own heading, the task sub-headings that name its base model, and for columns the task heading
# with its sub-headings. Written out by hand so that this check does not use the ontology's classes.
ROW_HEADINGS = {
    "llm": ["llm", "reward-llm", "exploration-llm", "planning-llm"],
    "vlm": ["vlm", "reward-vlm", "exploration-vlm"],
    "diffusion-model": ["diffusion-model", "reward-diffusion", "planning-diffusion"],
    "world-and-video-prediction-models": ["world-and-video-prediction-models", "reward-video-prediction",
                                          "state-from-videos", "state-foundation-world-models"],
}
ROW_BASE_MODELS = {"llm": ["llm"], "vlm": ["vlm"], "diffusion-model": ["diffusion-model"],
                   "world-and-video-prediction-models": ["world-model", "video-prediction-model"]}
COLUMN_HEADINGS = {
    "reward-signal": ["reward-signal", "reward-llm", "reward-vlm", "reward-diffusion", "reward-video-prediction"],
    "state-representation": ["state-representation", "state-from-videos", "state-foundation-world-models"],
    "planning-exploration": ["planning-exploration", "exploration-llm", "exploration-vlm", "planning-llm",
                             "planning-diffusion"],
}
TOOL_HEADINGS = ["generative-tools-for-rl", *{h for hs in ROW_HEADINGS.values() for h in hs},
                 *{h for hs in COLUMN_HEADINGS.values() for h in hs}]
STAGE_HEADINGS = {
    "rl-pretraining": ["rl-pretraining", "pretraining-transformer-policy", "pretraining-diffusion-policy",
                       "pretraining-primitive-generator"],
    "rl-finetuning": ["rl-finetuning", "finetuning-policy-specific", "finetuning-policy-agnostic"],
    "policy-distillation": ["policy-distillation", "distillation-generalist-to-expert",
                            "distillation-experts-to-generalist"],
    "policy-safety": ["policy-safety"],
}
ARCHITECTURE_HEADINGS = {"transformer-policy": ["transformer-policy", "pretraining-transformer-policy"],
                         "diffusion-policy": ["diffusion-policy", "pretraining-diffusion-policy"]}


def _values(names: list[str]) -> str:
    return " ".join(f"cat:{n}" for n in names)


def tool_cell_query(row: str, column: str) -> str:
    """A work counts where one source states the pair: one record naming a base model of the row and the
    column's task, a list heading under both the row and the column, or the survey's view."""
    both = sorted(set(ROW_HEADINGS[row]) & set(COLUMN_HEADINGS[column])) or ["none"]
    models = _values([row, *ROW_BASE_MODELS[row]])
    return _HEADER + f"""
SELECT (COUNT(DISTINCT ?w) AS ?works) (COUNT(DISTINCT ?rw) AS ?realWorld) (COUNT(DISTINCT ?code) AS ?withCode)
WHERE {{
  {{ GRAPH <{GRAPH_RECORDS}> {{ ?r dkg:recordOf ?w ; dkg:usesBaseModel|dkg:tabulatedUnder ?b ; dkg:addressesTask cat:{column} }}
     VALUES ?b {{ {models} }} }}
  UNION {{ GRAPH <{GRAPH_VIEW}survey> {{ ?w dkg:usesBaseModel|dkg:tabulatedUnder ?b ; dkg:addressesTask cat:{column} }}
     VALUES ?b {{ {models} }} }}
  UNION {{ GRAPH <{GRAPH_RECORDS}> {{ ?r a dkg:ListEntry ; dkg:recordOf ?w ; dkg:inCategory ?h }} VALUES ?h {{ {_values(both)} }} }}
  OPTIONAL {{ GRAPH <{GRAPH_DATA}> {{ ?w dkg:evaluatedIn dkg:RealWorld BIND(?w AS ?rw) }} }}
  OPTIONAL {{ GRAPH <{GRAPH_DATA}> {{ ?w dkg:codeAvailability dkg:CodeAvailable BIND(?w AS ?code) }} }}
}}"""


def policy_cell_query(row: str, column: str) -> str:
    return _HEADER + f"""
SELECT (COUNT(DISTINCT ?w) AS ?works) (COUNT(DISTINCT ?rw) AS ?realWorld) (COUNT(DISTINCT ?code) AS ?withCode)
WHERE {{ GRAPH <{GRAPH_DATA}> {{
  ?w a ?type . VALUES ?type {{ dkg:ResearchPaper dkg:Survey dkg:CandidatePaper }}
  {{ ?w dkg:inCategory ?sh . VALUES ?sh {{ {_values(STAGE_HEADINGS[row])} }} }} UNION {{ ?w dkg:rlStage cat:{row} }}
  {{ ?w dkg:inCategory ?ah . VALUES ?ah {{ {_values(ARCHITECTURE_HEADINGS[column])} }} }}
  UNION {{ ?w dkg:policyArchitecture cat:{column} }}
  OPTIONAL {{ ?w dkg:evaluatedIn dkg:RealWorld BIND(?w AS ?rw) }}
  OPTIONAL {{ ?w dkg:codeAvailability dkg:CodeAvailable BIND(?w AS ?code) }}
}} }}"""


def _datasets():
    yield pytest.param(FIXTURES / "consistent", id="fixture")
    yield pytest.param(REAL_DATA, id="real", marks=pytest.mark.skipif(
        not real_data_present(), reason=f"no generated data in {REAL_DATA}: run `kg import`"))


@pytest.fixture(scope="module", params=list(_datasets()))
def reported(request, tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("gaps"), request.param)
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    return settings, store, build_report(settings=settings, store=store)


def test_every_cell_equals_an_independent_count(reported):
    _, store, report = reported
    queries = {"tools": tool_cell_query, "policies": policy_cell_query}
    checked = 0
    for matrix in report["matrices"]:
        assert matrix["cells"], f"matrix {matrix['id']} has no cells"
        for cell in matrix["cells"]:
            row, column = cell["row"].removeprefix(CAT), cell["column"].removeprefix(CAT)
            solution = next(iter(store.query(queries[matrix["id"]](row, column))))
            expected = {k: int(solution[k].value) for k in ("works", "realWorld", "withCode")}
            assert {k: cell[k] for k in expected} == expected, f"{matrix['id']} cell {row} x {column}"
            checked += 1
    assert checked == 4 * 3 + 4 * 2


def test_cells_are_flagged_and_trends_add_up(reported):
    _, _, report = reported
    for matrix in report["matrices"]:
        for cell in matrix["cells"]:
            assert (cell["flag"] == "empty") == (cell["works"] == 0)
            assert (cell["flag"] == "thin") == (0 < cell["works"] <= report["thinAtMost"])
            assert sum(cell["trend"].values()) <= cell["works"]
            assert cell["worksQuery"]["name"] == "gaps/cell-works"


def test_fixture_report_names_the_rlhf_direction_gap(tmp_path):
    settings = settings_for(tmp_path, FIXTURES / "consistent")
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    questions = {q["class"].rsplit("#", 1)[1]: q["works"] for q in build_report(settings=settings, store=store)["researchQuestions"]}
    assert questions["HumanFeedbackTransformerFinetuningWork"] == 1
    assert questions["RealWorldDiffusionPlannerWork"] == 1


def test_tool_matrix_counts_a_work_under_every_base_model_it_uses(tmp_path):
    settings = settings_for(tmp_path, FIXTURES / "consistent")
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    work = "https://w3id.org/duality-kg/paper/fixture-vlm-table-llm-and-vlm"
    for row in ("llm", "vlm"):
        rows = run_gap_query(settings=settings, store=store, name="gaps/cell-works",
                             params={"row": CAT + row, "column": CAT + "reward-signal"})
        assert work in {r["work"] for r in rows}, row
    rows = run_gap_query(settings=settings, store=store, name="gaps/cell-works",
                         params={"row": CAT + "diffusion-model", "column": CAT + "reward-signal"})
    assert work not in {r["work"] for r in rows}


@pytest.mark.skipif(not real_data_present(), reason=f"no generated data in {REAL_DATA}: run `kg import`")
def test_every_survey_table_row_sits_in_its_cells(tmp_path):
    """Consistent with the survey's tables: a row of Table 2-5 or 7 puts its work in the cell of the table's
    base-model category and its Task, and in the cell of every base model its Base Model cell names."""
    settings = settings_for(tmp_path, REAL_DATA)
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    expected = defaultdict(set)
    for row in store.query(_HEADER + f"""SELECT ?paper ?category ?model ?task WHERE {{ GRAPH <{GRAPH_RECORDS}> {{
            ?record a dkg:TableRow ; dkg:recordOf ?paper ; dkg:tabulatedUnder ?category ; dkg:addressesTask ?task ;
                    dkg:usesBaseModel ?model }} }}"""):
        model = row["model"].value.removeprefix(CAT)
        model_row = CAT + next(r for r, models in ROW_BASE_MODELS.items() if model in models)
        for cell_row in (row["category"].value, model_row):
            expected[(cell_row, row["task"].value)].add(row["paper"].value)
    assert len(expected) >= 10
    for (cell_row, column), papers in expected.items():
        found = {r["work"] for r in run_gap_query(settings=settings, store=store, name="gaps/cell-works",
                                                   params={"row": cell_row, "column": column})}
        assert papers <= found, f"{cell_row} x {column}: missing {sorted(papers - found)[:3]}"


@pytest.mark.skipif(not real_data_present(), reason=f"no generated data in {REAL_DATA}: run `kg import`")
def test_section9_items_carry_evidence_and_queries(tmp_path):
    settings = settings_for(tmp_path, REAL_DATA)
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    items = build_report(settings=settings, store=store)["section9"]
    assert items, "no Section 9 challenge or direction in the data"
    assert any(item["evidence"] for item in items)
    for item in items:
        assert item["addressingQuery"]["params"] == {"node": item["id"]}
        assert item["status"]


def test_report_renders_in_every_format(reported):
    _, _, report = reported
    assert "| Large language model" in render_markdown(report) or "Large language model" in render_markdown(report)
    assert render_html(report).startswith("<!doctype html>")
    assert json.loads(json.dumps(report)) == report
    assert render_heatmap(report, image_format="png").startswith(b"\x89PNG")
    assert b"<svg" in render_heatmap(report, image_format="svg")[:500]


def test_gaps_route_negotiates_formats(tmp_path):
    settings = settings_for(tmp_path, FIXTURES / "consistent")
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    with serve_in_thread(settings, store) as running:
        base = running.url
        as_json = httpx.get(f"{base}/gaps", headers={"Accept": "application/json"}, timeout=60)
        assert as_json.status_code == 200 and as_json.json()["matrices"][0]["id"] == "tools"
        as_md = httpx.get(f"{base}/gaps", headers={"Accept": "text/markdown"}, timeout=60)
        assert as_md.headers["content-type"].startswith("text/markdown") and as_md.text.startswith("# Research gaps")
        as_html = httpx.get(f"{base}/gaps", timeout=60)
        assert as_html.headers["content-type"].startswith("text/html") and "/gaps/heatmap.svg" in as_html.text
        png = httpx.get(f"{base}/gaps/heatmap.png", timeout=60)
        assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
        assert httpx.get(f"{base}/gaps/heatmap.gif", timeout=60).status_code == 404


def _query_command(command: str) -> tuple[str, dict[str, str]]:
    words = shlex.split(command)
    assert words[:2] == ["kg", "query"], command
    name, rest = words[2], words[3:]
    assert len(rest) % 2 == 0 and all(flag == "--param" for flag in rest[::2]), command
    return name, dict(pair.split("=", 1) for pair in rest[1::2])


def test_every_query_command_the_markdown_report_prints_runs(reported):
    """Regression: the gaps queries' `#+ params: row (...), column (...)` header was dropped, so each printed
    `kg query gaps/cell-works --param row=... --param column=...` failed with "has no parameter 'row'"."""
    settings, store, report = reported
    commands = list(dict.fromkeys(re.findall(r"`(kg query [^`]+)`", render_markdown(report))))
    assert len(commands) >= 20 and any("--param row=" in c for c in commands), commands
    answered = 0
    for command in commands:
        name, params = _query_command(command)
        table = result_table(run_query(store=store, query=load_query(settings, name), params=params))
        assert table.variables, command
        answered += bool(table.rows)
    assert answered, "no printed command returned a row"

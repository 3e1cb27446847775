"""Every named query has a header, parses and runs; parameters are typed and checked."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store, Variable
from queries_support import (
    named_query_files,
    project_settings,
    project_store,
    require_data,
)

from kg.errors import NotFound, ParameterError, QuerySyntaxError
from kg.iri import BENCH, CAT, PAPER, PREFIXES
from kg.queries import (
    bind_parameters,
    list_queries,
    load_query,
    parse_query_file,
    result_table,
    run_query,
)

QUERY_NAMES = sorted(named_query_files())
QUERY_FILES = [named_query_files()[name] for name in QUERY_NAMES]
TABLE_QUERIES = [f"survey-table-{n}" for n in (1, 2, 3, 4, 5, 7, 9)]
REQUIRED = TABLE_QUERIES + [
    "papers-per-year-per-base-model", "papers-per-year-per-perspective", "papers-per-category",
    "papers-in-category", "benchmark-usage", "benchmark-counts-per-base-model", "citation-neighbourhood",
    "extends-chains", "method-lineage", "papers-in-both-perspectives", "challenge-evidence",
    "code-availability-per-category", "setting-per-category", "source-disagreements", "tools-by-model-and-task",
    "heading-fact-disagreements",
]
# queries the surveyed data must answer with rows (the others depend on curated links that may be few)
MUST_HAVE_ROWS = TABLE_QUERIES + [
    "papers-per-year-per-base-model", "papers-per-year-per-perspective", "papers-per-category",
    "papers-in-category", "benchmark-usage", "benchmark-counts-per-base-model", "citation-neighbourhood",
    "challenge-evidence", "code-availability-per-category", "setting-per-category", "tools-by-model-and-task",
]


def test_query_folder_is_not_empty_and_holds_every_required_query():
    assert QUERY_FILES, "no .rq files found in queries/"
    assert set(REQUIRED) <= set(QUERY_NAMES)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_has_a_header_and_parses(path: Path):
    query = parse_query_file(path)
    assert query.summary and query.description, f"{path.name}: header needs summary and description"
    Store().query(query.text, substitutions=bind_parameters(query, {}))  # raises SyntaxError if it does not parse


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_runs_on_the_store(name: str):
    require_data()
    query = load_query(project_settings(), name)
    table = result_table(run_query(store=project_store(), query=query))
    assert table.variables
    if name in MUST_HAVE_ROWS:
        assert table.rows, f"{name} returned no rows on the project's data"


def test_papers_per_category_rolls_up_and_agrees_with_papers_in_category():
    require_data()
    settings, store = project_settings(), project_store()
    counts = result_table(run_query(store=store, query=load_query(settings, "papers-per-category")))
    by_concept = {row[0].value: (int(row[3].value), int(row[4].value)) for row in counts.rows}
    assert by_concept and all(rolled >= direct for rolled, direct in by_concept.values())
    for concept in (CAT + "llm", CAT + "generative-tools-for-rl", CAT + "rl-for-generative-policies"):
        works = result_table(run_query(store=store, query=load_query(settings, "papers-in-category"),
                                       params={"category": concept}))
        work = works.variables.index("work")
        assert len({row[work].value for row in works.rows}) == by_concept[concept][0], concept
    assert by_concept[CAT + "generative-tools-for-rl"][0] >= by_concept[CAT + "llm"][0] > 0


def test_tools_by_model_and_task_holds_the_survey_tables_rows_and_true_flags():
    require_data()
    settings, store = project_settings(), project_store()
    table = result_table(run_query(store=store, query=load_query(settings, "tools-by-model-and-task"),
                                   params={"baseModel": "cat:vlm", "task": "cat:reward-signal"}))
    columns = table.variables
    found = {row[columns.index("work")].value: row for row in table.rows}
    dkg = PREFIXES["dkg"]
    table3_reward = {s["paper"].value for s in store.query(f"""SELECT ?paper WHERE {{ ?row <{dkg}tableNumber> 3 ;
        <{dkg}cellTask> "Reward Signal" ; <{dkg}recordOf> ?paper }}""", use_default_graph_as_union=True)}
    assert table3_reward and table3_reward <= set(found), "a Table 3 reward-signal row is missing"
    real_world = 0
    for work, row in found.items():
        stated = bool(store.query(f"ASK {{ <{work}> <{dkg}hasRecord>/<{dkg}evaluatedIn> <{dkg}RealWorld> }}",
                                  use_default_graph_as_union=True))
        assert (row[columns.index("realWorld")].value == "true") == stated, work
        real_world += stated
    assert 0 < real_world < len(found)
    order = [row[columns.index("realWorld")].value == "true" for row in table.rows]
    assert order == sorted(order, reverse=True), "real-world works come first"


def test_heading_fact_disagreements_equal_an_independent_comparison():
    require_data()
    settings, store = project_settings(), project_store()
    dkg, skos, rdf = PREFIXES["dkg"], PREFIXES["skos"], PREFIXES["rdf"]

    def objects(subject, predicate):
        return {q.object.value for q in store.quads_for_pattern(subject, NamedNode(predicate), None)}

    broader = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(skos + "broader"), None):
        broader[quad.subject.value].add(quad.object.value)

    def ancestors(concept):
        seen, todo = {concept}, [concept]
        while todo:
            for parent in broader[todo.pop()] - seen:
                seen.add(parent)
                todo.append(parent)
        return seen

    headings, facts = defaultdict(set), defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(dkg + "recordOf"), None):
        record, work = quad.subject, quad.object.value
        if dkg + "ListEntry" in objects(record, rdf + "type"):
            headings[work] |= objects(record, dkg + "inCategory")
        facts[work] |= {("task", t) for t in objects(record, dkg + "addressesTask")}
        facts[work] |= {("base-model", c) for c in objects(record, dkg + "tabulatedUnder")}
    expected = set()
    for work, work_facts in facts.items():
        under = set().union(*(ancestors(h) for h in headings[work])) if headings[work] else set()
        listed_tasks = {c for c in under if broader[c] == {CAT + "rl-task"}}
        listed_models = {h for h in headings[work] if broader[h] == {CAT + "base-model"}}
        for facet, value in work_facts:
            listed = listed_tasks if facet == "task" else listed_models
            if listed and value not in listed:
                expected.add((work, CAT + ("rl-task" if facet == "task" else "base-model"), value))
    table = result_table(run_query(store=store, query=load_query(settings, "heading-fact-disagreements")))
    index = {name: i for i, name in enumerate(table.variables)}
    found = {tuple(row[index[name]].value for name in ("work", "facet", "factValue")) for row in table.rows}
    assert expected and found == expected


def test_benchmark_usage_lists_the_works_that_use_the_benchmark():
    require_data()
    settings, store = project_settings(), project_store()
    table = result_table(run_query(store=store, query=load_query(settings, "benchmark-usage"),
                                   params={"benchmark": "bench:d4rl"}))
    works = {row[table.variables.index("work")].value for row in table.rows}
    assert works
    for work in works:
        assert store.query(f"ASK {{ <{work}> <{PREFIXES['dkg']}usesBenchmark> <{BENCH}d4rl> }}",
                           use_default_graph_as_union=True)


def test_list_queries_reads_every_file():
    assert [q.name for q in list_queries(project_settings())] == QUERY_NAMES


def test_unknown_query_is_not_found():
    with pytest.raises(NotFound, match="no-such-query"):
        load_query(project_settings(), "no-such-query")


def test_a_path_is_not_a_query_name():
    with pytest.raises(NotFound):
        load_query(project_settings(), "../pyproject")


def test_parameters_are_bound_as_typed_terms():
    query = load_query(project_settings(), "papers-in-category")
    assert bind_parameters(query, {"category": "cat:reward-llm"}) == {Variable("category"): NamedNode(CAT + "reward-llm")}
    assert bind_parameters(query, {}) == {Variable("category"): NamedNode(CAT + "llm")}
    paper = load_query(project_settings(), "method-lineage")
    full = PAPER + "arxiv-2310.12931"
    assert bind_parameters(paper, {"paper": full}) == {Variable("paper"): NamedNode(full)}


@pytest.mark.parametrize("value", ["not an iri", "cat:llm> } ; DROP ALL ; #", "<cat:llm>", ""])
def test_a_value_that_is_not_an_iri_is_refused_naming_the_parameter(value: str):
    with pytest.raises(ParameterError, match="'category'"):
        bind_parameters(load_query(project_settings(), "papers-in-category"), {"category": value})


def test_an_unknown_parameter_is_refused_naming_it():
    with pytest.raises(ParameterError, match="'colour'"):
        bind_parameters(load_query(project_settings(), "papers-in-category"), {"colour": "red"})


def _write_query(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_typed_literal_parameters_are_checked_and_bound(tmp_path: Path):
    path = _write_query(tmp_path, "since", "#+ summary: works since a year\n#+ description: d\n#+ params:\n"
                        "#+   - name: year\n#+     type: xsd:gYear\n#+     default: 2023\n"
                        "#+   - name: limit\n#+     type: xsd:integer\n"
                        "SELECT ?year ?limit WHERE {}\n")
    query = parse_query_file(path)
    bound = bind_parameters(query, {"limit": "5"})
    assert bound[Variable("year")] == Literal("2023", datatype=NamedNode(PREFIXES["xsd"] + "gYear"))
    assert bound[Variable("limit")] == Literal("5", datatype=NamedNode(PREFIXES["xsd"] + "integer"))
    with pytest.raises(ParameterError, match="'limit'"):
        bind_parameters(query, {"limit": "five"})
    with pytest.raises(ParameterError, match="needs parameter 'limit'"):
        bind_parameters(query, {})
    solution = next(iter(run_query(store=Store(), query=query, params={"limit": "5", "year": "2019"})))
    assert solution["year"] == Literal("2019", datatype=NamedNode(PREFIXES["xsd"] + "gYear"))


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * WHERE {}\n", "no '#+ summary:'"),
    ("#+ summary: s\n#+ colour: red\nSELECT * WHERE {}\n", ":2: unknown header field 'colour'"),
    ("#+ summary: s\n#+ params:\n#+   - name: x\n#+     type: xsd:float\nSELECT ?x WHERE {}\n", "unknown parameter type"),
    ("#+ summary: s\n#+ params:\n#+   - name: y\n#+     type: iri\nSELECT ?x WHERE {}\n", "no variable ?y"),
    ("#+ summary: s\n#+ params:\n#+   - name: x\n#+     type: xsd:integer\n#+     default: ten\n"
     "SELECT ?x WHERE {}\n", "bad default"),
])
def test_a_malformed_header_is_refused_naming_file_and_problem(tmp_path: Path, text: str, expected: str):
    path = _write_query(tmp_path, "bad", text)
    with pytest.raises(QuerySyntaxError, match="bad.rq") as caught:
        parse_query_file(path)
    assert expected in str(caught.value)

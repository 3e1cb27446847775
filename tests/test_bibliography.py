"""Bibliography exports: every format parses back with one entry per selected work, keys from the
spreadsheets where they exist, only facts the graph holds, LaTeX specials escaped; bad selections are
one-line errors with exit code 2."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from cli_support import ROOT, kg_env, run_kg
from render_support import NEW_WORK, project_runner, project_with_new_work

from kg.bibliography import citation_keys, render_bibliography, select_works, works
from kg.errors import NotFound, ParameterError
from kg.settings import Settings

SETTINGS = Settings(root=ROOT)


@pytest.fixture(scope="module")
def runner():
    return project_runner()


@pytest.fixture(scope="module")
def everything(runner):
    found = works(runner, SETTINGS)
    assert len(found) > 200
    return found


def test_bibtex_parses_back_one_entry_per_work(everything):
    text = render_bibliography(everything, fmt="bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(everything)
    assert len({e.key for e in library.entries}) == len(everything)
    titles = {e.key: e["title"] for e in library.entries}
    keys = citation_keys(everything)
    for work in everything[:50]:
        assert titles[keys[work.iri]]


def test_bibtex_keys_come_from_the_spreadsheets(everything):
    keys = citation_keys(everything)
    eureka = next(w for w in everything if w.iri.endswith("/arxiv-2310.12931"))
    assert eureka.bibtex_key == keys[eureka.iri] == "ma2023eureka"


def test_generated_keys_are_stable_and_unique(everything):
    assert citation_keys(everything) == citation_keys(list(reversed(everything)))
    assert len(set(citation_keys(everything).values())) == len(everything)


def test_ris_has_one_record_per_work_with_the_required_tags(everything):
    text = render_bibliography(everything, fmt="ris")
    records = [r for r in text.split("ER  - ") if r.strip()]
    assert len(records) == len(everything)
    for record in records:
        tags = re.findall(r"^([A-Z][A-Z0-9])  - ", record, flags=re.MULTILINE)
        assert tags[:3] == ["TY", "ID", "TI"]


def test_csl_json_items_have_id_type_and_title(everything):
    items = json.loads(render_bibliography(everything, fmt="csl-json"))
    assert len(items) == len(everything)
    assert all({"id", "type", "title"} <= item.keys() for item in items)
    assert all(isinstance(item["issued"]["date-parts"][0][0], int) for item in items if "issued" in item)


def test_entries_hold_only_facts_the_graph_has(tmp_path):
    root = project_with_new_work(tmp_path / "project")
    runner = project_runner(root)
    new = [w for w in works(runner, Settings(root=root)) if w.iri == NEW_WORK]
    entry = bibtexparser.parse_string(render_bibliography(new, fmt="bibtex")).entries[0]
    assert set(entry.fields_dict) == {"title", "author", "year", "eprint", "archiveprefix", "url"}
    assert entry["title"] == r"Zeta rewards: 100\% \& \{braces\} for LLM\_reward design"
    assert entry["author"] == "A. Müller and B. O'Neil"


def test_category_selects_the_works_under_it_and_narrower(runner):
    llm = {w.iri for w in select_works(runner, SETTINGS, category="cat:reward-signal")}
    reward_llm = {w.iri for w in select_works(runner, SETTINGS, category="cat:reward-llm")}
    assert reward_llm and reward_llm < llm


def test_query_selects_the_works_it_returns(runner):
    chosen = select_works(runner, SETTINGS, query="papers-in-category")
    assert 0 < len(chosen) < len(works(runner, SETTINGS))
    vlm = select_works(runner, SETTINGS, query="papers-in-category", params={"category": "cat:vlm"})
    assert vlm and {w.iri for w in vlm} != {w.iri for w in chosen}


def test_unknown_category_and_workless_query_are_refused(runner):
    with pytest.raises(ParameterError, match="cat:no-such"):
        select_works(runner, SETTINGS, category="cat:no-such")
    with pytest.raises(ParameterError, match="names no work"):
        select_works(runner, SETTINGS, query="papers-per-category")
    with pytest.raises(NotFound, match="no-such-query"):
        select_works(runner, SETTINGS, query="no-such-query")


@pytest.mark.parametrize("args, message", [
    (["--category", "cat:no-such"], "--category cat:no-such: not a concept"),
    (["--query", "no-such-query"], "no-such-query"),
    (["--query", "papers-per-category"], "names no work"),
    (["--param", "category=cat:vlm"], "name the query too"),
])
def test_cli_bad_selection_is_a_one_line_error(built_store, args, message):
    result = run_kg("export", "--format", "bibtex", *args, env=kg_env(ROOT, built_store))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "csv"])
def test_cli_export_bibliography_formats(built_store, tmp_path, fmt):
    out = tmp_path / f"works.{fmt}"
    result = run_kg("export", "--format", fmt, "--category", "cat:reward-llm", "--out", str(out),
                    env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert "ma2023eureka" in out.read_text(encoding="utf-8")  # every format carries the key


def test_cli_category_with_an_rdf_format_is_refused(built_store):
    result = run_kg("export", "--format", "ttl", "--category", "cat:llm", env=kg_env(ROOT, built_store))
    assert result.returncode == 2 and "bibliography formats" in result.stderr

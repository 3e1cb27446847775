"""`kg validate` end to end (real files, real pySHACL, pyoxigraph and HermiT) and the ontology check."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import TurtleSyntaxError
from kg.settings import Settings
from kg.validate import check_ontology, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="HermiT needs Java (apt-get install default-jre-headless)")

BROKEN_TURTLE = """@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix paper: <https://w3id.org/duality-kg/paper/> .
paper:arxiv-2310.12931 a dkg:ResearchPaper ;
    dkg:frameworkName "EUREKA ;
"""


def make_project(tmp_path: Path, data: dict[str, Path | str]) -> Path:
    """A project folder with the real ontology, shapes and QC queries and the given data files."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "queries" / "qc", tmp_path / "queries" / "qc")
    for name, content in data.items():
        target = tmp_path / "data" / "ttl" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = content.read_text(encoding="utf-8") if isinstance(content, Path) else content
        target.write_text(text, encoding="utf-8")
    return tmp_path


def run_kg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_ROOT": str(root), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "kg", "validate", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def conforming_data(*, every_case: bool = True) -> dict[str, Path | str]:
    """sources.ttl and the conforming cases (or only the EUREKA one, which shares no node with the
    violating cases, so a violating case can be added beside it)."""
    cases = (sorted((FIXTURES / "valid").glob("*.ttl")) if every_case
             else [FIXTURES / "valid" / "eureka-tables-and-shared-entities.ttl"])
    data: dict[str, Path | str] = {"sources.ttl": FIXTURES / "sources.ttl"}
    data.update({f"papers/{p.name}": p for p in cases})
    return data


@needs_java
def test_kg_validate_exits_0_when_the_data_conforms(tmp_path):
    result = run_kg(make_project(tmp_path, conforming_data()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


def test_kg_validate_exits_1_and_names_rule_file_and_node(tmp_path):
    data = conforming_data(every_case=False)
    data["papers/arxiv-2307.15818.ttl"] = FIXTURES / "invalid" / "work-title-missing.ttl"
    result = run_kg(make_project(tmp_path, data), "--skip-reasoner")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL shape:Work-title: 1 violation(s)" in result.stdout
    assert "data/ttl/papers/arxiv-2307.15818.ttl\n  paper:arxiv-2307.15818\n" in result.stdout
    assert "exactly one dcterms:title" in result.stdout


def test_property_typo_is_an_error(tmp_path):
    """`dkg:frameworkNme` (for dkg:frameworkName) is declared nowhere: exit 1, naming term, file and line."""
    data = conforming_data(every_case=False)
    data["papers/arxiv-2310.12931.ttl"] = ROOT / "tests" / "fixtures" / "terms" / "property-typo.ttl"
    del data["papers/eureka-tables-and-shared-entities.ttl"]
    result = run_kg(make_project(tmp_path, data), "--skip-reasoner")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL undeclared-term: 1 violation(s)" in result.stdout
    assert "data/ttl/papers/arxiv-2310.12931.ttl\n  dkg:frameworkNme\n    [undeclared-term] (line 81): property dkg:frameworkNme" \
        in result.stdout, result.stdout


def test_kg_validate_exits_2_on_broken_turtle_with_file_line_column(tmp_path):
    data = conforming_data()
    data["papers/broken.ttl"] = BROKEN_TURTLE
    result = run_kg(make_project(tmp_path, data), "--skip-reasoner")
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(r"data/ttl/papers/broken\.ttl:4:\d+: Turtle syntax error", result.stderr), result.stderr
    assert result.stdout == ""  # nothing was validated, no partial report


def test_broken_turtle_stops_validation_before_anything_is_loaded(tmp_path):
    data = conforming_data()
    data["papers/broken.ttl"] = BROKEN_TURTLE
    root = make_project(tmp_path, data)
    with pytest.raises(TurtleSyntaxError) as caught:
        validate(settings=Settings(root=root))
    assert caught.value.path.name == "broken.ttl"
    assert caught.value.line == 4 and caught.value.column


def test_validate_library_reports_violations_with_their_source_file(tmp_path):
    data = conforming_data(every_case=False)
    data["papers/year.ttl"] = FIXTURES / "invalid" / "year-out-of-range.ttl"
    report = validate(settings=Settings(root=make_project(tmp_path, data)))
    assert not report.conforms
    years = [v for v in report.violations if v.rule == "shape:Facts-year"]
    assert {v.source_file for v in years} == {"data/ttl/papers/year.ttl"}
    assert {v.value for v in years} == {"1987"}


@needs_java
def test_the_ontology_is_consistent_with_no_unsatisfiable_classes():
    assert check_ontology(Settings(root=ROOT)) == []


@needs_java
def test_check_ontology_reports_an_unsatisfiable_class(tmp_path):
    root = make_project(tmp_path, {})
    (root / "ontology" / "broken-axioms.ttl").write_text(
        "@prefix dkg: <https://w3id.org/duality-kg/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "dkg:ImpossibleWork a owl:Class ; rdfs:subClassOf dkg:ResearchPaper, dkg:Benchmark .\n", encoding="utf-8")
    problems = check_ontology(Settings(root=root))
    assert any("unsatisfiable class" in p and "ImpossibleWork" in p for p in problems), problems


@needs_java
def test_check_ontology_reports_inconsistency(tmp_path):
    root = make_project(tmp_path, {})
    (root / "ontology" / "broken-axioms.ttl").write_text(
        "@prefix dkg: <https://w3id.org/duality-kg/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "dkg:both a owl:NamedIndividual, dkg:ResearchPaper, dkg:Benchmark .\n", encoding="utf-8")
    problems = check_ontology(Settings(root=root))
    assert len(problems) == 1 and "inconsistent" in problems[0], problems


def test_the_hand_written_sample_papers_conform():
    samples = ROOT / "tests" / "fixtures" / "sample-papers"
    assert len(list(samples.glob("*.ttl"))) >= 5
    report = validate(settings=Settings(root=ROOT), data_dir=samples)
    assert report.conforms, report.render()

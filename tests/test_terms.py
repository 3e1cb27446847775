"""Undeclared predicates and rdf:type classes in the data are errors that name the file and the line.

Cases live in tests/fixtures/terms/*.ttl; the first line of each says which term must be reported
and at which line (`# expect: undeclared-term on <term> at line <n>`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.datafiles import ProjectFiles, read_file, read_project
from kg.iri import GRAPH_ONTOLOGY
from kg.load import ontology_files
from kg.terms import undeclared_terms

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "fixtures" / "terms").glob("*.ttl"))
VOCAB = ROOT / "ontology" / "vocab"
_EXPECT = re.compile(r"^# expect: (?P<rule>\S+) on (?P<term>\S+) at line (?P<line>\d+)$")


def expectation(path: Path) -> tuple[str, str, int]:
    found = _EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert found, f"{path.name}: first line must be '# expect: undeclared-term on <term> at line <n>'"
    return found["rule"], found["term"], int(found["line"])


def check(path: Path):
    ontology = [read_file(p, graph=GRAPH_ONTOLOGY) for p in ontology_files(ROOT / "ontology")]
    return undeclared_terms(project=ProjectFiles(ontology=ontology, data=[read_file(path)]), vocab_dir=VOCAB, root=ROOT)


def test_there_are_cases():
    assert len(CASES) >= 3


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_undeclared_term_is_reported_with_file_and_line(path):
    rule, term, line = expectation(path)
    found = check(path)
    assert [(v.rule, v.focus_node, v.source_file, v.line) for v in found] == [
        (rule, term, str(path.relative_to(ROOT)), line)]
    assert term in found[0].message


def test_the_cases_differ_from_a_conforming_file_only_by_the_typo():
    """Without its typo each case has nothing undeclared, so the check fires on the typo alone."""
    conforming = ROOT / "tests" / "fixtures" / "shapes" / "valid" / "eureka-tables-and-shared-entities.ttl"
    assert check(conforming) == []


def test_the_project_data_declares_every_term():
    project = read_project(ontology_dir=ROOT / "ontology", data_dir=ROOT / "data" / "ttl")
    assert len(project.data) > 100
    assert undeclared_terms(project=project, vocab_dir=VOCAB, root=ROOT) == []

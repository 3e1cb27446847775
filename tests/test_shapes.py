"""Every SHACL shape and QC rule against conforming and violating fixture files.

Cases live in tests/fixtures/shapes/{valid,invalid}/*.ttl, each loaded with the real ontology and
tests/fixtures/shapes/sources.ttl. An invalid case's first line names the constraint it must break
(`# expect: <shape or qc file> [on <path>]`); an optional `# also:` line lists rules it is allowed
to trip on the way (e.g. removing a record also orphans the paper's facts). A valid case's first
line lists what it exercises (`# exercises: ...`). Every constraint-carrying shape and every QC
query must have at least one case of each kind (computed from the files).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from kg.datafiles import ProjectFiles, read_file
from kg.iri import GRAPH_ONTOLOGY
from kg.load import ontology_files
from kg.qc import qc_paths, run_qc
from kg.shapes import load_shapes, run_shapes
from kg.validation_report import ValidationReport

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SHAPES = ROOT / "ontology" / "shapes.ttl"
QC_DIR = ROOT / "queries" / "qc"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
_EXPECT = re.compile(r"^# expect: (?P<rule>\S+)(?: on (?P<path>\S+))?\s*$")


@lru_cache(maxsize=1)
def _ontology():
    return [read_file(p, graph=GRAPH_ONTOLOGY) for p in ontology_files(ROOT / "ontology")]


def validate_case(path: Path) -> ValidationReport:
    project = ProjectFiles(ontology=_ontology(), data=[read_file(FIXTURES / "sources.ttl"), read_file(path)])
    violations = run_shapes(project=project, shapes_path=SHAPES, root=ROOT)
    violations += run_qc(store=project.to_store(), qc_dir=QC_DIR, project=project, root=ROOT)
    return ValidationReport(violations=violations)


def header(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")]


def expectation(path: Path) -> tuple[str, str | None, set[str]]:
    lines = header(path)
    found = _EXPECT.match(lines[0]) if lines else None
    assert found, f"{path.name}: first line must be '# expect: <shape IRI or qc file> [on <path>]'"
    also = set(lines[1].removeprefix("# also:").split()) if len(lines) > 1 and lines[1].startswith("# also:") else set()
    return found["rule"], found["path"], also


def exercised(path: Path) -> set[str]:
    first = header(path)[0]
    assert first.startswith("# exercises:"), f"{path.name}: first line must be '# exercises: <shape or qc file> ...'"
    return set(first.removeprefix("# exercises:").split())


# Shape parameters that are not constraints: a node shape with only these just groups property shapes.
_NOT_CONSTRAINTS = {"targetClass", "targetObjectsOf", "targetSubjectsOf", "targetNode", "property", "name",
                    "message", "description", "severity", "deactivated", "declare"}


def constraint_shapes() -> set[str]:
    """The named shapes that carry constraints: every property shape, and node shapes with their own
    constraint (e.g. sh:or); node shapes that only group property shapes are covered through those."""
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH

    from kg.shapes import compact

    graph = load_shapes(SHAPES)
    found = {s for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        own = {str(p).removeprefix(str(SH)) for p in graph.predicates(shape) if str(p).startswith(str(SH))}
        if isinstance(shape, URIRef) and own - _NOT_CONSTRAINTS:
            found.add(shape)
    return {compact(str(s)) for s in found}


def qc_rules() -> set[str]:
    return {p.name for p in qc_paths(QC_DIR)}


def test_case_lists_are_not_empty():
    assert VALID and INVALID
    assert constraint_shapes() and qc_rules()


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case: Path):
    report = validate_case(case)
    assert report.conforms, report.render()


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_breaks_its_stated_constraint(case: Path):
    rule, path, also = expectation(case)
    report = validate_case(case)
    fired = [v for v in report.violations if v.rule == rule and (path is None or v.path == path)]
    assert fired, f"{case.name}: expected {rule}{' on ' + path if path else ''} to fire; got:\n{report.render()}"
    unexpected = report.rules_fired() - {rule} - also
    assert not unexpected, f"{case.name}: also fired {sorted(unexpected)}:\n{report.render()}"
    assert all(v.message for v in fired)


def test_every_shape_and_qc_rule_has_a_valid_and_an_invalid_case():
    known = constraint_shapes() | qc_rules()
    covered_valid = set().union(*(exercised(p) for p in VALID))
    covered_invalid = {expectation(p)[0] for p in INVALID}
    named_in_headers = covered_valid | covered_invalid | set().union(*(expectation(p)[2] for p in INVALID))
    assert not named_in_headers - known, f"fixture headers name unknown rules: {sorted(named_in_headers - known)}"
    assert not known - covered_valid, f"no conforming case exercises: {sorted(known - covered_valid)}"
    assert not known - covered_invalid, f"no violating case for: {sorted(known - covered_invalid)}"


def test_every_shape_has_a_name_and_an_actionable_message():
    from rdflib import URIRef
    from rdflib.namespace import SH

    from kg.shapes import SHAPES_NS

    graph = load_shapes(SHAPES)
    for name in constraint_shapes():
        shape = URIRef(SHAPES_NS + name.removeprefix("shape:"))
        assert graph.value(shape, SH.name), f"{name} has no sh:name"
        message = graph.value(shape, SH.message)
        assert message and len(str(message)) > 30, f"{name} has no actionable sh:message"

"""`kg validate`: SHACL shapes + QC queries over ontology and data, and a HermiT check of the ontology.

Exit codes: 0 the data conforms, 1 violations (a `FAIL <rule>: N violation(s)` line per rule, then
the violations grouped by file and focus node), 2 could not run (e.g. a Turtle file does not parse:
file, line and column; nothing is loaded then).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from kg.datafiles import ProjectFiles, read_project
from kg.errors import KgError
from kg.iri import GRAPH_ONTOLOGY
from kg.load import ontology_files, parse_turtle
from kg.qc import run_qc
from kg.settings import Settings
from kg.shapes import run_shapes
from kg.terms import undeclared_terms
from kg.validation_report import Severity, ValidationReport, Violation

__all__ = ["Severity", "Violation", "ValidationReport", "validate", "check_ontology", "ontology_violations"]

ONTOLOGY_RULE = "ontology-hermit"
_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"


def validate(*, settings: Settings, store: ox.Store | None = None, data_dir: Path | None = None,
             project: ProjectFiles | None = None) -> ValidationReport:
    """Check the data's terms are declared (kg.terms), then run the shapes and the QC queries.

    Without `data_dir` or `project`, the data is `data/ttl/` overlaid with the maintainers' edits
    (`kg.edits.project_files`), as the build loads it. The QC queries run on `store` when given (as loaded
    by `kg build`), else on an in-memory store of the same files. `project` lets a caller that has
    already parsed the files pass them in.
    Raises TurtleSyntaxError when a file does not parse (nothing is validated then), KgError when a
    pin of ontology/vocab/ is missing and QuerySyntaxError for a broken QC query.
    """
    if project is None and data_dir is None:
        # the files as the build loads them: data/ttl/ with data/edits/
        from kg.edits import project_files

        project = project_files(settings)
    elif project is None:
        project = read_project(ontology_dir=settings.ontology_dir, data_dir=data_dir)
    root = settings.root
    shapes_path = settings.ontology_dir / "shapes.ttl"
    violations = undeclared_terms(project=project, vocab_dir=settings.ontology_dir / "vocab",
                                  root=root)
    violations += run_shapes(project=project, shapes_path=shapes_path, root=root)
    violations += run_qc(store=store if store is not None else project.to_store(), qc_dir=settings.qc_dir,
                         project=project, root=root)
    return ValidationReport(violations=sorted(violations))


def _ontology_ntriples(paths: list[Path], target: Path) -> None:
    # owlready2 reads N-Triples, not Turtle. The files are merged into one ontology and owl:imports
    # between them dropped, so owlready2 never tries to fetch an import from the network.
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for path in paths for q in parse_turtle(path, graph=GRAPH_ONTOLOGY)
        if q.predicate.value != _OWL_IMPORTS
    ]
    ox.serialize(triples, output=str(target), format=ox.RdfFormat.N_TRIPLES)


def check_ontology(settings: Settings) -> list[str]:
    """Load ontology/*.ttl (not the shapes) in owlready2 and run HermiT.

    Returns the problems found: "inconsistent ..." or one "unsatisfiable class ..." per class; an
    empty list means consistent with no unsatisfiable classes.
    Raises TurtleSyntaxError if an ontology file does not parse, KgError if Java is missing.
    """
    import owlready2

    if shutil.which("java") is None:
        raise KgError("HermiT needs Java: install a Java runtime (e.g. apt-get install default-jre-headless)")
    paths = ontology_files(settings.ontology_dir)
    if not paths:
        return [f"no ontology files in {settings.ontology_dir}"]
    with tempfile.TemporaryDirectory(prefix="kg-ontology-") as tmp:
        merged = Path(tmp) / "ontology.nt"
        _ontology_ntriples(paths, merged)
        world = owlready2.World()
        ontology = world.get_ontology("https://w3id.org/duality-kg/ontology")
        with merged.open("rb") as ntriples:
            ontology.load(fileobj=ntriples, format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as err:
            return [f"the ontology is inconsistent (HermiT): {err}"]
        return [f"unsatisfiable class {cls.iri} (HermiT): no individual can be a member"
                for cls in world.inconsistent_classes() if cls is not owlready2.Nothing]


def ontology_violations(settings: Settings) -> list[Violation]:
    """The problems `check_ontology` finds, as violations of the rule `ontology-hermit`."""
    return [Violation(rule=ONTOLOGY_RULE, focus_node="ontology", message=problem,
                      source_file=str(settings.ontology_dir))
            for problem in check_ontology(settings)]

"""How long `kg validate` (shapes + QC queries) takes on a data set the size of the real one.

Builds a throw-away project with the real ontology, shapes and QC queries and N copies of the
EUREKA shape fixture (distinct IRIs, arXiv ids and reference numbers), then times the phases.
Usage: python bench/validate_bench.py [N=300]
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kg.datafiles import read_project
from kg.qc import run_qc
from kg.settings import Settings
from kg.shapes import run_shapes

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
TEMPLATE = (FIXTURES / "valid" / "eureka-tables-and-shared-entities.ttl").read_text(encoding="utf-8")


def paper_copy(i: int) -> str:
    arxiv = f"2401.{10000 + i}"
    text = TEMPLATE.replace("2310.12931", arxiv)
    text = re.sub(r"dkg:surveyReferenceNumber 8\b", f"dkg:surveyReferenceNumber {i % 199 + 1}", text)
    text = text.replace("References, [8]", f"References, [{i % 199 + 1}]")
    return text


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "ontology", root / "ontology", ignore=shutil.ignore_patterns("vocab"))
        shutil.copytree(ROOT / "queries" / "qc", root / "queries" / "qc")
        papers = root / "data" / "ttl" / "papers"
        papers.mkdir(parents=True)
        shutil.copy(FIXTURES / "sources.ttl", root / "data" / "ttl" / "sources.ttl")
        for i in range(n):
            (papers / f"p{i}.ttl").write_text(paper_copy(i), encoding="utf-8")
        settings = Settings(root=root)

        t0 = time.perf_counter()
        project = read_project(ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
        t1 = time.perf_counter()
        shacl = run_shapes(project=project, shapes_path=settings.ontology_dir / "shapes.ttl", root=root)
        t2 = time.perf_counter()
        store = project.to_store()
        qc = run_qc(store=store, qc_dir=settings.qc_dir, project=project, root=root)
        t3 = time.perf_counter()
        triples = sum(len(f.quads) for f in project.data)
        print(f"{n} papers, {triples} data triples")
        print(f"parse {t1 - t0:.2f} s | shapes {t2 - t1:.2f} s ({len(shacl)} results) | "
              f"QC {t3 - t2:.2f} s ({len(qc)} rows) | total {t3 - t0:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)

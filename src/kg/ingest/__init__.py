"""`kg import`: rebuild data/ttl/ from the source documents, deterministically.

One module per source (references, survey_tables, companion_list, spreadsheets, section9, related),
`resolve` for one-node-per-paper, `assemble` for the triples, `write` for the Turtle files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import SourceMissing
from kg.ingest.assemble import build_graph
from kg.ingest.resolve import write_report
from kg.ingest.write import write_tree

__all__ = ["ImportResult", "run_import"]


@dataclass(frozen=True)
class ImportResult:
    out_dir: Path
    report: Path
    files: int
    papers: int
    records: int
    triples: int
    unresolved: int


def run_import(*, sources_dir: Path, curated_dir: Path, out_dir: Path) -> ImportResult:
    """Regenerate `out_dir` (data/ttl) from `sources_dir`; the merge report goes to out_dir/../reports/merges.md.

    Raises SourceMissing when the sources folder or a source file is absent, InputError for malformed
    sources or curated rows. On error nothing is written.
    """
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise SourceMissing(f"sources folder {sources_dir} does not exist (set KG_SOURCES_DIR or pass --sources)")
    built = build_graph(sources_dir=sources_dir, curated_dir=Path(curated_dir))
    out_dir = Path(out_dir)
    write_tree(built.files, out_dir)
    report = out_dir.parent / "reports" / "merges.md"
    write_report(built.resolution, built.records, report, built.unresolved)
    return ImportResult(out_dir=out_dir, report=report, files=len(built.files),
                        papers=sum(1 for name in built.files if name.startswith("papers/")),
                        records=len(built.records), triples=sum(len(set(t)) for t, _ in built.files.values()),
                        unresolved=len(built.resolution.unresolved) + len(built.unresolved))

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
from kg.ingest.write import replace_tree, write_tree

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
    editions: int = 0
    """List editions and spreadsheet states written to the editions folder (0: no history in the sources)."""


def run_import(*, sources_dir: Path, curated_dir: Path, out_dir: Path, editions_dir: Path | None = None) -> ImportResult:
    """Regenerate `out_dir` (data/ttl) from `sources_dir`; the merge report goes to out_dir/../reports/merges.md.
    With `editions_dir`, also regenerate it with every edition of survey-repo/history/ (kg.edition_graph),
    when the sources hold that history.

    Raises SourceMissing when the sources folder or a source file is absent, InputError for malformed
    sources or curated rows, EditionError naming the file of an edition that does not parse. On error
    nothing is written.
    """
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise SourceMissing(f"sources folder {sources_dir} does not exist (set KG_SOURCES_DIR or pass --sources)")
    # imported here: kg.editions reads the editions with this package's scanner and resolver
    from kg.edition_graph import edition_files
    from kg.editions import HISTORY_DIR, read_history

    built = build_graph(sources_dir=sources_dir, curated_dir=Path(curated_dir))
    editions: dict[str, bytes] | None = None
    if editions_dir is not None and (sources_dir / HISTORY_DIR).is_dir():
        # read (and parse) every edition before anything is written
        history = read_history(sources_dir=sources_dir, curated_dir=Path(curated_dir), built=built)
        editions = edition_files(history)
    out_dir = Path(out_dir)
    write_tree(built.files, out_dir)
    if editions_dir is not None and editions is not None:
        replace_tree(dict(editions), Path(editions_dir))
    report = out_dir.parent / "reports" / "merges.md"
    write_report(built.resolution, built.records, report, built.unresolved)
    return ImportResult(out_dir=out_dir, report=report, files=len(built.files),
                        papers=sum(1 for name in built.files if name.startswith("papers/")),
                        records=len(built.records), triples=sum(len(set(t)) for t, _ in built.files.values()),
                        unresolved=len(built.resolution.unresolved) + len(built.unresolved),
                        editions=sum(1 for name in editions or {} if name.endswith(".ttl")))

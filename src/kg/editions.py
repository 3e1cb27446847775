"""Every edition of the companion list, dated, with one identity per work through its whole history.

The editions are the hand-edited versions of the list in `survey-repo/history/` (dated by MANIFEST.tsv)
and seed 000, the newest (named `seed`). Each is parsed by the importer's list scanner
(`kg.ingest.companion_list.scan_list`) and each item is named by the importer's matching rules, in the
importer's order: the same normalised title (or the title after its colon), then the same arXiv id, then
the same DOI, then a title similar to a survey reference's. A work in today's graph keeps the paper IRI
the graph gives it; a work listed only in earlier editions gets the IRI the importer would mint for it.

The spreadsheets have their own states (`history/sheets/<date>_<commit>/`); each list edition is paired
with the newest state not later than itself (seed 000 with the six files of `survey-repo/`).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import openpyxl

from kg.errors import EditionError, InputError, NotFound, SourceMissing
from kg.ingest.assemble import Built, build_graph
from kg.ingest.companion_list import ListEntry, ListItem, scan_list
from kg.ingest.records import normalise_title
from kg.ingest.resolve import SIMILAR_TITLE, Groups, title_after_colon, title_only_iri
from kg.ingest.sources import SHEET_FILES, SOURCE_FILES, source_path
from kg.ingest.spreadsheets import COLUMNS
from kg.iri import paper_iri

__all__ = ["EditionEntry", "Edition", "History", "SheetState", "read_history", "read_sheet_state",
           "HISTORY_DIR", "SEED"]

HISTORY_DIR = "survey-repo/history"
SEED = "seed"
"""The name of the newest edition, seed 000."""


@dataclass(frozen=True)
class EditionEntry:
    work: str
    """The work's paper IRI, the same in every edition that lists it."""
    headings: tuple[str, ...]
    title: str
    line: int
    link: str | None


@dataclass(frozen=True)
class Edition:
    name: str
    """`<date>_<commit7>` as the history's file names, or `seed`."""
    date: str | None
    """`2024-08-27T151613` (the commit's author date, local time); None for seed 000."""
    commit: str | None
    path: Path
    entries: tuple[EditionEntry, ...]
    headings: tuple[tuple[str, ...], ...]
    """Every heading path of the list, in order (also the sections that list nothing)."""
    sheets: Path | None
    """The folder of the spreadsheets in effect (None before the first state)."""

    @property
    def works(self) -> frozenset[str]:
        return frozenset(entry.work for entry in self.entries)

    @property
    def label(self) -> str:
        return SEED if self.commit is None else f"{self.date} ({self.commit[:7]})"


@dataclass(frozen=True)
class History:
    editions: tuple[Edition, ...]
    """Oldest first; seed 000 last."""
    titles: dict[str, str]
    """work IRI -> the title its newest edition gives it (else today's graph's title)."""
    in_graph: frozenset[str]
    """The works of today's graph (every other work was listed only in earlier editions)."""
    sheet_works: dict[str, str]
    """BibTeX key (a sheet row's Name) -> the work today's graph matches it to."""
    sheet_states: tuple[Path, ...] = ()
    """The folders of the spreadsheet states (`history/sheets/<date>_<commit7>/`), oldest first."""

    def find(self, ref: str) -> Edition:
        """The edition `ref` names: `seed`, a date or date prefix (the last edition of that day or minute),
        or a commit id (7+ hex digits). Raises NotFound naming what was asked and what exists."""
        text = ref.strip().lower()
        if text == SEED:
            return self.editions[-1]
        dated = [e for e in self.editions if e.date and e.commit]
        if re.match(r"^\d{4}-\d\d", text):  # a date (prefix) in the MANIFEST's spelling, colons optional
            wanted = text.replace(":", "").replace("-", "")
            found = [e for e in dated if str(e.date).replace("-", "").lower().startswith(wanted)]
        elif re.fullmatch(r"[0-9a-f]{7,40}", text):
            found = [e for e in dated if str(e.commit).startswith(text)]
            if len(found) > 1:
                raise NotFound(f"commit prefix {ref!r} is ambiguous: {', '.join(str(e.commit)[:10] for e in found)}")
        else:
            found = []
        if not found:
            raise NotFound(f"no edition {ref!r}: give `seed`, a date between {str(dated[0].date)[:10]} and "
                           f"{str(dated[-1].date)[:10]} (e.g. 2024-08-27), or a commit id of 7+ hex digits "
                           "(`kg changelog` lists them)")
        return found[-1]


@dataclass(frozen=True)
class SheetState:
    name: str
    rows: dict[str, dict[str, str]]
    """BibTeX key (the Name cell) -> canonical column -> cell text; empty cells are absent."""
    files: dict[str, str]
    """BibTeX key -> the file holding the row."""


def read_history(*, sources_dir: Path, curated_dir: Path, built: Built | None = None) -> History:
    """Every list edition of `sources_dir/survey-repo/history/` plus seed 000, with works matched across them.

    Raises SourceMissing when the history folder or MANIFEST.tsv is absent, EditionError naming the file
    when an edition cannot be read or parsed (then nothing is returned), InputError from the importer
    when today's sources do not import. `built`: today's import when the caller already ran it (`kg import`).
    """
    history = Path(sources_dir) / HISTORY_DIR
    manifest = history / "MANIFEST.tsv"
    if not manifest.is_file():
        raise SourceMissing(f"{manifest} is missing: the editions live in {history} (set KG_SOURCES_DIR)")
    readmes, sheet_states = _manifest(manifest, history)
    seed = source_path(Path(sources_dir), SOURCE_FILES["companion-list"])
    parsed: list[tuple[str, str | None, str | None, Path, list[ListItem], list[tuple[str, ...]]]] = []
    for date, commit, path in [*readmes, (None, None, seed)]:
        items, headings = _scan(path)
        name = SEED if commit is None else path.stem
        parsed.append((name, date, commit, path, items, headings))
    built = built or build_graph(sources_dir=Path(sources_dir), curated_dir=Path(curated_dir))
    work_of = _identify([item for *_, items, _ in parsed for item in items], built)
    editions = []
    for name, date, commit, path, items, headings in parsed:
        entries = tuple(EditionEntry(work=work_of[_item_key(item)], headings=item.headings, title=item.title,
                                     line=item.line, link=item.link) for item in items)
        editions.append(Edition(name=name, date=date, commit=commit, path=path, entries=entries,
                                headings=tuple(headings),
                                sheets=_sheets_at(date, sheet_states, Path(sources_dir))))
    titles = _graph_titles(built)
    titles.update({entry.work: entry.title for edition in editions for entry in edition.entries})
    in_graph = frozenset(built.resolution.paper_of.values())
    sheet_works = {str(value): built.resolution.paper_of[record.fragment] for record in built.records
                   if record.record_class == "dkg:SpreadsheetRow" and record.fragment in built.resolution.paper_of
                   for predicate, value in record.facts if str(predicate).endswith("bibtexKey")}
    return History(editions=tuple(editions), titles=titles, in_graph=in_graph, sheet_works=sheet_works,
                   sheet_states=tuple(folder for _, folder in sheet_states))


def _graph_titles(built: Built) -> dict[str, str]:
    """work IRI -> a title today's sources give it (a survey reference's first)."""
    titles: dict[str, str] = {}
    ranked = sorted(built.records, key=lambda r: (r.record_class != "dkg:ReferenceEntry", r.fragment))
    for record in ranked:
        work = built.resolution.paper_of.get(record.fragment)
        if work and record.keys.title:
            titles.setdefault(work, record.keys.title)
    return titles


def _manifest(manifest: Path, history: Path) -> tuple[list[tuple[str, str, Path]], list[tuple[str, Path]]]:
    """(date, commit, file) of every list edition and (date, folder) of every sheet state, oldest first."""
    readmes: dict[str, tuple[str, str, Path]] = {}
    states: dict[Path, str] = {}
    with manifest.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            try:
                date, commit, file = row["date"].strip(), row["commit"].strip(), row["file"].strip()
            except (KeyError, AttributeError):
                raise EditionError(manifest, f"{manifest} line {number}: expected the columns date, commit, "
                                   "path, blob, file") from None
            path = history / file
            if not path.is_file():
                raise EditionError(path, f"{path}: listed in {manifest} line {number} but missing")
            if file.startswith("readme/"):
                readmes[file] = (date, commit, path)
            elif file.startswith("sheets/"):
                states[path.parent] = date
    return (sorted(readmes.values(), key=lambda r: r[0]),
            sorted(((date, folder) for folder, date in states.items()), key=lambda s: s[0]))


def _scan(path: Path) -> tuple[list[ListItem], list[tuple[str, ...]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise EditionError(path, f"{path}: not UTF-8 text (byte {err.start}); is it a list edition?") from None
    if "\0" in text:
        raise EditionError(path, f"{path}: holds NUL bytes; it is not a Markdown list edition")
    try:
        return scan_list(text.splitlines(), where=str(path))
    except InputError as err:
        raise EditionError(path, str(err)) from None


def _sheets_at(date: str | None, states: list[tuple[str, Path]], sources_dir: Path) -> Path | None:
    if date is None:
        return (sources_dir / next(iter(SHEET_FILES.values()))).parent
    earlier = [folder for state_date, folder in states if state_date <= date]
    return earlier[-1] if earlier else None


def _item_key(item: ListItem) -> tuple[str, str | None, str | None]:
    entry = _as_entry(item)
    return normalise_title(item.title), entry.arxiv_id, entry.doi


def _as_entry(item: ListItem) -> ListEntry:
    return ListEntry(line=item.line, title=item.title, link=item.link or "", headings=item.headings, concepts=())


def _identify(items: list[ListItem], built: Built) -> dict[tuple[str, str | None, str | None], str]:
    """(normalised title, arXiv id, DOI) of every item -> the work's IRI."""
    contested = built.resolution.contested
    by_title: dict[str, str] = {}
    by_id: dict[str, str] = {}
    references: list[tuple[str, str]] = []
    for record in built.records:
        iri = built.resolution.paper_of.get(record.fragment)
        if not iri:
            continue
        paper_keys = record.keys
        if paper_keys.title:
            by_title.setdefault(normalise_title(paper_keys.title), iri)
            if record.record_class == "dkg:ReferenceEntry":
                references.append((normalise_title(paper_keys.title), iri))
        for kind, value in (("arxiv", paper_keys.arxiv_id), ("doi", paper_keys.doi)):
            if value and value.lower() not in contested:
                by_id.setdefault(f"{kind}:{value.lower()}", iri)

    distinct = sorted({_item_key(item): item for item in items}.items(), key=lambda kv: kv[1].line)
    titles = {key: item.title for key, item in distinct}
    graph_iri: dict[tuple, str | None] = {}
    for key, item in distinct:
        graph_iri[key] = _graph_match(key, item.title, by_title, by_id, references)

    # works no longer in today's graph: join the items of one work across editions by the same rules
    names = {key: str(index) for index, (key, _) in enumerate(distinct)}
    groups = Groups(list(names.values()))
    iri_of_root = {names[key]: graph_iri[key] for key, _ in distinct}
    holders: dict[str, list[tuple]] = defaultdict(list)
    for key, item in distinct:
        title, arxiv_id, doi = key
        holders["title:" + title].append(key)
        after_colon = title_after_colon(item.title)
        if after_colon:
            holders["title:" + after_colon].append(key)
        if arxiv_id:
            holders["arxiv:" + arxiv_id.lower()].append(key)
        if doi:
            holders["doi:" + doi.lower()].append(key)
    for _, keys in sorted(holders.items()):
        for other in keys[1:]:
            a, b = groups.find(names[keys[0]]), groups.find(names[other])
            iri_a, iri_b = iri_of_root.get(a), iri_of_root.get(b)
            if a == b or (iri_a and iri_b and iri_a != iri_b):
                continue  # two works of today's graph stay two, whatever an old link says
            groups.union(a, b)
            iri_of_root[groups.find(a)] = iri_a or iri_b
    members: dict[str, list[tuple]] = defaultdict(list)
    for key, _ in distinct:
        members[groups.find(names[key])].append(key)
    taken = set(by_title.values()) | set(by_id.values())
    result: dict[tuple, str] = {}
    for root, keys in members.items():
        iri = iri_of_root.get(root) or _mint(keys, titles, taken)
        taken.add(iri)
        for key in keys:
            result[key] = iri
    return result


def _graph_match(key: tuple, title: str, by_title: dict[str, str], by_id: dict[str, str],
                 references: list[tuple[str, str]]) -> str | None:
    normalised, arxiv_id, doi = key
    after_colon = title_after_colon(title)
    for candidate in (by_title.get(normalised), by_title.get(after_colon or ""),
                      by_id.get(f"arxiv:{(arxiv_id or '').lower()}"), by_id.get(f"doi:{(doi or '').lower()}")):
        if candidate:
            return candidate
    best = max(((SequenceMatcher(None, normalised, ref).ratio(), iri) for ref, iri in references), default=None)
    return best[1] if best and best[0] >= SIMILAR_TITLE else None


def _mint(keys: list[tuple], titles: dict[tuple, str], taken: set[str]) -> str:
    """The IRI the importer would mint for a list-only work: its arXiv id, else its DOI, else its title."""
    arxiv_ids = sorted({k[1] for k in keys if k[1]})
    dois = sorted({k[2].lower() for k in keys if k[2]})
    iri = (paper_iri(arxiv_id=arxiv_ids[0]) if arxiv_ids else paper_iri(doi=dois[0]) if dois
           else title_only_iri(titles[keys[0]]))
    suffix, unique = 2, iri
    while unique in taken:  # an old link shared with another work: keep the two apart
        unique, suffix = f"{iri}-{suffix}", suffix + 1
    return unique


def read_sheet_state(folder: Path) -> SheetState:
    """The rows of every spreadsheet in `folder`, keyed by their Name cell (the BibTeX key).

    Headers are matched as the importer matches them (`kg.ingest.spreadsheets.COLUMNS`); headers it does
    not know (older columns such as 'Model Used') keep their own text. Raises EditionError naming the file
    when a workbook cannot be opened or has no Name column.
    """
    rows: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.xlsx")):
        try:
            worksheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        except Exception as err:  # openpyxl raises zipfile, KeyError and its own errors for a broken file
            raise EditionError(path, f"{path}: not a readable .xlsx workbook ({type(err).__name__}: {err})") from None
        table = list(worksheet.iter_rows(values_only=True))
        if not table:
            continue
        header = [_column(value) for value in table[0]]
        if "Name" not in header:
            raise EditionError(path, f"{path}: no 'Name' column in the first row")
        for values in table[1:]:
            cells = {column: re.sub(r"\s+", " ", str(value)).strip() for column, value in zip(header, values)
                     if column and value is not None and str(value).strip()}
            if "Name" not in cells:
                continue
            key = cells["Name"] if cells["Name"] not in rows else f"{cells['Name']} ({path.name})"
            rows[key] = cells
            files[key] = path.name
    return SheetState(name=Path(folder).name, rows=rows, files=files)


def _column(header: object) -> str | None:
    if header is None or not str(header).strip():
        return None
    normalised = re.sub(r"\s+", " ", str(header)).strip()
    return COLUMNS.get(normalised.lower(), normalised)

"""`kg add`: new works from bibliographic files, deduplicated against the graph and within the batch,
written to the edits layer (kg.edits) in one all-or-nothing build.

Each entry is matched, in this order, by arXiv id (any version, abs/pdf URL, `10.48550/arXiv.X` DOI), by
DOI (any URL form, any case), then by normalised title (difflib ratio >= TITLE_THRESHOLD, the score is
reported; two works whose arXiv ids or DOIs differ never match by title). Entries that match each other
(a preprint and its published version) become one work. An entry that matches a work of the graph is
*merged* into it when it brings something the work lacks (a DOI, a venue, a code link, a listing in the
companion list; a candidate paper is promoted to a listed work), else it is a *duplicate* and nothing is
written for it. Everything else is *added*: `paper_iri` names it, it is listed (`dkg:inCompanionList
true`) and never `dkg:inSurvey true`. Each entry becomes a record `<work#added-...>` derived from a
source node for its input (`<work#input-<sha256 prefix>>`: name, SHA-256, date) with the entry as locator.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.bibformats import Entry, InputDocument, check_entry, parse_document
from kg.datafiles import ProjectFiles, value_of
from kg.edits import PaperEdit, description, write_batch
from kg.errors import InputError
from kg.iri import DCTERMS, DKG, FABIO, PAPER, PREFIXES, PROV, SCHEMA, normalise_arxiv_id, paper_iri, slug
from kg.settings import Settings

__all__ = ["TITLE_THRESHOLD", "MEDIA_TYPES", "Outcome", "add", "arxiv_entry", "body_entries", "norm_title",
           "plan", "read_files"]

TITLE_THRESHOLD = 0.9
"""Titles at least this similar (difflib ratio of the normalised titles) are one work."""
MEDIA_TYPES = {"application/x-bibtex": "bibtex", "text/x-bibtex": "bibtex", "application/x-research-info-systems":
               "ris", "application/vnd.citationstyles.csl+json": "csl-json", "application/json": "auto",
               "application/atom+xml": "arxiv-atom"}
"""Content-Type of a POST /papers body -> its format ('auto': the JSON's shape decides)."""

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD = PREFIXES["xsd"]
_WORK_TYPES = {DKG + "ResearchPaper", DKG + "Survey", DKG + "CandidatePaper"}
_CANDIDATE = ox.NamedNode(DKG + "CandidatePaper")
_TRUE = ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))


def _p(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


TITLE, VARIANT, AUTHORS, YEAR, VENUE = (_p(DCTERMS + "title"), _p(DKG + "titleVariant"), _p(DKG + "authorsAsGiven"),
                                        _p(FABIO + "hasPublicationYear"), _p(DKG + "venueAsGiven"))
DOI, ARXIV, URL, CODE, ABSTRACT = (_p(DKG + "doi"), _p(FABIO + "hasArXivId"), _p(SCHEMA + "url"),
                                   _p(SCHEMA + "codeRepository"), _p(DCTERMS + "abstract"))
LISTED, HAS_RECORD, RECORD_OF = _p(DKG + "inCompanionList"), _p(DKG + "hasRecord"), _p(DKG + "recordOf")
_SINGLE = (AUTHORS, YEAR, ARXIV, URL, ABSTRACT, LISTED)
"""Facts a work carries once: a merged entry adds them only where the work has none."""


@dataclass
class Outcome:
    status: str
    """'added', 'merged' or 'duplicate'."""
    paper: str
    title: str
    entries: list[str] = field(default_factory=list)
    """Where each entry of this work is (file: entry)."""
    reasons: list[str] = field(default_factory=list)
    """Why entries were merged or recognised as duplicates (the matching key, or the title score)."""

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "paper": self.paper, "title": self.title, "entries": self.entries,
                "reasons": self.reasons}


# ---------------------------------------------------------------- reading the input


def read_files(paths: Iterable[Path], *, fmt: str = "auto") -> list[Entry]:
    """The checked entries of every file, all read before anything is decided. Raises InputError naming
    the file (and entry) for the first that cannot be used."""
    entries: list[Entry] = []
    for path in paths:
        try:
            content = Path(path).read_bytes()
        except OSError as err:
            raise InputError(f"{path}: cannot read the file ({err.strerror})") from None
        document = InputDocument.of(Path(path).name, content, "bibliographic file")
        entries += parse_document(_text(content, document.name), document=document, fmt=fmt)
    return entries


def body_entries(body: bytes, *, media_type: str) -> list[Entry]:
    """The checked entries of a POST /papers body. Raises InputError (unknown media type: `.status` 415)."""
    fmt = MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise InputError(f"send the papers as one of {', '.join(sorted(MEDIA_TYPES))}; got {media_type or 'none'}")
    document = InputDocument.of("request body", body, f"POST /papers body ({media_type})")
    return parse_document(_text(body, document.name), document=document, fmt=fmt)


def arxiv_entry(*, arxiv_id: str, title: str, authors: list[str], year: str | None) -> Entry:
    """The entry `kg add --arxiv ID --title T [--author A ...] [--year Y]` describes."""
    text = "\n".join([f"arxiv={arxiv_id}", f"title={title}", *(f"author={a}" for a in authors), f"year={year or ''}"])
    document = InputDocument.of("command line", text.encode(), "command line of kg add")
    entry = Entry(document=document, locator=f"--arxiv {arxiv_id}", title=title.strip(), authors=list(authors),
                  year=year, raw_arxiv=arxiv_id)
    check_entry(entry)
    entry.url = f"https://arxiv.org/abs/{entry.arxiv_id}"
    return entry


def _text(content: bytes, name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8 text (byte {err.start})") from None


# ---------------------------------------------------------------- matching


def norm_title(title: str) -> str:
    """Lower-case ASCII words, punctuation and LaTeX braces dropped: what two spellings of a title share."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


@dataclass
class _Work:
    """What matching needs of one work: of the graph (`existing`) or new in this batch."""
    iri: str | None
    titles: set[str] = field(default_factory=set)
    arxiv: set[str] = field(default_factory=set)
    dois: set[str] = field(default_factory=set)
    entries: list[Entry] = field(default_factory=list)
    existing: bool = False
    reasons: list[str] = field(default_factory=list)

    def take(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.titles.add(norm_title(entry.title))
        self.arxiv |= {entry.arxiv_id} if entry.arxiv_id else set()
        self.dois |= {entry.doi.lower()} if entry.doi and "arxiv" not in entry.doi.lower() else set()


def _graph_works(files: ProjectFiles) -> dict[str, _Work]:
    works: dict[str, _Work] = {}
    typed = {value_of(q.subject) for q in files.quads()
             if q.predicate == _RDF_TYPE and value_of(q.object) in _WORK_TYPES and isinstance(q.subject, ox.NamedNode)}
    for quad in files.quads():
        subject = value_of(quad.subject)
        if subject not in typed:
            continue
        work = works.setdefault(subject, _Work(iri=subject, existing=True))
        value = value_of(quad.object)
        if quad.predicate in (TITLE, VARIANT):
            work.titles.add(norm_title(value))
        elif quad.predicate == ARXIV:
            work.arxiv.add(value)
        elif quad.predicate == DOI:
            found = normalise_arxiv_id(value) if "arxiv" in value.lower() else None
            (work.arxiv.add(found) if found else work.dois.add(value.lower()))
        elif quad.predicate == URL and "arxiv.org/" in value:
            work.arxiv |= {normalise_arxiv_id(value)} - {None}  # type: ignore[arg-type]
    return works


def _match(entry: Entry, works: Iterable[_Work]) -> tuple[_Work, str] | None:
    """The work `entry` is (by arXiv id, DOI or title), and why."""
    works = list(works)
    doi = entry.doi.lower() if entry.doi and "arxiv" not in entry.doi.lower() else None
    for work in works:
        if entry.arxiv_id and entry.arxiv_id in work.arxiv:
            given = f" (given as {entry.raw_arxiv})" if entry.raw_arxiv and entry.raw_arxiv != entry.arxiv_id else ""
            return work, f"same arXiv id {entry.arxiv_id}{given}"
    for work in works:
        if doi and doi in work.dois:
            return work, f"same DOI {entry.doi}"
    title = norm_title(entry.title)
    best: tuple[float, _Work] | None = None
    for work in works:
        if (entry.arxiv_id and work.arxiv and entry.arxiv_id not in work.arxiv) or (doi and work.dois and doi not in work.dois):
            continue  # different identifiers: different works, however alike the titles
        for known in work.titles:
            matcher = difflib.SequenceMatcher(None, title, known, autojunk=False)
            if matcher.real_quick_ratio() >= TITLE_THRESHOLD and matcher.quick_ratio() >= TITLE_THRESHOLD:
                score = matcher.ratio()
                if score >= TITLE_THRESHOLD and (best is None or score > best[0]):
                    best = (score, work)
    if best is not None:
        return best[1], f"title matches (score {best[0]:.2f})"
    return None


# ---------------------------------------------------------------- what to write


def _entry_facts(entry: Entry) -> list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]:
    facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [(TITLE, ox.Literal(entry.title))]
    if entry.authors:
        facts.append((AUTHORS, ox.Literal("; ".join(entry.authors))))
    if entry.year:
        facts.append((YEAR, ox.Literal(entry.year, datatype=ox.NamedNode(_XSD + "gYear"))))
    if entry.venue:
        facts.append((VENUE, ox.Literal(entry.venue)))
    if entry.doi:
        facts.append((DOI, ox.Literal(entry.doi)))
    if entry.arxiv_id:
        facts.append((ARXIV, ox.Literal(entry.arxiv_id)))
    for predicate, url in ((URL, entry.url), (CODE, entry.code_url)):
        if url:
            facts.append((predicate, ox.NamedNode(url)))
    if entry.abstract and entry.abstract_licence:
        facts.append((ABSTRACT, ox.Literal(entry.abstract)))
    facts.append((LISTED, _TRUE))
    return facts


def _record(paper: ox.NamedNode, entry: Entry, stamp: str) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The entry's record and the source node of its input document."""
    doc = entry.document
    source = ox.NamedNode(f"{paper.value}#input-{doc.sha256[:12]}")
    record = ox.NamedNode(f"{paper.value}#added-{doc.sha256[:8]}-{slug(entry.locator)[:60].strip('-.')}")
    triples = [
        ox.Triple(source, _RDF_TYPE, _p(DKG + "SourceDocument")),
        ox.Triple(source, TITLE, ox.Literal(f"{doc.kind} {doc.name}, read by kg add")),
        # the shapes allow no spaces in a file name ("request body", "my papers.bib")
        ox.Triple(source, _p(DKG + "fileName"), ox.Literal(re.sub(r"\s+", "_", doc.name))),
        ox.Triple(source, _p(DKG + "sha256"), ox.Literal(doc.sha256)),
        ox.Triple(source, _p(DCTERMS + "date"), ox.Literal(stamp, datatype=ox.NamedNode(_XSD + "dateTime"))),
        ox.Triple(record, _RDF_TYPE, _p(DKG + "AddedRecord")),
        ox.Triple(record, RECORD_OF, paper),
        ox.Triple(record, _p(PROV + "wasDerivedFrom"), source),
        ox.Triple(record, _p(DKG + "locator"), ox.Literal(entry.locator)),
    ]
    triples += [ox.Triple(record, predicate, value) for predicate, value in _entry_facts(entry)]
    if entry.abstract and entry.abstract_licence:
        # the abstract is kept because its record's licence allows it; say which
        triples.append(ox.Triple(record, _p(DCTERMS + "license"), ox.NamedNode(entry.abstract_licence)))
    return record, triples


def _work_facts(old: list[ox.Triple], paper: ox.NamedNode, entries: list[Entry]) -> list[ox.Triple]:
    """The facts the entries add to the work: single-valued ones only where it has none yet, titles
    other than the work's as variants."""

    def same(predicate: ox.NamedNode, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> tuple[ox.NamedNode, str]:
        """Spellings that say the same: titles by their normalised words, DOIs in any case."""
        value = value_of(term)
        if predicate in (TITLE, VARIANT):
            return TITLE, norm_title(value)
        return predicate, value.lower() if predicate == DOI else value

    mine = [(t.predicate, t.object) for t in old if t.subject == paper]
    have = {same(p, v) for p, v in mine}
    predicates = {p for p, _ in mine}
    added: list[ox.Triple] = []
    for entry in entries:
        for predicate, value in _entry_facts(entry):
            if same(predicate, value) in have or (predicate in _SINGLE and predicate in predicates):
                continue
            if predicate == TITLE and TITLE in predicates:
                predicate = VARIANT
            have.add(same(predicate, value))
            predicates.add(predicate)
            added.append(ox.Triple(paper, predicate, value))
    return added


def plan(files: ProjectFiles, entries: list[Entry], *, stamp: str | None = None) -> tuple[list[Outcome], list[PaperEdit]]:
    """What adding `entries` to the project's `files` does: the outcome per work and the edits to write.
    Raises InputError when a new work's IRI is taken by a work that does not match it."""
    stamp = stamp or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    graph = _graph_works(files)
    touched: list[_Work] = []
    for entry in entries:
        found = _match(entry, [*touched, *graph.values()])
        work = found[0] if found else _Work(iri=None)
        if found:
            work.reasons.append(f"{entry.where}: {found[1]}")
        if work not in touched:
            touched.append(work)
        work.take(entry)
    outcomes, edits = [], []
    quads = list(files.quads())
    for work in touched:
        first = work.entries[0]
        if work.iri:
            iri = work.iri
        elif first.authors or work.arxiv or work.dois:
            iri = paper_iri(arxiv_id=min(work.arxiv, default=None), doi=min(work.dois, default=None),
                            first_author=first.authors[0] if first.authors else None, year=first.year,
                            title=first.title)
        else:
            raise InputError(f"{first.where}: a new work needs an arXiv id, a DOI or an author to be named")
        paper = ox.NamedNode(iri)
        old = [q.triple for q in description(quads, paper)] if work.existing else []
        if not work.existing and iri in graph:
            raise InputError(f"{first.where}: its IRI {iri} is taken by another work, which it does not match "
                             "by id or title; check the entry")
        graph.setdefault(iri, work)
        new = _work_facts(old, paper, work.entries)
        promote = any(t.subject == paper and t.predicate == _RDF_TYPE and t.object == _CANDIDATE for t in old)
        title = next((value_of(t.object) for t in [*old, *new] if t.subject == paper and t.predicate == TITLE), first.title)
        where = [e.where for e in work.entries]
        if work.existing and all(t.predicate == VARIANT for t in new) and not promote:  # a spelling is not news
            outcomes.append(Outcome("duplicate", iri, title, where, work.reasons))
            continue
        triples = [t for t in old if not (promote and t.predicate == _RDF_TYPE and t.object == _CANDIDATE)]
        if not work.existing:
            triples.append(ox.Triple(paper, _RDF_TYPE, _p(DKG + "ResearchPaper")))
        if promote and not any(t.predicate == _RDF_TYPE and t.subject == paper for t in triples):
            triples.append(ox.Triple(paper, _RDF_TYPE, _p(DKG + "ResearchPaper")))
        triples += new
        for entry in work.entries:
            record, record_triples = _record(paper, entry, stamp)
            triples += [ox.Triple(paper, HAS_RECORD, record), *record_triples]
        edits.append(PaperEdit(paper_id=iri.removeprefix(PAPER), triples=list(dict.fromkeys(triples))))
        outcomes.append(Outcome("merged" if work.existing else "added", iri, title, where,
                                work.reasons + (["a candidate paper, now listed"] if promote else [])))
    return outcomes, edits


def add(settings: Settings, entries: list[Entry], *, by: str, dry_run: bool = False,
        log: Callable[[str], None] | None = None) -> list[Outcome]:
    """Add `entries` (already read and checked) to the edits layer in one build, or only say what would be
    done (`dry_run`). Raises InputError, ValidationFailed, InconsistentOntology, StoreBusy; nothing is
    written when it raises."""
    from kg.edits import project_files

    if dry_run:
        return plan(project_files(settings), entries)[0]
    outcomes: list[Outcome] = []

    def compose(files: ProjectFiles) -> list[PaperEdit]:
        found, edits = plan(files, entries)
        outcomes[:] = found
        return edits

    write_batch(settings, compose=compose, method="kg add", by=by, log=log)
    return outcomes


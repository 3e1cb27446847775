"""Seed 000, the companion paper list: one ListEntry per `- Title [[paper]](link)` line.

Every heading above an entry that names a taxonomy concept becomes a dkg:inCategory fact
(docs/model.md, "Companion-list headings -> concepts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Literal, URIRef

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, Triple, integer, iri, text, title_key, unique_keys
from kg.ingest.sources import read_lines
from kg.iri import PAPER, normalise_arxiv_id, normalise_doi, paper_iri

__all__ = ["ListEntry", "ListItem", "ListCitation", "ListHeading", "scan_list", "parse_list", "list_records",
           "parse_headings", "heading_triples", "parse_citation", "HEADING_CONCEPTS"]

# (parent heading, heading) -> concept local name; parent None = any parent
HEADING_CONCEPTS: dict[tuple[str | None, str], str] = {
    (None, "Generative Tools for RL"): "generative-tools-for-rl",
    (None, "RL for Generative Policies"): "rl-for-generative-policies",
    (None, "Base Model"): "base-model",
    (None, "Modality"): "modality",
    (None, "Task"): "rl-task",
    (None, "RL Pre-Training"): "rl-pretraining",
    (None, "Generative Policy RL Fine-Tuning"): "rl-finetuning",
    (None, "Policy Distillation"): "policy-distillation",
    (None, "Policy Safety (new!)"): "policy-safety",
    ("Base Model", "1.Large Language Models"): "llm",
    ("Base Model", "2.Vision Language Models"): "vlm",
    ("Base Model", "3.Diffusion models"): "diffusion-model",
    ("Base Model", "4.World Models and Video Prediction Models"): "world-and-video-prediction-models",
    ("Task", "Reward Signal"): "reward-signal",
    ("Task", "State Representation"): "state-representation",
    ("Task", "Planning & Exploration"): "planning-exploration",
    ("Reward Signal", "1.Learning reward functions with LLMs"): "reward-llm",
    ("Reward Signal", "2.VLMs for reward learning"): "reward-vlm",
    ("Reward Signal", "3.Reward learning with diffusion models"): "reward-diffusion",
    ("Reward Signal", "4.Learning rewards from video prediction"): "reward-video-prediction",
    ("State Representation", "1.Learning representations from videos"): "state-from-videos",
    ("State Representation", "2.Foundation world models for model-based RL"): "state-foundation-world-models",
    ("Planning & Exploration", "1.LLMs for exploration"): "exploration-llm",
    ("Planning & Exploration", "2.VLMs for exploration"): "exploration-vlm",
    ("Planning & Exploration", "3.LLMs for planning"): "planning-llm",
    ("Planning & Exploration", "4.Diffusion models for planning and exploration"): "planning-diffusion",
    ("RL Pre-Training", "1.Transformer Policy"): "pretraining-transformer-policy",
    ("RL Pre-Training", "2.Diffusion Policy"): "pretraining-diffusion-policy",
}

# up to three spaces before a heading (CommonMark): the 2024 editions indent their `###` headings by one
_HEADING = re.compile(r"^ {0,3}(#{2,6})\s*(.+?)\s*$")
# `[[paper]](link)`; one hand-edited edition (2024-08-27) also wrote `[[paper](link)` and `[link](link)`
_ITEM = re.compile(r"^\s*-\s+(.+?)\s*\[\[?(?:paper|link)\]\]?\((.+)\)\s*$")
# the first editions (August 2024) listed bare titles, before any link was added
_BARE_ITEM = re.compile(r"^\s*-\s+(\S.*?)\s*$")
# where the list starts: today's top section, or the numbered chapters of the editions before June 2025
_FIRST_SECTION = re.compile(r"^(Generative Tools for RL|\d+\.\s*\S.*)$")


@dataclass(frozen=True)
class ListEntry:
    line: int
    """Where the entry is (for messages); not part of its key."""
    title: str
    link: str
    headings: tuple[str, ...]
    concepts: tuple[str, ...]
    key: str = ""
    """The record key: `list-` + arXiv id, else DOI, else title words (+ heading concept where shared)."""
    position: int = 0
    """1-based place among the entries under the same heading: a per-edition fact, not part of the key,
    written beside the outline (`heading_triples`), not on the record, so an insertion moves no other file."""

    @property
    def arxiv_id(self) -> str | None:
        return normalise_arxiv_id(self.link) if "arxiv" in self.link.lower() else None

    @property
    def doi(self) -> str | None:
        """The DOI of the link, unless the link is an arXiv one (arXiv DOIs name the arXiv id)."""
        doi = normalise_doi(self.link)
        return None if self.arxiv_id or (doi and "arxiv" in doi.lower()) else doi

    @property
    def identity(self) -> str:
        if self.arxiv_id or self.doi:
            return paper_iri(arxiv_id=self.arxiv_id, doi=self.doi).removeprefix(PAPER)
        return "title-" + title_key(self.title)


@dataclass(frozen=True)
class ListItem:
    """One list item as an edition of the list gives it; `link` is None for a bare title."""

    line: int
    title: str
    link: str | None
    headings: tuple[str, ...]


def scan_list(lines: list[str], *, where: str) -> tuple[list[ListItem], list[tuple[str, ...]]]:
    """The items and the heading paths (in order) of any edition of the list.

    The list runs from its first section ('## Generative Tools for RL', or '## 1. ...' in the editions
    before June 2025) up to '## Citation'; a file without such a section (the first commits) lists nothing.
    Raises InputError naming `where` and the line for a linked item that is not `- Title [[paper]](link)`.

    >>> items, headings = scan_list(["# Title", "## 1. LLMs", " ### 1.1 Reward", "  - Eureka: reward design",
    ...                              "- GAIL [[paper]](https://arxiv.org/abs/1606.03476)", "## Citation"], where="x")
    >>> [(item.title, item.link, item.headings) for item in items]
    [('Eureka: reward design', None, ('1. LLMs', '1.1 Reward')), ('GAIL', 'https://arxiv.org/abs/1606.03476', ('1. LLMs', '1.1 Reward'))]
    >>> headings
    [('1. LLMs',), ('1. LLMs', '1.1 Reward')]
    """
    stack: list[tuple[int, str]] = []
    items: list[ListItem] = []
    paths: list[tuple[str, ...]] = []
    started = False
    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            level, name = len(heading.group(1)), heading.group(2)
            if level == 2 and _FIRST_SECTION.match(name):
                started = True
            if name == "Citation":
                break
            stack = [(lv, n) for lv, n in stack if lv < level] + [(level, name)]
            if started:
                paths.append(tuple(n for _, n in stack))
            continue
        if not started:
            continue
        item, bare = _ITEM.match(line), _BARE_ITEM.match(line)
        if item:
            items.append(ListItem(number, item.group(1).strip(), item.group(2).strip(), tuple(n for _, n in stack)))
        elif bare and ("[[paper]" in line or "](http" in line):
            raise InputError(f"{where} line {number}: a linked item must read '- Title [[paper]](link)', "
                             f"got {line.strip()!r}")
        elif bare:
            items.append(ListItem(number, bare.group(1), None, tuple(n for _, n in stack)))
    return items, paths


def parse_list(sources_dir: Path) -> list[ListEntry]:
    """The list entries from '## Generative Tools for RL' up to '## Citation'.

    Raises InputError (line) for an entry under a heading that maps to no taxonomy concept.
    """
    items, _ = scan_list(read_lines(sources_dir, "companion-list"), where="seed 000")
    entries: list[ListEntry] = []
    for item in items:
        if item.link is None:
            continue
        names, number = item.headings, item.line
        concepts = []
        for index, name in enumerate(names):
            parent = names[index - 1] if index else None
            concept = HEADING_CONCEPTS.get((parent, name)) or HEADING_CONCEPTS.get((None, name))
            if concept:
                concepts.append(concept)
        if not concepts or concepts[-1] != HEADING_CONCEPTS.get((names[-2] if len(names) > 1 else None, names[-1]),
                                                                 HEADING_CONCEPTS.get((None, names[-1]))):
            raise InputError(f"seed 000 line {number}: heading {' > '.join(names)!r} maps to no taxonomy concept")
        entries.append(ListEntry(line=number, title=item.title, link=item.link,
                                 headings=names, concepts=tuple(concepts)))
    if not entries:
        raise InputError("seed 000: no list entries found under '## Generative Tools for RL'")
    keys = unique_keys([e.identity for e in entries], [e.concepts[-1] for e in entries])
    placed: dict[tuple[str, ...], int] = {}
    keyed = []
    for entry, key in zip(entries, keys):
        placed[entry.headings] = placed.get(entry.headings, 0) + 1
        keyed.append(replace(entry, key="list-" + key, position=placed[entry.headings]))
    return keyed


def list_records(entries: list[ListEntry]) -> list[SourceRecord]:
    """One dkg:ListEntry record per entry: title as listed, link, every heading concept.

    The locator is the heading path (the record carries the title): a line number there would change the
    files of every work listed below an inserted line.
    """
    records = []
    for entry in entries:
        doi = normalise_doi(entry.link)
        arxiv = entry.arxiv_id
        if arxiv:
            doi = doi if doi and "arxiv" in doi.lower() else None
        keys = PaperKeys(arxiv_id=arxiv, doi=doi if not arxiv else None, title=entry.title)
        record = SourceRecord(fragment=entry.key, record_class="dkg:ListEntry", source="companion-list",
                              locator=f"\"{' > '.join(entry.headings)}\"", keys=keys)
        record.fact("schema:url", iri(entry.link.replace(" ", "%20")))
        for concept in entry.concepts:
            record.fact("dkg:inCategory", iri("cat:" + concept))
        if arxiv:
            record.fact("fabio:hasArXivId", text(arxiv))
        if doi:
            record.fact("dkg:doi", text(doi))
        records.append(record)
    return records


@dataclass(frozen=True)
class ListHeading:
    """One heading of the list as written: its level (number of `#`), text and place among the headings."""

    level: int
    text: str
    path: tuple[str, ...]
    concept: str
    position: int


def parse_headings(sources_dir: Path) -> list[ListHeading]:
    """The list's headings from '## Generative Tools for RL' up to '## Citation', in document order.

    Raises InputError naming the heading for one that maps to no taxonomy concept.
    """
    lines = read_lines(sources_dir, "companion-list")
    _, paths = scan_list(lines, where="seed 000")
    written = [(len(m.group(1)), m.group(2)) for m in map(_HEADING.match, lines) if m]
    # scan_list's paths are the headings from the first section on, one per heading line
    first = written.index((2, paths[0][0])) if paths else 0
    headings = []
    for position, (path, (level, name)) in enumerate(zip(paths, written[first:]), start=1):
        parent = path[-2] if len(path) > 1 else None
        concept = HEADING_CONCEPTS.get((parent, name)) or HEADING_CONCEPTS.get((None, name))
        if concept is None:
            raise InputError(f"seed 000: heading {' > '.join(path)!r} maps to no taxonomy concept")
        headings.append(ListHeading(level=level, text=name, path=path, concept=concept, position=position))
    return headings


def heading_triples(headings: list[ListHeading], entries: list[ListEntry],
                    record_of: dict[str, URIRef]) -> list[Triple]:
    """The list's outline for `kg render list` (data/ttl/layouts.ttl): one dkg:ListHeading node per heading
    (`src:companion-list#heading-<concept>`: concept, text as written, level, place), and one dkg:LayoutSlot
    per entry (`src:companion-list#<record key>`: its heading, its record, its place under the heading).

    The places live here rather than on the records so that inserting an entry changes this file and the
    files of its own work only. `record_of` maps a record key to the record's IRI.
    """
    document = str(iri("src:companion-list"))
    triples: list[Triple] = []
    for heading in headings:
        node = URIRef(f"{document}#heading-{heading.concept}")
        triples += [(node, iri("rdf:type"), iri("dkg:ListHeading")),
                    (node, iri("dkg:headingOf"), iri("cat:" + heading.concept)),
                    (node, iri("dkg:headingText"), Literal(heading.text)),
                    (node, iri("dkg:headingLevel"), integer(heading.level)),
                    (node, iri("dkg:listPosition"), integer(heading.position)),
                    (node, iri("prov:wasDerivedFrom"), iri("src:companion-list")),
                    (node, iri("dkg:locator"), Literal(f"\"{' > '.join(heading.path)}\""))]
    for entry in entries:
        slot = URIRef(f"{document}#{entry.key}")
        triples += [(slot, iri("rdf:type"), iri("dkg:LayoutSlot")),
                    (slot, iri("dkg:slotOf"), URIRef(f"{document}#heading-{entry.concepts[-1]}")),
                    (slot, iri("dkg:slotRecord"), record_of[entry.key]),
                    (slot, iri("dkg:listPosition"), integer(entry.position)),
                    (slot, iri("prov:wasDerivedFrom"), iri("src:companion-list"))]
    return triples


@dataclass(frozen=True)
class ListCitation:
    """The BibTeX entry under the list's '## Citation' heading: the paper the repository asks to cite."""

    key: str
    fields: dict[str, str]
    journal_line: str
    """The `journal={...}` line as written: the record's locator quotes it (content, not a line number)."""

    @property
    def arxiv_id(self) -> str | None:
        return normalise_arxiv_id(self.fields.get("journal", ""))


_BIBTEX_START = re.compile(r"^@\w+\{([^,\s]+),\s*$")
_BIBTEX_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$")


def parse_citation(sources_dir: Path) -> ListCitation:
    """The one BibTeX entry after '## Citation'.

    Raises InputError (line) when the heading, the entry, or its title, author, journal or year is missing.
    """
    lines = read_lines(sources_dir, "companion-list")
    heading = next((n for n, line in enumerate(lines) if line.strip() == "## Citation"), None)
    if heading is None:
        raise InputError("seed 000: no '## Citation' heading")
    start = next((n for n in range(heading, len(lines)) if _BIBTEX_START.match(lines[n])), None)
    if start is None:
        raise InputError(f"seed 000 line {heading + 1}: no BibTeX entry under '## Citation'")
    fields: dict[str, str] = {}
    journal_line = ""
    for line in lines[start + 1:]:
        if line.strip() == "}":
            break
        found = _BIBTEX_FIELD.match(line)
        if found:
            fields[found.group(1).lower()] = found.group(2).strip()
            if found.group(1).lower() == "journal":
                journal_line = line.strip().rstrip(",")
    missing = [f for f in ("title", "author", "journal", "year") if f not in fields]
    if missing:
        raise InputError(f"seed 000 line {start + 1}: the citation's BibTeX entry has no {', '.join(missing)}")
    return ListCitation(key=_BIBTEX_START.match(lines[start]).group(1), fields=fields,  # type: ignore[union-attr]
                        journal_line=journal_line)

"""Seed 001's in-text citations: every bracket ([8], [8,9], [76–85]) of the survey's body and tables, with
the section, paragraph and sentence (or table row) that makes it (docs/citations.md).

`parse_citations` reads the text into `InTextCitation`s; `citation_triples` turns them into `cito:Citation`
nodes and section nodes, `in_text_record` into the survey's record of its typed citations; `introductions` finds the
benchmarks and networks the survey names right before a citation of the work that introduced them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, Triple, integer, iri, normalise_title, text
from kg.ingest.section9 import cited_numbers
from kg.ingest.sources import read_lines
from kg.ingest.survey_tables import parse_table
from kg.ingest.vocabulary import benchmark_names, network_aliases, network_label
from kg.iri import BENCH, NET, SURVEY_TEXT, slug

__all__ = ["Section", "InTextCitation", "Sentence", "SurveyBody", "parse_citations", "citation_triples", "in_text_record",
           "Introduction", "introductions", "brackets", "find_sentence", "locate_name", "sentence_locator", "CHARACTERIZATIONS"]

CITATION = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
# cito characterization of a citation, by what the survey does with the work where it cites it
CHARACTERIZATIONS = {"discusses": "cito:discusses", "evidence": "cito:citesAsEvidence",
                     "data-source": "cito:citesAsDataSource"}
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
_ABBREVIATIONS = ("al.", "e.g.", "i.e.", "Fig.", "Figs.", "vs.", "cf.", "Eq.", "Sec.", "No.")
_ROMAN_MARKER = re.compile(r"\((?:i|ii|iii|iv|v|vi|vii|viii)\)")
_TABLES = range(1, 11)
_MATH = re.compile(r"\$[^$]*\$")


def brackets(words: str):
    """The citation brackets of `words`, outside LaTeX math ('$\\gamma \\in [0, 1]$' is an interval)."""
    return CITATION.finditer(_MATH.sub(lambda m: " " * len(m.group()), words))


@dataclass(frozen=True)
class Section:
    key: str
    """`5.1.1` for a numbered heading, the heading's slug (`benchmarks-and-datasets`) otherwise."""
    number: str | None
    title: str
    parent: str | None
    """Key of the enclosing numbered section (5.1.1 -> 5.1; an unnumbered heading -> the numbered one above it)."""
    line: int

    @property
    def label(self) -> str:
        if self.number:
            return f"Section {self.number}. {self.title}"
        return f"Section {self.parent}, \"{self.title}\"" if self.parent else f"\"{self.title}\""


@dataclass(frozen=True)
class Sentence:
    section: Section
    paragraph: int
    """1-based within the section; a paragraph broken by a page, table or figure is one paragraph."""
    index: int
    """1-based within the paragraph."""
    text: str
    line: int
    """The source line the sentence starts on (for messages; not part of any IRI)."""


@dataclass(frozen=True)
class InTextCitation:
    number: int
    section: Section | None
    """None for a table row: tables float to where the page has room, away from the text that presents them."""
    bracket: str
    """The bracket as printed, e.g. '[38,149–152]'."""
    kind: str
    """A key of CHARACTERIZATIONS."""
    line: int
    paragraph: int | None = None
    sentence: int | None = None
    table: int | None = None
    row: int | None = None

    @property
    def locator(self) -> str:
        if self.section is None:
            return f"Table {self.table}, row {self.row}"
        return f"{self.section.label}, paragraph {self.paragraph}, sentence {self.sentence}"


@dataclass(frozen=True)
class SurveyBody:
    sections: list[Section]
    sentences: list[Sentence]
    citations: list[InTextCitation]
    table_cells: list[tuple[int, int, str]]
    """(table, row, first cell) of every cited table row: where a benchmark is named next to its reference."""


def _heading(line: str, previous_blank: bool, next_blank: bool) -> tuple[str | None, str] | None:
    """(number, title) when `line` is a heading: a '#' line, or a plain line '8. Policy distillation' or a short
    title-like line standing alone (Section 9's area headings are printed without '#')."""
    stripped = line.strip()
    if stripped.startswith("#"):
        bare = stripped.lstrip("#").strip().strip("*").strip()
        found = _NUMBERED.match(bare)
        return (found.group(1), found.group(2).strip()) if found else (None, bare)
    if not (previous_blank and next_blank) or not stripped or len(stripped) > 90 or "\t" in stripped:
        return None
    if stripped.endswith((".", ":", ",", ";")) or "[" in stripped or not stripped[0].isalnum():
        return None
    if re.match(r"^(Table|Fig)", stripped) or stripped.startswith("<") or not stripped[0].isupper() and not stripped[0].isdigit():
        return None
    found = _NUMBERED.match(stripped)
    return (found.group(1), found.group(2).strip()) if found else (None, stripped)


def _skipped(line: str) -> bool:
    """Lines that are not running text: captions, footnotes, front-matter notes, blank-ish lines."""
    stripped = line.strip()
    return (not stripped or stripped.startswith(("Fig.", "**Fig.", "<sup>", "\\*", "E-mail", "<http", "Received",
                                                   "Available online", "1566-2535")))


def _sentences(paragraph: str) -> list[str]:
    """Split at '. ' before an upper-case letter, a '*' or a '(' , except after abbreviations ('et al.')."""
    parts: list[str] = []
    start = 0
    for found in re.finditer(r"(?<=[.!?])\s+(?=[A-Z*(])", paragraph):
        before = paragraph[start:found.start()]
        if before.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", before):
            continue
        parts.append(before.strip())
        start = found.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def _kind(in_area: bool, sentence: str, at: int) -> str:
    """Evidence: a bracket closing a numbered challenge '(ii) **name** [refs]' of Sections 9.1/9.2.
    Data source: a bracket right after a benchmark's name ('Meta-World [139]'). Otherwise the survey discusses."""
    if in_area:
        markers = list(_ROMAN_MARKER.finditer(sentence[:at]))
        if markers and "[" not in sentence[markers[-1].end():at]:
            return "evidence"
    if _named_before(sentence[:at], _benchmark_patterns()):
        return "data-source"
    return "discusses"


def _benchmark_patterns() -> list[tuple[str, str, str]]:
    """(entity IRI, name as printed, label): benchmark names of benchmark-names.csv, longest first."""
    return [(BENCH + b.benchmark, b.name, b.label) for b in benchmark_names()]


def _network_patterns() -> list[tuple[str, str, str]]:
    """(entity IRI, alias, label): network aliases of network-names.csv, longest first."""
    return sorted(((NET + local, alias, network_label(local)) for alias, local in network_aliases()),
                  key=lambda r: (-len(r[1]), r[1]))


def _named_before(before: str, patterns: list[tuple[str, str, str]]) -> tuple[str, str, str] | None:
    """(entity, name as printed, label) of the entity whose name ends right before a bracket: 'Meta-World [',
    'GPT-4 [', 'RoboNet Dataset ['."""
    for entity, name, label in patterns:
        found = re.search(r"(?<![\w-])(" + re.escape(name) + r")(?:\s+(?:dataset|benchmark|project|suite))?\s*$",
                          before, flags=re.IGNORECASE)
        if found:
            return entity, found.group(1), label
    return None


def parse_citations(sources_dir: Path) -> SurveyBody:
    """Sections, sentences and in-text citations of the survey's body (from '1. Introduction' to the reference
    list) and of its tables' rows.

    Raises InputError when the body or the reference list cannot be found.
    """
    lines = read_lines(sources_dir, "survey-text")
    start = next((i for i, line in enumerate(lines) if re.match(r"^#+\s*1\.\s+Introduction", line)), None)
    end = next((i for i, line in enumerate(lines) if re.match(r"^#+\s*References\s*$", line)), None)
    if start is None or end is None:
        raise InputError("seed 001: the body ('## 1. Introduction' to '### References') was not found")
    rows = {row.line: (row.table, row.row) for number in _TABLES for row in _table_rows(sources_dir, number)}
    sections: list[Section] = []
    paragraphs: list[tuple[Section, int, list[tuple[int, str]]]] = []
    table_lines: list[tuple[int, str]] = []
    numbered: dict[str, Section] = {}
    counts: dict[str, int] = defaultdict(int)
    section: Section | None = None
    caption_next = False
    for index in range(start, end):
        line = lines[index]
        if caption_next and line.strip():
            caption_next = False
            continue  # a table's caption line, under 'Table N'
        if re.match(r"^\**Table \d+\**\s*$", line.strip()):
            caption_next = True
            continue
        blank_before = index == 0 or not lines[index - 1].strip()
        blank_after = index + 1 >= len(lines) or not lines[index + 1].strip()
        heading = None if _skipped(line) and not line.lstrip().startswith("#") else \
            _heading(line, blank_before, blank_after)
        if heading:
            number, title = heading
            parent = (".".join(number.split(".")[:-1]) if number and "." in number else None) if number \
                else (next(reversed(numbered)) if numbered else None)
            key = number or slug(title)
            if any(s.key == key for s in sections):
                key = f"{parent}-{key}"  # an unnumbered heading repeated under another section
            section = Section(key=key, number=number, title=title, parent=parent, line=index + 1)
            sections.append(section)
            if number:
                numbered[number] = section
            continue
        if section is None or _skipped(line):
            continue
        if "\t" in line:
            if index + 1 in rows:
                table_lines.append((index + 1, line))
            continue
        stripped = line.strip()
        continues = stripped[0].islower() or stripped.startswith("(") and paragraphs and \
            not paragraphs[-1][2][-1][1].rstrip().endswith((".", ":"))
        if continues and paragraphs and paragraphs[-1][0] is section:
            paragraphs[-1][2].append((index + 1, stripped))
        else:
            counts[section.key] += 1
            paragraphs.append((section, counts[section.key], [(index + 1, stripped)]))
    area_keys = {s.key for s in sections if s.parent in {"9.1", "9.2"} and s.number is None}
    sentences: list[Sentence] = []
    citations: list[InTextCitation] = []
    for owner, paragraph, parts in paragraphs:
        joined = ""
        starts: list[tuple[int, int]] = []
        for line_number, part in parts:
            joined += ("" if not joined or joined.endswith("-") else " ")
            starts.append((len(joined), line_number))
            joined += part
        offset = 0
        for position, sentence_text in enumerate(_sentences(joined), start=1):
            at = joined.find(sentence_text, offset)
            offset = at + len(sentence_text)
            line_number = max(n for s, n in starts if s <= max(at, 0))
            sentences.append(Sentence(owner, paragraph, position, sentence_text, line_number))
            for bracket in brackets(sentence_text):
                kind = _kind(owner.key in area_keys, sentence_text, bracket.start())
                for cited in cited_numbers(bracket.group(1)):
                    citations.append(InTextCitation(number=cited, section=owner, bracket=bracket.group(0), kind=kind,
                                                    line=line_number, paragraph=paragraph, sentence=position))
    cells: list[tuple[int, int, str]] = []
    for line_number, line in table_lines:
        table, row = rows[line_number]
        first = line.split("\t")[0]
        for bracket in CITATION.finditer(line):
            named = bracket.start() < len(first) and _named_before(line[:bracket.start()], _benchmark_patterns())
            if bracket.start() < len(first):
                cells.append((table, row, first.strip()))
            for cited in cited_numbers(bracket.group(1)):
                citations.append(InTextCitation(number=cited, section=None, bracket=bracket.group(0),
                                                kind="data-source" if named else "discusses", line=line_number,
                                                table=table, row=row))
    return SurveyBody(sections=sections, sentences=sentences, citations=citations, table_cells=cells)


def _table_rows(sources_dir: Path, number: int):
    try:
        return parse_table(sources_dir, number)
    except InputError:
        return []  # Tables 6, 8 and 10 compare concepts and cite nothing


def find_sentence(body: SurveyBody, *, numbers: list[int], words: str) -> Sentence:
    """The first sentence that cites every one of `numbers` and contains `words` as printed.

    Raises InputError when there is none (the quote is not copied from the survey, or cites other works).
    """
    for sentence in body.sentences:
        cited = {n for b in brackets(sentence.text) for n in cited_numbers(b.group(1))}
        if set(numbers) <= cited and words in sentence.text:
            return sentence
    raise InputError(f"seed 001: no sentence cites {sorted(numbers)} and contains {words!r} "
                     "(copy the words as the survey prints them)")


def locate_name(body: SurveyBody, *, number: int, name: str) -> str:
    """The locator of the first sentence or table cell that prints `name` and then a citation of [number].

    Raises InputError when there is none (the name is not printed with that citation).
    """
    places = [(s.text, sentence_locator(s)) for s in body.sentences]
    places += [(cell, f"Table {table}, row {row}") for table, row, cell in body.table_cells]
    for words, locator in places:
        at = words.find(name)
        if at >= 0 and any(number in cited_numbers(b.group(1)) for b in brackets(words) if b.start() >= at + len(name)):
            return locator
    raise InputError(f"seed 001: no sentence or table cell prints {name!r} followed by a citation of [{number}] "
                     "(copy the name as the survey prints it)")


def sentence_locator(sentence: Sentence) -> str:
    return f"{sentence.section.label}, paragraph {sentence.paragraph}, sentence {sentence.index}"


def section_iri(section_key: str) -> URIRef:
    return URIRef(f"{SURVEY_TEXT}section-{section_key}")


def citation_triples(body: SurveyBody, *, survey: URIRef, ref_paper: dict[int, URIRef]) -> tuple[list[Triple], list[str]]:
    """Triples of the section nodes and of one `cito:Citation` node per reference per bracket. Returns the triples
    and the citations of numbers outside the reference list (for the report)."""
    triples: list[Triple] = []
    unknown: list[str] = []
    for section in body.sections:
        node = section_iri(section.key)
        triples += [(node, iri("rdf:type"), iri("dkg:SurveySection")), (node, iri("dcterms:title"), text(section.title)),
                    (node, iri("dcterms:isPartOf"), survey), (node, iri("prov:wasDerivedFrom"), iri("src:survey-text")),
                    (node, iri("dkg:locator"), text(section.label))]
        if section.number:
            triples.append((node, iri("dkg:sectionNumber"), text(section.number)))
        if section.parent:
            triples.append((node, iri("dkg:withinSection"), section_iri(section.parent)))
    seen: dict[tuple[int, str], int] = defaultdict(int)
    for citation in body.citations:
        work = ref_paper.get(citation.number)
        if work is None:
            unknown.append(f"{citation.locator} cites [{citation.number}]")
            continue
        place = citation.section.key if citation.section else f"table-{citation.table}"
        seen[(citation.number, place)] += 1
        node = URIRef(f"{SURVEY_TEXT}cite-{citation.number}-in-{place}-{seen[(citation.number, place)]}")
        triples += [(node, iri("rdf:type"), iri("cito:Citation")), (node, iri("cito:hasCitingEntity"), survey),
                    (node, iri("cito:hasCitedEntity"), work),
                    (node, iri("cito:hasCitationCharacterization"), iri(CHARACTERIZATIONS[citation.kind])),
                    (node, iri("dkg:bracket"), text(citation.bracket)),
                    (node, iri("dkg:locator"), text(citation.locator)),
                    (node, iri("prov:wasDerivedFrom"), iri("src:survey-text"))]
        if citation.section is None:
            assert citation.table is not None and citation.row is not None  # a table row's citation has both
            triples += [(node, iri("dkg:inTable"), integer(citation.table)),
                        (node, iri("dkg:inTableRow"), integer(citation.row))]
        else:
            assert citation.paragraph is not None and citation.sentence is not None  # so has a running-text one
            triples += [(node, iri("dkg:inSection"), section_iri(citation.section.key)),
                        (node, iri("dkg:paragraph"), integer(citation.paragraph)),
                        (node, iri("dkg:sentence"), integer(citation.sentence))]
    return triples, unknown


def in_text_record(body: SurveyBody, *, ref_paper: dict[int, URIRef]) -> SourceRecord:
    """The survey's record of its typed citations (`survey cito:discusses work`, ...), one fact per type and work."""
    record = SourceRecord(fragment="in-text-citations", record_class="dkg:SourceRecord", source="survey-text",
                          locator="In-text citations of Sections 1-10 and Tables 1-9", keys=PaperKeys())
    for citation in sorted(body.citations, key=lambda c: (c.kind, c.number)):
        if citation.number in ref_paper:
            record.fact(CHARACTERIZATIONS[citation.kind], ref_paper[citation.number])
    return record


@dataclass(frozen=True)
class Introduction:
    entity: URIRef
    number: int
    name: str
    locator: str
    curated: bool = False


def introductions(body: SurveyBody, *, reference_titles: dict[int, str]) -> list[Introduction]:
    """Benchmarks and networks named right before a citation ('Meta-World [139]', 'GPT-4 [37]') of a reference
    whose title names them too: that reference introduced them. A name cited with a work whose title does not name
    it (Isaac Gym [146], 'Factory: ...') is left out; curated rows (data/curated/introduced-in.csv) add the others."""
    patterns = _benchmark_patterns() + _network_patterns()
    found: dict[tuple[str, int], Introduction] = {}

    def consider(before: str, numbers: list[int], locator: str) -> None:
        named = _named_before(before, patterns)
        if not named or len(numbers) != 1:
            return
        entity, name, label = named
        title = normalise_title(reference_titles.get(numbers[0], ""))
        if any(normalise_title(n) and normalise_title(n) in title for n in (name, label)):
            found.setdefault((entity, numbers[0]), Introduction(URIRef(entity), numbers[0], name, locator))

    for sentence in body.sentences:
        for bracket in brackets(sentence.text):
            consider(sentence.text[:bracket.start()], cited_numbers(bracket.group(1)), sentence_locator(sentence))
    for table, row, cell in body.table_cells:
        for bracket in CITATION.finditer(cell):
            consider(cell[:bracket.start()], cited_numbers(bracket.group(1)), f"Table {table}, row {row}")
    return sorted(found.values(), key=lambda i: (str(i.entity), i.number))

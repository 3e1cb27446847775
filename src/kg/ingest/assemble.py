"""From parsed sources to the triples of every generated file (docs/model.md, "Files").

`build_graph` runs every importer, resolves papers, and returns the files to write plus what the
report needs. It writes nothing; `kg.ingest.run_import` writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from kg.errors import InputError
from kg.ingest.citations import (
    Introduction,
    SurveyBody,
    citation_triples,
    find_sentence,
    in_text_record,
    introductions,
    locate_name,
    parse_citations,
    sentence_locator,
)
from kg.ingest.companion_list import (
    ListCitation,
    heading_triples,
    list_records,
    parse_citation,
    parse_headings,
    parse_list,
)
from kg.ingest.curated import read_curated
from kg.ingest.listing import listing_record, listing_related_records, parse_listing
from kg.ingest.records import (
    PaperKeys,
    SourceRecord,
    Triple,
    boolean,
    iri,
    text,
    unique_keys,
    year,
)
from kg.ingest.references import (
    author_iri,
    parse_references,
    reference_records,
    venue_aliases,
    venue_iri,
    venue_name,
)
from kg.ingest.related import parse_related, related_records
from kg.ingest.resolve import Resolution, resolve
from kg.ingest.section9 import parse_section9
from kg.ingest.sources import SHEET_FILES, SOURCE_FILES
from kg.ingest.spreadsheets import layout_triples, parse_sheets, sheet_layouts, sheet_records
from kg.ingest.survey import find_named_citation, parse_front_matter
from kg.ingest.survey_tables import (
    NETWORKS_IN_FRAMEWORK,
    WORK_TABLES,
    parse_table,
    table1_records,
    table9_benchmarks,
    work_table_records,
)
from kg.ingest.vocabulary import (
    benchmark_names,
    network_label,
    networks_in,
    networks_in_framework,
    unresolved_benchmark_names,
)
from kg.iri import BENCH, NET, PAPER, S9, VENUE, normalise_arxiv_id, paper_iri, slug

__all__ = ["Built", "build_graph"]

_SOURCE_TITLES = {
    "survey-text": "The duality of generative AI and reinforcement learning in robotics: A review (full text)",
    "companion-list": "Companion paper list (README of clmoro/Robotics-RL-FMs-Integration)",
    "related-papers": "Public page of papers related to the survey",
    "listing-page": "The survey's listing page",
    "sheet-llm": "Large Language Models for RL (authors' spreadsheet)",
    "sheet-vlm": "Vision Language Models for RL (authors' spreadsheet)",
    "sheet-dm": "Diffusion Models for RL (authors' spreadsheet)",
    "sheet-wm": "World Models and Video Prediction Models for RL (authors' spreadsheet)",
    "sheet-rl-transformer": "RL for Transformer Policy (authors' spreadsheet)",
    "sheet-rl-diffusion": "RL for Diffusion Policy (authors' spreadsheet)",
}
_SURVEY_RECORDS = {"dkg:ReferenceEntry", "dkg:TableRow"}
# pages of works related to the survey: works only they name are candidates, not works of the survey
_CANDIDATE_SOURCES = {"related-papers", "listing-page"}
_TITLE_PREFERENCE = {"dkg:ReferenceEntry": 0, "dkg:ListEntry": 1, "dkg:SourceRecord": 2}
_BRANCH_OF_SECTION = {"9.1": "generative-tools-for-rl", "9.2": "rl-for-generative-policies"}


@dataclass
class Built:
    files: dict[str, tuple[list[Triple], URIRef | None]]
    records: list[SourceRecord]
    resolution: Resolution
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    survey: URIRef | None = None


def build_graph(*, sources_dir: Path, curated_dir: Path) -> Built:
    """Parse every source, resolve papers, and build the triples of every file.

    Raises SourceMissing when a source file is absent and InputError for malformed sources or curated rows.
    """
    front = parse_front_matter(sources_dir)
    survey = URIRef(paper_iri(doi=front.doi))
    references = parse_references(sources_dir)
    records: list[SourceRecord] = []
    for record, ref in zip(reference_records(references), references, strict=True):
        record.fact("dcterms:title", text(ref.title))
        record.fact("cito:isCitedBy", survey)
        records.append(record)
    list_entries = parse_list(sources_dir)
    for record in list_records(list_entries):
        assert record.keys.title is not None  # list entries are keyed by their title
        record.fact("dcterms:title", text(record.keys.title))
        records.append(record)
    for number in WORK_TABLES:
        records += work_table_records(parse_table(sources_dir, number))
    table1 = table1_records(parse_table(sources_dir, 1))
    survey_rows = [r for r in table1 if r.keys.reference_number is None]
    records += [r for r in table1 if r.keys.reference_number is not None]
    sheet_rows = parse_sheets(sources_dir)
    sheets = sheet_records(sheet_rows)
    records += sheets
    frameworks = {rec.fragment: (row.sheet, row.cells.get("Framework", "")) for rec, row in zip(sheets, sheet_rows)}
    related = related_records(parse_related(sources_dir))
    for record in related:
        assert record.keys.title is not None  # related papers are keyed by their title
        record.fact("dcterms:title", text(record.keys.title))
    records += related
    listing = parse_listing(sources_dir)
    records += listing_related_records(listing)
    citation = parse_citation(sources_dir)
    earlier = _citation_record(citation)
    records.append(earlier)
    for record in records:
        # Only the survey's own numbered references and table rows put a work in the survey; the
        # companion list and the authors' spreadsheets also name later and related works.
        if record.source == "survey-text" and record.record_class in _SURVEY_RECORDS:
            record.fact("dkg:inSurvey", boolean(True))
        if record.record_class == "dkg:ListEntry":
            record.fact("dkg:inCompanionList", boolean(True))

    resolution = resolve(records, list_links=read_curated(curated_dir, "list-links"),
                         sheet_keys=read_curated(curated_dir, "sheet-keys"), sheet_frameworks=frameworks)
    _drop_contested_identifiers(records, resolution.contested)
    ref_paper = {r.keys.reference_number: URIRef(resolution.paper_of[r.fragment])
                 for r in records if r.record_class == "dkg:ReferenceEntry" and r.keys.reference_number is not None}
    curated_used: set[str] = set()
    records += _curated_policy_facts(curated_dir, resolution, ref_paper, curated_used)
    records += _curated_text_frameworks(sources_dir, curated_dir, resolution, ref_paper, curated_used)
    body = parse_citations(sources_dir)
    records += _curated_extends(curated_dir, resolution, ref_paper, curated_used, body)
    for name in ("list-links", "sheet-keys"):
        if read_curated(curated_dir, name):
            curated_used.add(name)

    built = Built(files={}, records=records, resolution=resolution, survey=survey)
    papers: dict[URIRef, list[SourceRecord]] = defaultdict(list)
    for record in records:
        papers[URIRef(resolution.paper_of[record.fragment])].append(record)
    for paper, group in sorted(papers.items()):
        if paper == survey:
            raise InputError(f"a source record resolves to the survey itself: {[r.locator for r in group]}")
        triples = _paper_triples(paper, group, is_candidate=all(r.source in _CANDIDATE_SOURCES for r in group))
        built.files[f"papers/{paper.removeprefix(PAPER)}.ttl"] = (triples, paper)
    earlier_version = _earlier_version_record(citation, URIRef(resolution.paper_of[earlier.fragment]))
    built.files["survey.ttl"] = (_survey_triples(survey, front, sorted(set(ref_paper.values())),
                                                 [*survey_rows, earlier_version, listing_record(listing),
                                                  in_text_record(body, ref_paper=ref_paper)]), survey)
    built.files["benchmarks.ttl"] = (_benchmark_triples(sources_dir, records, built), None)
    built.files["networks.ttl"] = (_network_triples(records), None)
    built.files["venues.ttl"] = (_venue_triples(references, front), None)
    built.files["authors.ttl"] = (_author_triples(references, front), None)
    built.files["section9.ttl"] = (_section9_triples(sources_dir, curated_dir, ref_paper, built, curated_used), None)
    cited, unknown = citation_triples(body, survey=survey, ref_paper=ref_paper)
    built.unresolved += [(where, "not in the reference list") for where in unknown]
    built.files["citations.ttl"] = (cited + _introduction_triples(curated_dir, body, references, ref_paper, built,
                                                                  curated_used), None)
    built.files["sources.ttl"] = (_source_triples(sources_dir, curated_used), None)
    record_of = {r.fragment: _record_iri(URIRef(resolution.paper_of[r.fragment]), r) for r in records}
    built.files["layouts.ttl"] = (heading_triples(parse_headings(sources_dir), list_entries, record_of)
                                  + layout_triples(sheet_layouts(sources_dir), sheet_rows, record_of), None)
    for record in records:
        # networks sit in the tables' Network column, Table 7's Framework parentheses and the sheets' Base Model column
        for cell_predicate, value in record.cells:
            if record.record_class == "dkg:SpreadsheetRow":
                unknown = networks_in(str(value))[1] if cell_predicate == iri("dkg:cellBaseModel") else []
            elif cell_predicate == iri("dkg:cellNetwork"):
                unknown = networks_in(str(value))[1]
            elif cell_predicate == iri("dkg:cellFramework") and _table_of(record) in NETWORKS_IN_FRAMEWORK:
                unknown = networks_in_framework(str(value))[1]
            else:
                unknown = []
            for item in unknown:
                built.unresolved.append((f"network name {item!r} in {record.locator}", "not in network-names.csv"))
    return built


def _citation_locator(citation: ListCitation) -> str:
    return f"\"Citation\", BibTeX entry {citation.key}, {citation.journal_line}"


def _citation_record(citation: ListCitation) -> SourceRecord:
    """The paper the companion list asks readers to cite (the survey's earlier arXiv version), as its BibTeX gives it."""
    fields = citation.fields
    record = SourceRecord(fragment="list-citation", record_class="dkg:SourceRecord", source="companion-list",
                          locator=_citation_locator(citation),
                          keys=PaperKeys(arxiv_id=citation.arxiv_id, title=fields["title"]))
    record.fact("dcterms:title", text(fields["title"]))
    record.fact("dkg:authorsAsGiven", text(fields["author"]))
    record.fact("fabio:hasPublicationYear", year(fields["year"]))
    if citation.arxiv_id:
        record.fact("fabio:hasArXivId", text(citation.arxiv_id))
    return record


def _earlier_version_record(citation: ListCitation, earlier: URIRef) -> SourceRecord:
    """The survey's record of seed 000's citation: the repository of the survey asks readers to cite
    `earlier` (arXiv 2410.16411, same first author, other title), so the survey is a revision of it."""
    record = SourceRecord(fragment="earlier-version", record_class="dkg:SourceRecord", source="companion-list",
                          locator=_citation_locator(citation), keys=PaperKeys())
    record.fact("prov:wasRevisionOf", earlier)
    return record


def _table_of(record: SourceRecord) -> int | None:
    return next((int(v) for p, v in record.cells if p == iri("dkg:tableNumber")), None)


def _drop_contested_identifiers(records: list[SourceRecord], contested: set[str]) -> None:
    """An id given for two works identifies neither: drop it from the facts (the record keeps its link)."""
    def contested_id(predicate: URIRef, value: object) -> bool:
        if predicate == iri("fabio:hasArXivId"):
            return str(value).lower() in contested
        if predicate == iri("dkg:doi"):
            arxiv = normalise_arxiv_id(str(value)) if "arxiv" in str(value).lower() else None
            return str(value).lower() in contested or (arxiv or "") in contested
        return False

    for record in records:
        record.facts = [(p, v) for p, v in record.facts if not contested_id(p, v)]


def _record_iri(paper: URIRef, record: SourceRecord) -> URIRef:
    return URIRef(f"{paper}#{record.fragment}")


def _paper_triples(paper: URIRef, group: list[SourceRecord], *, is_candidate: bool) -> list[Triple]:
    rdf_type, title_p, variant_p = iri("rdf:type"), iri("dcterms:title"), iri("dkg:titleVariant")
    triples: list[Triple] = [(paper, rdf_type, iri("dkg:ResearchPaper"))]
    if is_candidate:
        triples.append((paper, rdf_type, iri("dkg:CandidatePaper")))
    titled = sorted((r for r in group if any(p == title_p for p, _ in r.facts)),
                    key=lambda r: (_TITLE_PREFERENCE.get(r.record_class, 3), r.fragment))
    title = next((v for p, v in titled[0].facts if p == title_p), None) if titled else None
    for record in sorted(group, key=lambda r: r.fragment):
        node = _record_iri(paper, record)
        facts = [(p, v) for p, v in record.facts if p != title_p or v == title]
        for p, v in record.facts:
            if p == title_p and v != title:
                facts.append((variant_p, v))
        if is_candidate and record.source in _CANDIDATE_SOURCES:
            facts.append((iri("dkg:inSurvey"), boolean(False)))
        triples += [(node, rdf_type, iri(record.record_class)), (node, iri("dkg:recordOf"), paper),
                    (node, iri("prov:wasDerivedFrom"), iri("src:" + record.source)),
                    (node, iri("dkg:locator"), text(record.locator)), (paper, iri("dkg:hasRecord"), node)]
        triples += [(node, p, v) for p, v in record.facts if p == title_p]
        triples += [(node, p, v) for p, v in facts if p != title_p] + [(paper, p, v) for p, v in facts]
        triples += [(node, p, v) for p, v in record.cells]
        triples += [(paper, rdf_type, t) for t in record.paper_types]
        if record.curated:
            triples.append((node, iri("prov:wasAttributedTo"), iri("dkg:Curator")))
        triples += _coverage(paper, node, record)
    return triples


def _coverage(paper: URIRef, node: URIRef, record: SourceRecord) -> list[Triple]:
    triples: list[Triple] = []
    for marker, predicate, mark in record.extra:
        if str(marker).startswith("#coverage-"):
            concept = str(marker).removeprefix("#coverage-")
            coverage = URIRef(f"{paper}#table-1-coverage-{concept}")
            triples += [(coverage, iri("rdf:type"), iri("dkg:Coverage")),
                        (coverage, iri("dkg:coverageOf"), iri("cat:" + concept)), (coverage, predicate, mark),
                        (paper, iri("dkg:coverage"), coverage), (node, iri("dkg:coverage"), coverage)]
        else:
            triples.append((marker, predicate, mark))
    return triples


def _survey_triples(survey: URIRef, front, cited: list[URIRef], rows: list[SourceRecord]) -> list[Triple]:
    front_record = SourceRecord(fragment="front-matter", record_class="dkg:SourceRecord", source="survey-text",
                                locator=front.locator, keys=PaperKeys())
    front_record.fact("dcterms:title", text(front.title))
    front_record.fact("dkg:authorsAsGiven", text(", ".join(front.authors)))
    for author in front.authors:
        front_record.fact("dcterms:creator", iri(author_iri(author)))
    front_record.fact("dkg:venueAsGiven", text(front.venue))
    front_record.fact("dkg:publishedIn", iri(venue_iri(front.venue)))
    front_record.fact("fabio:hasPublicationYear", year(front.year))
    front_record.fact("dkg:doi", text(front.doi))
    references = SourceRecord(fragment="references", record_class="dkg:SourceRecord", source="survey-text",
                              locator="References", keys=PaperKeys())
    for paper in cited:
        references.fact("cito:cites", paper)
    triples = _paper_triples(survey, [front_record, references, *rows], is_candidate=False)
    return triples + [(survey, iri("rdf:type"), iri("dkg:Survey"))]


def _curated_record(resolution: Resolution, *, subject: URIRef, fragment: str, source: str, locator: str,
                    evidence: str) -> SourceRecord:
    """A dkg:CuratedRecord of `subject` (registered with the resolution), with its evidence document."""
    record = SourceRecord(fragment=fragment, record_class="dkg:CuratedRecord", source=source, locator=locator,
                          keys=PaperKeys(), curated=True)
    record.cell("dkg:evidence", iri("src:" + evidence))
    resolution.paper_of[record.fragment] = str(subject)
    return record


_BASES = {"sentence": "dkg:SurveySentence", "inference": "dkg:CuratorInference"}


def _curated_extends(curated_dir: Path, resolution: Resolution, ref_paper: dict[int, URIRef],
                     used: set[str], body: SurveyBody) -> list[SourceRecord]:
    """Extends links (data/curated/extends.csv). A `sentence` row quotes the survey's sentence that cites the
    subject and presents it as building on the object: the quote is checked against the text and the record's
    locator is that sentence. An `inference` row rests on names and authors; its quote states that evidence."""
    rows = read_curated(curated_dir, "extends")
    known = set(resolution.paper_of.values())
    keys = _curated_keys("curated-extends", [f"{row['subject']} {row['object']}" for row in rows])
    out = []
    for number, (row, key) in enumerate(zip(rows, keys), start=2):
        where = f"data/curated/extends.csv line {number}"
        subject, obj = (_curated_target(row[c], ref_paper, known, where) for c in ("subject", "object"))
        if row["basis"] not in _BASES or not row["quote"]:
            raise InputError(f"{where}: basis must be one of {sorted(_BASES)} and quote must not be empty")
        locator = row["locator"] or where
        if row["basis"] == "sentence":
            kind, _, cited = row["subject"].partition(":")
            if kind != "ref":
                raise InputError(f"{where}: a sentence row needs subject ref:N, the reference the sentence cites")
            try:
                locator = sentence_locator(find_sentence(body, numbers=[int(cited)], words=row["quote"]))
            except InputError as err:
                raise InputError(f"{where}: {err}") from None
        record = _curated_record(resolution, subject=subject, fragment=key, source="curated-extends",
                                 locator=locator, evidence="survey-text")
        record.fact("cito:extends", obj)
        record.cell("dkg:extractionMethod", iri(_BASES[row["basis"]]))
        record.cell("dkg:evidenceQuote", text(row["quote"]))
        out.append(record)
    if rows:
        used.add("extends")
    return out


def _introduction_triples(curated_dir: Path, body: SurveyBody, references, ref_paper: dict[int, URIRef],
                          built: Built, used: set[str]) -> list[Triple]:
    """`dkg:introducedIn` of benchmarks and networks, each on a record of the entity: found in the text
    (`kg.ingest.citations.introductions`) or curated (data/curated/introduced-in.csv, checked against the text)."""
    entities = {s for triples, _ in (built.files["benchmarks.ttl"], built.files["networks.ttl"])
                for s, p, o in triples if p == iri("rdf:type")}
    titles = {ref.number: ref.title for ref in references}
    found = introductions(body, reference_titles=titles)
    rows = read_curated(curated_dir, "introduced-in")
    for number, row in enumerate(rows, start=2):
        where = f"data/curated/introduced-in.csv line {number}"
        entity, (kind, _, cited) = iri(row["entity"]), row["target"].partition(":")
        if kind != "ref" or not cited.isdigit() or int(cited) not in ref_paper:
            raise InputError(f"{where}: target must be ref:N of the reference list, found {row['target']!r}")
        if entity not in entities:
            raise InputError(f"{where}: {row['entity']} is no benchmark or network of the graph")
        try:
            locator = locate_name(body, number=int(cited), name=row["name"])
        except InputError as err:
            raise InputError(f"{where}: {err}") from None
        found.append(Introduction(entity, int(cited), row["name"], locator, curated=True))
    if rows:
        used.add("introduced-in")
    triples: list[Triple] = []
    for intro in found:
        if intro.entity not in entities:
            continue  # a name of the alias tables that no table or sheet uses
        work = ref_paper[intro.number]
        record = URIRef(f"{intro.entity}#introduced-in-{intro.number}")
        triples += [(intro.entity, iri("dkg:introducedIn"), work), (intro.entity, iri("dkg:hasRecord"), record),
                    (record, iri("dkg:recordOf"), intro.entity), (record, iri("dkg:introducedIn"), work),
                    (record, iri("dkg:locator"), text(intro.locator)),
                    (record, iri("dkg:evidenceQuote"), text(f"{intro.name} [{intro.number}]"))]
        if intro.curated:
            triples += [(record, iri("rdf:type"), iri("dkg:CuratedRecord")),
                        (record, iri("prov:wasDerivedFrom"), iri("src:curated-introduced-in")),
                        (record, iri("dkg:evidence"), iri("src:survey-text")),
                        (record, iri("prov:wasAttributedTo"), iri("dkg:Curator"))]
        else:
            triples += [(record, iri("rdf:type"), iri("dkg:SourceRecord")),
                        (record, iri("prov:wasDerivedFrom"), iri("src:survey-text"))]
    return triples


# RL-for-generative-policies facts no table or sheet column gives: stated by a survey section or a
# work's own title in the companion list (data/curated/policy-facts.csv).
_FEEDBACK = {"human": "dkg:HumanFeedback"}
_EVIDENCE = {"survey-text", "companion-list"}


def _curated_policy_facts(curated_dir: Path, resolution: Resolution, ref_paper: dict[int, URIRef],
                          used: set[str]) -> list[SourceRecord]:
    rows = read_curated(curated_dir, "policy-facts")
    known = set(resolution.paper_of.values())
    keys = _curated_keys("curated-policy", [row["target"] for row in rows])
    out = []
    for number, (row, key) in enumerate(zip(rows, keys), start=2):
        where = f"data/curated/policy-facts.csv line {number}"
        if row["evidence"] not in _EVIDENCE or (row["feedback"] and row["feedback"] not in _FEEDBACK):
            raise InputError(f"{where}: evidence must be one of {sorted(_EVIDENCE)} and feedback empty or one of "
                             f"{sorted(_FEEDBACK)}")
        subject = _curated_target(row["target"], ref_paper, known, where)
        record = _curated_record(resolution, subject=subject, fragment=key,
                                 source="curated-policy-facts", locator=row["locator"] or where,
                                 evidence=row["evidence"])
        if row["rl_stage"]:
            record.fact("dkg:rlStage", iri("cat:" + row["rl_stage"]))
        if row["policy_architecture"]:
            record.fact("dkg:policyArchitecture", iri("cat:" + row["policy_architecture"]))
        if row["feedback"]:
            record.fact("dkg:feedbackSource", iri(_FEEDBACK[row["feedback"]]))
        out.append(record)
    if rows:
        used.add("policy-facts")
    return out


def _curated_text_frameworks(sources_dir: Path, curated_dir: Path, resolution: Resolution,
                             ref_paper: dict[int, URIRef], used: set[str]) -> list[SourceRecord]:
    """Framework names the survey's text gives a reference (data/curated/text-frameworks.csv): the name must be
    printed in the text with the next citation naming the reference; the locator is that section and name."""
    rows = read_curated(curated_dir, "text-frameworks")
    known = set(resolution.paper_of.values())
    keys = _curated_keys("curated-text-framework", [row["target"] for row in rows])
    out = []
    for number, (row, key) in enumerate(zip(rows, keys), start=2):
        where = f"data/curated/text-frameworks.csv line {number}"
        subject = _curated_target(row["target"], ref_paper, known, where)
        kind, _, cited = row["target"].partition(":")
        if kind != "ref":
            raise InputError(f"{where}: target must be ref:N, the reference the text cites with the name")
        try:
            passage = find_named_citation(sources_dir, name=row["framework_name"], number=int(cited))
        except InputError as err:
            raise InputError(f"{where}: {err}") from None
        record = _curated_record(resolution, subject=subject, fragment=key, source="curated-text-frameworks",
                                 locator=f"Section {passage.section}, text \"{row['framework_name']} ... [{cited}]\"",
                                 evidence="survey-text")
        record.fact("dkg:frameworkName", text(row["framework_name"]))
        out.append(record)
    if rows:
        used.add("text-frameworks")
    return out


def _curated_keys(prefix: str, targets: list[str]) -> list[str]:
    """Record keys of curated rows from the works they name (`ref:9 ref:8` -> `<prefix>-ref-9-ref-8`),
    not row numbers."""
    keys = unique_keys([slug(t.replace(":", "-")) for t in targets], ["" for _ in targets])
    return [f"{prefix}-{key}" for key in keys]


def _curated_target(value: str, ref_paper: dict[int, URIRef], known: set[str], where: str) -> URIRef:
    kind, _, rest = value.strip().partition(":")
    if kind == "ref" and rest.isdigit() and int(rest) in ref_paper:
        return ref_paper[int(rest)]
    if kind == "arxiv" and normalise_arxiv_id(rest) and paper_iri(arxiv_id=rest) in known:
        return URIRef(paper_iri(arxiv_id=rest))
    raise InputError(f"{where}: {value!r} names no known work "
                     "(use ref:N for reference [N] or arxiv:ID of a listed work)")


def _mentions(records: list[SourceRecord], predicate: str) -> dict[str, list[SourceRecord]]:
    found: dict[str, list[SourceRecord]] = defaultdict(list)
    target = iri(predicate)
    for record in records:
        for p, v in record.facts:
            if p == target:
                found[str(v)].append(record)
    return found


def _mention_order(record: SourceRecord) -> tuple:
    kind = {"survey-text": 0}.get(record.source, 1)
    return (kind, record.source, [int(x) if x.isdigit() else x for x in record.fragment.split("-")])


def _benchmark_triples(sources_dir: Path, records: list[SourceRecord], built: Built) -> list[Triple]:
    triples: list[Triple] = []
    labels = {BENCH + n.benchmark: n.label for n in benchmark_names()}
    in_table9 = set()
    for benchmark, node_triples, record_triples in table9_benchmarks(parse_table(sources_dir, 9)):
        node = URIRef(BENCH + benchmark.local)
        in_table9.add(node)
        triples += [(node, iri("rdf:type"), iri("dkg:Benchmark"))] + node_triples + record_triples
        triples.append((node, iri("dkg:hasRecord"), record_triples[0][0]))
    for value, mentions in sorted(_mentions(records, "dkg:usesBenchmark").items()):
        node = URIRef(value)
        first = min(mentions, key=_mention_order)
        triples += [(node, iri("prov:wasDerivedFrom"), iri("src:" + r.source)) for r in mentions]
        if node not in in_table9:
            triples += [(node, iri("rdf:type"), iri("dkg:Benchmark")), (node, iri("rdfs:label"), text(labels[value])),
                        (node, iri("dkg:locator"), text(first.locator))]
    for record in records:
        for predicate, value in record.cells:
            if str(predicate).endswith(("cellTrainingData", "cellSetting", "cellDataset")):
                for name in unresolved_benchmark_names(str(value)):
                    built.unresolved.append((f"benchmark-like name {name!r} in {record.locator}",
                                             "not in benchmark-names.csv or not-benchmark-names.csv"))
    return triples


def _network_triples(records: list[SourceRecord]) -> list[Triple]:
    triples: list[Triple] = []
    for value, mentions in sorted(_mentions(records, "dkg:usesNetwork").items()):
        node = URIRef(value)
        first = min(mentions, key=_mention_order)
        triples += [(node, iri("rdf:type"), iri("dkg:Network")),
                    (node, iri("rdfs:label"), text(network_label(value.removeprefix(NET)))),
                    (node, iri("dkg:locator"), text(first.locator))]
        triples += [(node, iri("prov:wasDerivedFrom"), iri("src:" + r.source)) for r in mentions]
    return triples


def _venue_triples(references, front) -> list[Triple]:
    """One node per venue. A venue the references spell two ways (venue-names.csv) keeps every spelling: the
    first row of venue-names.csv as rdfs:label, the others as skos:altLabel, each with the locator of its first use."""
    triples: list[Triple] = []
    seen: set[tuple[URIRef, str]] = set()
    preferred: dict[str, str] = {}
    for spelling, local in venue_aliases().items():
        preferred.setdefault(local, spelling)
    entries = [(front.venue, "Front matter")] + [(r.venue, f"References, [{r.number}]") for r in references if r.venue]
    for venue, locator in entries:
        node, name = URIRef(venue_iri(venue)), venue_name(venue)
        if (node, name) in seen:
            continue
        first = not any(n == node for n, _ in seen)
        seen.add((node, name))
        label = "skos:altLabel" if preferred.get(str(node).removeprefix(VENUE), name) != name else "rdfs:label"
        triples += [(node, iri(label), text(name)), (node, iri("dkg:locator"), text(locator))]
        if first:
            triples += [(node, iri("rdf:type"), iri("dkg:Venue")), (node, iri("prov:wasDerivedFrom"), iri("src:survey-text"))]
    return triples


def _author_triples(references, front) -> list[Triple]:
    triples: list[Triple] = []
    seen: set[URIRef] = set()
    entries = [(a, "Front matter") for a in front.authors]
    entries += [(a, f"References, [{r.number}]") for r in references for a in r.authors]
    for name, locator in entries:
        node = URIRef(author_iri(name))
        if node in seen:
            continue
        seen.add(node)
        triples += [(node, iri("rdf:type"), iri("dkg:Author")), (node, iri("rdfs:label"), text(name)),
                    (node, iri("prov:wasDerivedFrom"), iri("src:survey-text")),
                    (node, iri("dkg:locator"), text(locator))]
    return triples


def _section9_triples(sources_dir: Path, curated_dir: Path, ref_paper: dict[int, URIRef], built: Built,
                      used: set[str]) -> list[Triple]:
    areas, directions = parse_section9(sources_dir)
    curated = {row["heading"].strip().lower(): row for row in read_curated(curated_dir, "section9-areas")}
    if curated:
        used.add("section9-areas")
    triples: list[Triple] = []

    def entity(node: URIRef, kind: str, label: str, locator: str, from_curated: bool) -> None:
        nonlocal triples
        triples += [(node, iri("rdf:type"), iri(kind)), (node, iri("rdfs:label"), text(label)),
                    (node, iri("prov:wasDerivedFrom"), iri("src:survey-text")),
                    (node, iri("dkg:locator"), text(locator))]
        if from_curated:
            triples.append((node, iri("prov:wasDerivedFrom"), iri("src:curated-section9-areas")))

    def evidence(node: URIRef, numbers: list[int], where: str) -> None:
        for number in numbers:
            if number not in ref_paper:
                built.unresolved.append((f"{where} cites [{number}]", "not in the reference list"))
                continue
            triples.append((node, iri("dkg:hasEvidence"), ref_paper[number]))

    def branch(node: URIRef, row: dict[str, str] | None, default: str | None) -> None:
        concepts = ([row["branch"]] if row and row.get("branch") else [default] if default else [])
        concepts += (row.get("concepts", "").split() if row else [])
        for concept in concepts:
            triples.append((node, iri("dkg:inBranch"), iri("cat:" + concept.removeprefix("cat:"))))

    for area in areas:
        row = curated.get(area.heading.lower())
        local = row["area_id"].removeprefix("s9:") if row else slug(area.heading)
        node = URIRef(S9 + local)
        where = f"Section {area.section}, {area.heading}"
        entity(node, "dkg:ChallengeArea", area.heading, where, bool(row))
        branch(node, row, _BRANCH_OF_SECTION.get(area.section))
        for challenge in area.challenges:
            item = URIRef(f"{S9}{local}-{challenge.index}")
            suffix = ", second list" if challenge.second_list else ""
            entity(item, "dkg:Challenge", challenge.label, f"{where}, ({challenge.roman}){suffix}", False)
            triples.append((item, iri("dkg:inArea"), node))
            evidence(item, challenge.references, f"{where}, ({challenge.roman})")
        recommendation = URIRef(f"{S9}{local}-recommendation")
        entity(recommendation, "dkg:Recommendation", f"Recommendation: {area.heading}", f"{where}, Recommendation",
               False)
        triples.append((recommendation, iri("dkg:recommendationFor"), node))
        evidence(recommendation, area.recommendation_references, f"{where}, Recommendation")
    for direction in directions:
        row = curated.get(direction.heading.lower())
        local = row["area_id"].removeprefix("s9:") if row else slug(direction.heading)
        node = URIRef(S9 + local)
        entity(node, "dkg:ResearchDirection", direction.heading, f"Section {direction.section}, {direction.heading}",
               bool(row))
        branch(node, row, None)
        if not row:
            built.unresolved.append((f"research direction {direction.section} {direction.heading!r}",
                                     "no branch: needs a row in data/curated/section9-areas.csv"))
        evidence(node, direction.references, f"Section {direction.section}")
    return triples


def _source_triples(sources_dir: Path, curated_used: set[str]) -> list[Triple]:
    triples: list[Triple] = []
    files = {name: Path(relative).name for name, relative in SOURCE_FILES.items()}
    files |= {f"sheet-{name}": Path(relative).name for name, relative in SHEET_FILES.items()}
    titles = dict(_SOURCE_TITLES)
    for name in sorted(curated_used):
        files[f"curated-{name}"] = f"{name}.csv"
        titles[f"curated-{name}"] = f"Hand-curated facts: data/curated/{name}.csv"
    for name, file_name in sorted(files.items()):
        node = iri("src:" + name)
        triples += [(node, iri("rdf:type"), iri("dkg:SourceDocument")),
                    (node, iri("dcterms:title"), text(titles[name])), (node, iri("dkg:fileName"), Literal(file_name))]
    return triples

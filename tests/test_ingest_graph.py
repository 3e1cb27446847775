"""The graph `kg import` builds from the sources: every work once, every fact with its source (issue 3).

The import runs once per module into a temporary folder; the assertions compare it with what the
sources say, parsed again here or by the importers' own parsers (never with hand-typed totals).
Needs the sources folder (KG_SOURCES_DIR, default ../shared); skips with a reason when it is absent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest

from kg.ingest import run_import
from kg.ingest.companion_list import parse_list
from kg.ingest.curated import read_curated
from kg.ingest.records import normalise_title
from kg.ingest.references import parse_references
from kg.ingest.section9 import parse_section9
from kg.ingest.spreadsheets import parse_sheets
from kg.ingest.survey_tables import (
    TABLE1_CONCEPTS,
    WORK_TABLES,
    cited_reference,
    parse_table,
)
from kg.ingest.vocabulary import (
    benchmarks_in,
    code_availability_of,
    networks_in_framework,
    unresolved_benchmark_names,
)
from kg.iri import BENCH, CAT, DKG, GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_RECORDS, PAPER, normalise_arxiv_id, normalise_doi
from kg.load import load_graphs
from kg.queries import project_select
from kg.settings import Settings
from kg.views import CODE_AVAILABILITY_ORDER

REPO = Path(__file__).resolve().parents[1]
SOURCES = Settings(root=REPO).sources_dir
pytestmark = pytest.mark.skipif(not (SOURCES / "seeds").is_dir(),
                                reason=f"sources folder {SOURCES} is absent (set KG_SOURCES_DIR)")
PREFIXES = """PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
SURVEY = PAPER + "doi-10.1016-j.inffus.2025.104003"
# what the importer wrote: works and their records together (the per-source views restate facts and would
# repeat rows)
ASSERTED = [ox.NamedNode(g) for g in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_RECORDS)]


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> ox.Store:
    out = tmp_path_factory.mktemp("import") / "ttl"
    run_import(sources_dir=SOURCES, curated_dir=REPO / "data" / "curated", out_dir=out)
    store = ox.Store()
    load_graphs(store, ontology_dir=REPO / "ontology", data_dir=out)
    return store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else None for term in solution)
            for solution in store.query(PREFIXES + query, default_graph=ASSERTED)]


def values(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {r[0] for r in rows(store, f"SELECT ?o WHERE {{ <{subject}> {predicate} ?o }}")}


def test_every_reference_is_one_paper_cited_by_the_survey(graph):
    references = parse_references(SOURCES)
    assert references
    found = dict(rows(graph, "SELECT ?n ?p WHERE { ?p a dkg:ResearchPaper ; dkg:surveyReferenceNumber ?n }"))
    assert sorted(int(n) for n in found) == [r.number for r in references]
    assert len(set(found.values())) == len(references)
    cited = values(graph, SURVEY, "cito:cites")
    assert cited == set(found.values())
    citing = {p for (p,) in rows(graph, f"SELECT ?p WHERE {{ ?p a dkg:ResearchPaper ; cito:isCitedBy <{SURVEY}> }}")}
    assert citing == cited


def test_reference_facts_as_given(graph):
    for ref in parse_references(SOURCES):
        record = f"{_paper_of_ref(graph, ref.number)}#ref-{ref.number}"
        assert values(graph, record, "dkg:authorsAsGiven") == {ref.authors_as_given}
        assert values(graph, record, "<http://purl.org/dc/terms/title>") == {ref.title}
        if ref.year:
            assert values(graph, record, "<http://purl.org/spar/fabio/hasPublicationYear>") == {str(ref.year)}
        if ref.arxiv_id:
            assert values(graph, record, "<http://purl.org/spar/fabio/hasArXivId>") == {ref.arxiv_id}


def _paper_of_ref(store: ox.Store, number: int) -> str:
    (paper,), = rows(store, f"SELECT ?p WHERE {{ ?p a dkg:ResearchPaper ; dkg:surveyReferenceNumber {number} }}")
    return paper


def _list_work_key(entry, curated: dict[str, str]) -> str:
    """What identifies a listed work, from the list itself: a curated target, else the link's id, else the title."""
    target = curated.get(normalise_title(entry.title), "none")
    if target != "none":
        return target
    arxiv = normalise_arxiv_id(entry.link) if "arxiv" in entry.link.lower() else None
    doi = normalise_doi(entry.link)
    return ("arxiv:" + arxiv) if arxiv else ("doi:" + doi.lower()) if doi else ("title:" + normalise_title(entry.title))


def test_every_list_entry_maps_to_a_paper_and_distinct_entries_to_distinct_papers(graph):
    entries = parse_list(SOURCES)
    assert entries
    curated = {normalise_title(r["list_title"]): r["target"]
               for r in read_curated(REPO / "data" / "curated", "list-links")}
    paper_of = dict(rows(graph, "SELECT ?r ?p WHERE { ?r a dkg:ListEntry ; dkg:recordOf ?p . ?p a dkg:ResearchPaper }"))
    papers = set()
    for entry in entries:
        record = next((r for r in paper_of if r.endswith(f"#{entry.key}")), None)
        assert record, f"list line {entry.line} ({entry.title}) maps to no paper"
        papers.add(paper_of[record])
    # a reference's arXiv id also names its work: fold ids and reference numbers into one key space
    ref_ids = {f"arxiv:{r.arxiv_id}": f"ref:{r.number}" for r in parse_references(SOURCES) if r.arxiv_id}
    keys = {ref_ids.get(k, k) for k in (_list_work_key(e, curated) for e in entries)}
    assert len(papers) == len(keys)


def test_list_only_works_are_in_companion_list_not_in_survey(graph):
    """A work only the companion list names (no numbered reference, no table row) is not in the survey."""
    entries = parse_list(SOURCES)
    curated = {normalise_title(r["list_title"]): r["target"] for r in read_curated(REPO / "data" / "curated", "list-links")}
    ref_ids = {f"arxiv:{r.arxiv_id}": f"ref:{r.number}" for r in parse_references(SOURCES) if r.arxiv_id}
    listed = {ref_ids.get(k, k) for k in (_list_work_key(e, curated) for e in entries)}
    list_only = {k for k in listed if not k.startswith("ref:")}
    table_refs = {cited_reference(row.cells["Paper"]) for t in WORK_TABLES for row in parse_table(SOURCES, t)}
    assert list_only and table_refs <= {r.number for r in parse_references(SOURCES)}

    def works(pattern: str) -> set[str]:
        return {p for (p,) in rows(graph, f"SELECT ?p WHERE {{ ?p a dkg:ResearchPaper ; {pattern} }}")}

    in_survey, in_list = works("dkg:inSurvey true"), works("dkg:inCompanionList true")
    assert len(in_survey) == len(parse_references(SOURCES))
    assert len(in_list) == len(listed)
    assert len(in_list - in_survey) == len(list_only)
    assert not (in_list - in_survey) & works("dkg:inSurvey ?any FILTER (?any)")
    claimed = rows(graph, """SELECT ?p WHERE { ?p a dkg:ResearchPaper ; dkg:inSurvey true FILTER NOT EXISTS {
        ?p dkg:hasRecord ?r . ?r dkg:inSurvey true ; prov:wasDerivedFrom <https://w3id.org/duality-kg/source/survey-text> .
        ?r a ?c FILTER (?c IN (dkg:ReferenceEntry, dkg:TableRow)) } }""")
    assert claimed == []


def test_survey_is_a_revision_of_its_earlier_arxiv_version(graph):
    """Seed 000 asks readers to cite arXiv 2410.16411: the survey's earlier version, linked with its evidence."""
    text = (SOURCES / "seeds" / "000_3b328599f431ecd7.txt").read_text(encoding="utf-8").split("## Citation", 1)[1]
    arxiv = re.search(r"journal=\{arXiv preprint arXiv:(\d{4}\.\d{4,5})\}", text).group(1)
    title = re.search(r"title=\{(.+)\}", text).group(1)
    earlier = rows(graph, f"""SELECT ?w WHERE {{ <{SURVEY}> prov:wasRevisionOf ?w .
        ?w <http://purl.org/spar/fabio/hasArXivId> "{arxiv}" }}""")
    assert len(earlier) == 1
    assert values(graph, earlier[0][0], "<http://purl.org/dc/terms/title>") == {title}
    evidence = rows(graph, f"""SELECT ?locator WHERE {{ ?r dkg:recordOf <{SURVEY}> ; prov:wasRevisionOf <{earlier[0][0]}> ;
        prov:wasDerivedFrom <https://w3id.org/duality-kg/source/companion-list> ; dkg:locator ?locator }}""")
    assert len(evidence) == 1 and f"arXiv:{arxiv}" in evidence[0][0]
    assert not rows(graph, "SELECT ?s WHERE { ?s <http://purl.org/spar/fabio/hasManifestation> ?o }")
    assert not rows(graph, f"SELECT ?x WHERE {{ <{earlier[0][0]}> dkg:inSurvey ?x }}")


def test_front_matter_record_locator_covers_the_lines_its_facts_come_from(graph):
    """Regression: the locator said 'lines 15-23' while the DOI (line 64) and year (line 70) come from further down."""
    record = f"{SURVEY}#front-matter"
    (locator,) = values(graph, record, "dkg:locator")
    named = set()
    for low, high in re.findall(r"(\d+)(?:-(\d+))?", locator):
        named |= set(range(int(low), int(high or low) + 1))
    lines = (SOURCES / "seeds" / "001_fd43b07d03e1af21.txt").read_text(encoding="utf-8").splitlines()
    shown = re.sub(r"<sup>.*?</sup>|\s+", " ", " ".join(lines[n - 1] for n in sorted(named)))
    shown = re.sub(r"\s+", " ", shown)
    facts = [p for p in ("<http://purl.org/dc/terms/title>", "dkg:venueAsGiven", "dkg:doi",
                         "<http://purl.org/spar/fabio/hasPublicationYear>") if values(graph, record, p)]
    assert len(facts) == 4
    for predicate in facts:
        for value in values(graph, record, predicate):
            assert value in shown, (predicate, value, locator)
    (authors,) = values(graph, record, "dkg:authorsAsGiven")
    for author in authors.split(", "):
        assert author in shown, (author, locator)


def test_list_entry_headings_are_categories(graph):
    for entry in parse_list(SOURCES):
        paper = next(p for r, p in rows(graph, "SELECT ?r ?p WHERE { ?r a dkg:ListEntry ; dkg:recordOf ?p }")
                     if r.endswith(f"#{entry.key}"))
        categories = values(graph, paper, "dkg:inCategory")
        assert {CAT + c for c in entry.concepts} <= categories, entry.line
        assert entry.link.replace(" ", "%20") in values(graph, f"{paper}#{entry.key}", "<https://schema.org/url>")


@pytest.mark.parametrize("table", WORK_TABLES)
def test_every_table_row_keeps_its_cells_on_the_cited_paper(graph, table):
    parsed = parse_table(SOURCES, table)
    assert parsed
    for row in parsed:
        paper = _paper_of_ref(graph, cited_reference(row.cells["Paper"]))
        record = f"{paper}#table-{table}-row-{row.row}"
        assert values(graph, record, "dkg:tableNumber") == {str(table)}
        assert values(graph, record, "dkg:rowNumber") == {str(row.row)}
        texts = set().union(*(values(graph, record, f"dkg:{c}") for c in (
            "cellPaper", "cellFramework", "cellBaseModel", "cellNetwork", "cellCode", "cellTrainingData", "cellTask",
            "cellSetting")))
        assert {re.sub(r"\s+", " ", v) for v in row.cells.values()} <= texts
        assert values(graph, record, "dkg:frameworkName") == {row.cells["Framework"]}
        assert values(graph, record, "dkg:frameworkName") <= values(graph, paper, "dkg:frameworkName")


def test_networks_named_inside_table7_framework_cells_are_extracted(graph):
    """Table 7 has no Network column: 'GENSIM (GPT-4, GPT-3.5, Code Llama)' names GenSim's networks in parentheses."""
    parsed = parse_table(SOURCES, 7)
    gensim = next(row for row in parsed if row.cells["Framework"].upper().startswith("GENSIM"))
    named = {item.strip() for item in re.search(r"\((.*)\)", gensim.cells["Framework"]).group(1).split(",")}
    assert named == {"GPT-4", "GPT-3.5", "Code Llama"}
    found = 0
    for row in parsed:
        record = f"{_paper_of_ref(graph, cited_reference(row.cells['Paper']))}#table-7-row-{row.row}"
        labels = {label for (label,) in rows(graph, f"SELECT ?l WHERE {{ <{record}> dkg:usesNetwork/rdfs:label ?l }}")}
        inside = " ".join(re.findall(r"\(([^()]*)\)", row.cells["Framework"]))
        for label in labels:  # each network is named in the cell's parentheses (by label or its abbreviation)
            assert label in inside or re.search(r"\((\w+)\)$", label).group(1) in inside, (row.row, label)
        if row is gensim:
            assert labels == named
        found += bool(labels)
    assert found >= 3
    assert not [networks_in_framework(row.cells["Framework"])[1] for row in parsed if networks_in_framework(row.cells["Framework"])[1]]


def test_framework_names_the_survey_text_gives_are_recorded(graph):
    """VIPER [112], DPPO [180], Decision Transformers [153]: names given only in the text, with the section."""
    text = (SOURCES / "seeds" / "001_fd43b07d03e1af21.txt").read_text(encoding="utf-8")
    rows_ = read_curated(REPO / "data" / "curated", "text-frameworks")
    assert {r["framework_name"].split()[0] for r in rows_} >= {"VIPER", "Diffusion", "Decision"}
    for row in rows_:
        number = int(row["target"].removeprefix("ref:"))
        assert re.search(re.escape(row["framework_name"]) + r"[^\[]*\[" + str(number) + r"\]", text), row
        paper = _paper_of_ref(graph, number)
        assert row["framework_name"] in values(graph, paper, "dkg:frameworkName")
        (locator,), = rows(graph, f"""SELECT ?l WHERE {{ ?r dkg:recordOf <{paper}> ; a dkg:CuratedRecord ;
            dkg:frameworkName "{row['framework_name']}" ; dkg:evidence <https://w3id.org/duality-kg/source/survey-text> ;
            dkg:locator ?l }}""")
        assert locator.startswith("Section ") and row["framework_name"] in locator


# Section 3: "Table 2 offers details on LLM-based works; Table 3 covers VLMs; Tables 4 and 5 summarize
# diffusion models; and Table 7 presents information on world models and video prediction models."
TABLE_CATEGORY = {2: "llm", 3: "vlm", 4: "diffusion-model", 5: "diffusion-model",
                  7: "world-and-video-prediction-models"}
SHEET_CATEGORY = {"llm": "llm", "vlm": "vlm", "dm": "diffusion-model", "wm": "world-and-video-prediction-models"}


def test_table_and_sheet_rows_state_the_base_model_category_they_sit_in(graph):
    by_record = defaultdict(set)
    for record, category in rows(graph, "SELECT ?r ?c WHERE { ?r dkg:recordOf ?w ; dkg:tabulatedUnder ?c }"):
        by_record[record.split("#")[1]].add(category.removeprefix(CAT))
    for table in WORK_TABLES:
        for row in parse_table(SOURCES, table):
            assert by_record.pop(f"table-{table}-row-{row.row}") == {TABLE_CATEGORY[table]}, (table, row.row)
    for row in parse_sheets(SOURCES):
        if row.sheet in SHEET_CATEGORY:
            assert by_record.pop(row.record_key) == {SHEET_CATEGORY[row.sheet]}, row.file_name
    assert not by_record, f"records of no base-model table state a category: {sorted(by_record)[:3]}"
    unsupported = rows(graph, """SELECT ?w ?c WHERE { ?w a dkg:ResearchPaper ; dkg:tabulatedUnder ?c
        FILTER NOT EXISTS { ?w dkg:hasRecord/dkg:tabulatedUnder ?c } }""")
    assert not unsupported


def test_every_spreadsheet_row_maps_to_a_work_the_survey_names(graph):
    sheet_rows = parse_sheets(SOURCES)
    assert sheet_rows
    found = rows(graph, """SELECT ?r ?key ?p ?other WHERE {
        ?r a dkg:SpreadsheetRow ; dkg:bibtexKey ?key ; dkg:recordOf ?p .
        OPTIONAL { ?p dkg:hasRecord ?other . ?other a ?c FILTER (?c IN (dkg:ReferenceEntry, dkg:ListEntry)) } }""")
    by_fragment = defaultdict(set)
    for record, key, paper, other in found:
        by_fragment[record.split("#")[1]].add((key, paper, other))
    for row in sheet_rows:
        hits = by_fragment[row.record_key]
        assert {key for key, _, _ in hits} == {row.key}
        assert any(other for _, _, other in hits), f"{row.file_name} row {row.row} is not a referenced or listed work"
        record = f"{next(iter(hits))[1]}#{row.record_key}"
        for column in ("Dataset", "Modules", "Taxonomy"):
            if column in row.cells:
                assert values(graph, record, f"dkg:cell{column}") == {row.verbatim[column]}


def test_verbatim_spreadsheet_cells_keep_their_whitespace(graph):
    """A SpreadsheetRow's cells are the file's text exactly ('World  Model', 'Decision Diffuser '), read here with openpyxl."""
    found = defaultdict(set)
    for value, in rows(graph, "SELECT ?v WHERE { ?r a dkg:SpreadsheetRow ; ?p ?v FILTER (STRSTARTS(STR(?p), STR(dkg:cell))) }"):
        found[value.strip()].add(value)
    irregular = 0
    for path in sorted((SOURCES / "survey-repo").glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            for cell in cells if number > 1 and cells and cells[0] is not None else ():
                if cell is not None and str(cell).strip():
                    assert str(cell) in found[str(cell).strip()], (path.name, number, str(cell))
                    irregular += str(cell) != " ".join(str(cell).split())
    assert irregular >= 1, "no cell with stray spaces: the check would pass vacuously"


@pytest.mark.parametrize(("marker", "spellings"), [
    ("IROS", {"IEEE/RSJ IROS", "IROS"}), ("PAMI", {"IEEE TPAMI", "IEEE Trans. PAMI"})])
def test_duplicate_venues_are_merged_keeping_both_spellings(graph, marker, spellings):
    """The reference list spells IROS and TPAMI two ways each: one venue, every spelling a label of it."""
    text = (SOURCES / "seeds" / "001_fd43b07d03e1af21.txt").read_text(encoding="utf-8")
    numbers = [int(n) for n, entry in re.findall(r"^- \[(\d+)\] (.*)$", text, flags=re.MULTILINE)
               if re.search(rf"\b(?:IEEE/RSJ |IEEE T|IEEE Trans\. )?{marker}\b", entry)]
    assert len(numbers) >= 2
    venues = {v for n in numbers for v in values(graph, _paper_of_ref(graph, n), "dkg:publishedIn")}
    assert len(venues) == 1
    venue = venues.pop()
    labels = values(graph, venue, "rdfs:label") | values(graph, venue, "<http://www.w3.org/2004/02/skos/core#altLabel>")
    assert labels == spellings and len(values(graph, venue, "rdfs:label")) == 1


def test_no_paper_lacks_a_source(graph):
    papers = {p for (p,) in rows(graph, "SELECT ?p WHERE { ?p a dkg:ResearchPaper }")}
    sourced = {p for (p,) in rows(graph, """SELECT DISTINCT ?p WHERE { ?p a dkg:ResearchPaper ; dkg:hasRecord ?r .
        ?r dkg:recordOf ?p ; prov:wasDerivedFrom ?s . ?s a dkg:SourceDocument }""")}
    assert papers and papers == sourced


def test_no_statement_without_provenance(graph):
    rule = (REPO / "queries" / "qc" / "paper-fact-without-record-violation.rq").read_text(encoding="utf-8")
    assert list(project_select(graph, rule)) == []


def test_provenance_rule_finds_an_unsourced_statement(graph):
    rule = (REPO / "queries" / "qc" / "paper-fact-without-record-violation.rq").read_text(encoding="utf-8")
    paper = ox.NamedNode(_paper_of_ref(graph, 8))
    extra = ox.Quad(paper, ox.NamedNode(DKG + "frameworkName"), ox.Literal("not in any source"), ox.NamedNode(GRAPH_DATA))
    graph.add(extra)
    try:
        violations = list(project_select(graph, rule))
    finally:
        graph.remove(extra)
    assert [v["value"].value for v in violations] == ["not in any source"]


def test_table9_benchmarks_have_every_column(graph):
    parsed = parse_table(SOURCES, 9)
    assert parsed
    for row in parsed:
        name = re.sub(r"\s*\[\d+\]\s*$", "", row.cells["Benchmark / Dataset"])
        (node,) = benchmarks_in(name)
        record = f"{BENCH}{node}#table-9-row-{row.row}"
        cells = set().union(*(values(graph, record, f"dkg:{c}") for c in (
            "cellBenchmark", "cellDomain", "cellTypicalBaseModel", "cellFMConditioning", "cellLongHorizon",
            "cellMetrics")))
        assert set(row.cells.values()) <= cells
        bench = BENCH + node
        assert values(graph, bench, "rdfs:label") == {name}
        assert values(graph, bench, "dkg:domain") == {row.cells["Domain"]}
        fm_conditioning = str(row.cells["FM Conditioning"].startswith("✓")).lower()
        assert values(graph, bench, "dkg:fmConditioning") == {fm_conditioning}
        long_horizon = str(row.cells["Long-Horizon Eval."].startswith("✓")).lower()
        assert values(graph, bench, "dkg:longHorizonEval") == {long_horizon}
        assert values(graph, bench, "dkg:commonMetric") == set(re.split(r"\s*,\s*", row.cells["Common Metrics"]))
    table9 = rows(graph, "SELECT DISTINCT ?b WHERE { ?r dkg:tableNumber 9 ; dkg:recordOf ?b . ?b a dkg:Benchmark }")
    assert len(table9) == len(parsed)


# Table 9's "Typical Base Model" parts, by the concept's preferred label in ontology/duality.ttl
TABLE9_PART_LABELS = {"diffusion": "Diffusion model", "transformer": "Transformer policy (incl. VLA models)",
                      "vla": "Transformer policy (incl. VLA models)"}


def test_table9_typical_base_model_keeps_transformer_and_vla(graph):
    """'Diffusion / Transformer' (D4RL) and 'VLA / Transformer' (Open-X) kept their transformer part."""
    kept = 0
    for row in parse_table(SOURCES, 9):
        (node,) = benchmarks_in(re.sub(r"\s*\[\d+\]\s*$", "", row.cells["Benchmark / Dataset"]))
        labels = {label for (label,) in rows(graph, f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?l WHERE {{ <{BENCH}{node}> dkg:typicalBaseModel/skos:prefLabel ?l }}""")}
        parts = [p.strip().lower() for p in row.cells["Typical Base Model"].split("/")]
        assert labels, row.cells
        for part in parts:
            if part in TABLE9_PART_LABELS:
                assert TABLE9_PART_LABELS[part] in labels, (row.row, part)
                kept += part in ("transformer", "vla")
    assert kept >= 3


def test_every_benchmark_named_in_a_table_is_resolved(graph):
    cases = [(t, row) for t in WORK_TABLES for row in parse_table(SOURCES, t)]
    assert cases
    for table, row in cases:
        named = set()
        for column in ("Training Data", "Simulation or Real-World Exp."):
            assert unresolved_benchmark_names(row.cells[column]) == [], (table, row.row, row.cells[column])
            named |= {BENCH + b for b in benchmarks_in(row.cells[column])}
        paper = _paper_of_ref(graph, cited_reference(row.cells["Paper"]))
        assert values(graph, f"{paper}#table-{table}-row-{row.row}", "dkg:usesBenchmark") == named
        for bench in named:
            assert values(graph, bench, "rdfs:label"), bench


@pytest.mark.parametrize(("cell", "node"), [
    ("D4RL benchmark", "d4rl"), ("D4RL locomotion suite", "d4rl"), ("D4RL benchmarks", "d4rl"),
    ("Meta-World", "meta-world"), ("MetaWorld", "meta-world"), ("Meta-world", "meta-world"),
    ("Gym-MuJoCo", "mujoco"), ("MuJoCo", "mujoco"), ("Maze2D", "maze2d"), ("CALVIN", "calvin"),
    ("NVIDIA Isaac Gym", "isaac-gym"), ("AntMaze", "antmaze"), ("FrankaKitchen", "franka-kitchen"),
])
def test_benchmark_variants_share_one_node(cell, node):
    assert benchmarks_in(cell) == [node]


def test_section9_challenges_have_their_cited_works(graph):
    areas, directions = parse_section9(SOURCES)
    challenges = [(area, c) for area in areas for c in area.challenges]
    assert challenges and directions
    found = defaultdict(set)
    evidence = "SELECT ?c ?l ?p WHERE { ?c a dkg:Challenge ; rdfs:label ?l ; dkg:hasEvidence ?p }"
    for _node, label, paper in rows(graph, evidence):
        found[label].add(paper)
    assert len(rows(graph, "SELECT ?c WHERE { ?c a dkg:Challenge }")) == len(challenges)
    for area, challenge in challenges:
        assert challenge.references, (area.heading, challenge.label)
        expected = {_paper_of_ref(graph, n) for n in challenge.references}
        assert expected <= found[challenge.label], (area.heading, challenge.label)


def test_disagreeing_sources_keep_both_values_on_their_own_records(graph):
    table_code = {}
    for table in WORK_TABLES:
        for row in parse_table(SOURCES, table):
            table_code[row.cells["Framework"].strip().lower()] = row.cells["Code"]
    disagreements = [row for row in parse_sheets(SOURCES) if row.cells.get("Framework", "").lower() in table_code
                     and code_availability_of(table_code[row.cells["Framework"].lower()])
                     != code_availability_of(row.cells.get("Code", ""))]
    assert disagreements, "the sources disagree on code availability somewhere (e.g. DVF: table N/A, sheet Yes)"
    for row in disagreements:
        (paper,), = rows(graph, f"""SELECT ?p WHERE {{ ?r dkg:recordOf ?p ; dkg:bibtexKey "{row.key}" }}""")
        per_record = rows(graph,
                          f"""SELECT ?r ?v WHERE {{ <{paper}> dkg:hasRecord ?r . ?r dkg:codeAvailability ?v }}""")
        assert len({v for _, v in per_record}) >= 2
        # the merged view keeps the most available value (kg.views precedence); the records keep both
        assert values(graph, paper, "dkg:codeAvailability") == {min((v for _, v in per_record),
                                                                    key=CODE_AVAILABILITY_ORDER.index)}


def test_table1_marks_are_distinct_values(graph):
    marks = {"✓": DKG + "PrimaryFocus", "*": DKG + "PartialFocus"}
    parsed = parse_table(SOURCES, 1)
    checked = 0
    for row in parsed:
        number = cited_reference(row.cells["Survey"])
        paper = _paper_of_ref(graph, number) if number else SURVEY
        assert DKG + "Survey" in values(graph, paper, "a")
        found = dict(rows(graph, f"""SELECT ?concept ?mark WHERE {{ <{paper}> dkg:coverage ?c .
            ?c dkg:coverageOf ?concept ; dkg:coverageMark ?mark }}"""))
        expected = {CAT + TABLE1_CONCEPTS[h]: marks[v] for h, v in row.cells.items() if v in marks}
        assert found == expected, row.cells["Survey"]
        checked += len(expected)
    assert checked


def test_curated_policy_facts_sit_on_curated_records_with_their_evidence(graph):
    policy_rows = read_curated(REPO / "data" / "curated", "policy-facts")
    assert policy_rows
    for row in policy_rows:
        kind, _, key = row["target"].partition(":")
        paper = _paper_of_ref(graph, int(key)) if kind == "ref" else PAPER + "arxiv-" + normalise_arxiv_id(key)
        facts = {("dkg:rlStage", CAT + row["rl_stage"]) if row["rl_stage"] else None,
                 ("dkg:policyArchitecture", CAT + row["policy_architecture"]) if row["policy_architecture"] else None}
        for predicate, value in facts - {None}:
            assert value in values(graph, paper, predicate), (row["target"], predicate)
            supporting = rows(graph, f"""SELECT ?evidence WHERE {{ ?r a dkg:CuratedRecord ; dkg:recordOf <{paper}> ;
                {predicate} <{value}> ; dkg:evidence ?evidence ; prov:wasDerivedFrom ?source }}""")
            assert supporting == [("https://w3id.org/duality-kg/source/" + row["evidence"],)], row["target"]

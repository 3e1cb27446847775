"""The survey's in-text citation graph (data/ttl/citations.ttl), the works that introduced benchmarks and
networks, the evidence of extends links, and seed 003 as a source (issue 10, points 5 and 6).

Counts are checked against a parse of seed 001 written here, independent of kg.ingest.citations (its own
heading rule and range expansion). Needs the sources folder (KG_SOURCES_DIR, default ../shared).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.ingest import run_import
from kg.iri import BENCH, GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_RECORDS, NET, PAPER
from kg.load import load_graphs
from kg.queries import load_query, result_table, run_query
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings(root=REPO)
SOURCES = SETTINGS.sources_dir
CURATED = REPO / "data" / "curated"
SURVEY_TEXT = "seeds/001_fd43b07d03e1af21.txt"
SURVEY = PAPER + "doi-10.1016-j.inffus.2025.104003"
pytestmark = pytest.mark.skipif(not (SOURCES / "seeds").is_dir(),
                                reason=f"sources folder {SOURCES} is absent (set KG_SOURCES_DIR)")
PREFIXES = """PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("import") / "ttl"
    run_import(sources_dir=SOURCES, curated_dir=CURATED, out_dir=out)
    return out


@pytest.fixture(scope="module")
def graph(imported: Path) -> ox.Store:
    store = ox.Store()
    load_graphs(store, ontology_dir=REPO / "ontology", data_dir=imported)
    return store


# what the imported files state: works and shared entities (graph:data) with their source records
# (graph:records) and the ontology; not the per-source views, which restate the records on their works
_FILES = [ox.NamedNode(g) for g in (GRAPH_DATA, GRAPH_RECORDS, GRAPH_ONTOLOGY)]


def rows(store: ox.Store, query: str) -> list[tuple[str | None, ...]]:
    return [tuple(term.value if term is not None else None for term in solution)
            for solution in store.query(PREFIXES + query, default_graph=_FILES)]


def reference(store: ox.Store, number: int) -> str:
    found = rows(store, f"SELECT ?w WHERE {{ ?w a dkg:ResearchPaper ; dkg:surveyReferenceNumber {number} }}")
    assert len(found) == 1, f"reference [{number}] is {len(found)} works"
    return found[0][0]


# ------------------------------------------------------------------ an independent parse of seed 001

def _expand(inside: str) -> set[int]:
    numbers: set[int] = set()
    for part in inside.split(","):
        low, _, high = part.strip().replace("-", "–").partition("–")
        numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def independent_counts() -> tuple[Counter, Counter]:
    """(citations per section title, citations per table number): every [..] of digits outside $math$, each
    distinct number of a bracket once; a section starts at a '#' line, at a numbered line '8. Title', or at a
    Section 9 area heading of data/curated/section9-areas.csv; table rows are the tab-separated lines."""
    text = (SOURCES / SURVEY_TEXT).read_text(encoding="utf-8")
    lines = text.split("### References", 1)[0].splitlines()
    start = next(i for i, line in enumerate(lines) if "1. Introduction" in line)
    with (CURATED / "section9-areas.csv").open(encoding="utf-8", newline="") as handle:
        areas = {row["heading"] for row in csv.DictReader(handle)}
    per_section: Counter = Counter()
    per_table: Counter = Counter()
    section, table = None, None
    for line in lines[start:]:
        bare = line.strip().lstrip("#").strip()
        table_caption = re.fullmatch(r"\**Table (\d+)\**", bare)
        if table_caption:
            table = int(table_caption.group(1))
            continue
        if line.startswith("#") or re.fullmatch(r"\d+(\.\d+)*\. [A-Z][^.\[]*", bare) or bare in areas:
            section = re.sub(r"^\d+(\.\d+)*\.?\s+", "", bare)
            continue
        found = sum(len(_expand(m.group(1))) for m in re.finditer(r"\[([\d,–\- ]+)\]", re.sub(r"\$[^$]*\$", "", line)))
        if "\t" in line and found:
            per_table[table] += found
        elif found:
            per_section[section] += found
    return per_section, per_table


def test_citations_per_section_match_an_independent_parse(graph):
    expected, _ = independent_counts()
    assert len(expected) > 30 and sum(expected.values()) > 400, "the independent parse found the body"
    found = Counter({title: int(n) for title, n in rows(graph, """
        SELECT ?title (COUNT(?c) AS ?n) WHERE { ?c a cito:Citation ; dkg:inSection ?s . ?s dcterms:title ?title }
        GROUP BY ?title""")})
    assert found == expected


def test_citations_per_table_match_an_independent_parse(graph):
    _, expected = independent_counts()
    assert set(expected) == {1, 2, 3, 4, 5, 7, 9}
    found = Counter({int(t): int(n) for t, n in rows(graph, """
        SELECT ?t (COUNT(?c) AS ?n) WHERE { ?c a cito:Citation ; dkg:inTable ?t } GROUP BY ?t""")})
    assert found == expected


def test_multi_reference_bracket_with_a_range_expands_to_every_work(graph):
    cited = rows(graph, """SELECT ?n ?locator WHERE { ?c a cito:Citation ; dkg:bracket "[38,149–152]" ;
        dkg:locator ?locator ; cito:hasCitedEntity ?w . ?w dkg:surveyReferenceNumber ?n }""")
    by_place: dict[str, set[int]] = {}
    for number, locator in cited:
        by_place.setdefault(locator, set()).add(int(number))
    assert by_place["Section 6.1. Transformer policy, paragraph 1, sentence 1"] == {38, 149, 150, 151, 152}


def test_pure_range_expands(graph):
    cited = rows(graph, """SELECT DISTINCT ?n WHERE { ?c a cito:Citation ; dkg:bracket "[76–85]" ;
        cito:hasCitedEntity ?w . ?w dkg:surveyReferenceNumber ?n }""")
    assert sorted(int(n) for (n,) in cited) == list(range(76, 86))


def test_latex_interval_is_not_a_citation(imported):
    """Regression: '$\\gamma \\in [0, 1]$' in Section 2.2 was read as a citation of [0] (and [1])."""
    report = (imported.parent / "reports" / "merges.md").read_text(encoding="utf-8")
    assert "cites [0]" not in report


def test_sentences_do_not_split_after_et_al(graph):
    found = rows(graph, f"""SELECT ?locator WHERE {{ ?c a cito:Citation ; cito:hasCitedEntity <{reference(graph, 182)}> ;
        dkg:bracket "[182]" ; dkg:locator ?locator }}""")
    assert ("Section 8. Policy distillation, paragraph 2, sentence 1",) in found


def test_every_citation_is_typed_and_sourced(graph):
    untyped = rows(graph, """SELECT ?c WHERE { ?c a cito:Citation .
        FILTER NOT EXISTS { ?c cito:hasCitingEntity ?s ; cito:hasCitedEntity ?w ; cito:hasCitationCharacterization ?k ;
                            dkg:locator ?l ; prov:wasDerivedFrom ?src } }""")
    assert not untyped
    records = rows(graph, "SELECT ?c WHERE { ?c a cito:Citation ; dkg:recordOf ?x }")
    assert not records, "citation nodes are not source records (they stay in the default graph)"


def test_survey_states_each_typed_citation_on_a_record(graph):
    kinds = {k for (k,) in rows(graph, f"SELECT DISTINCT ?k WHERE {{ ?c cito:hasCitingEntity <{SURVEY}> ; "
                                       "cito:hasCitationCharacterization ?k }")}
    assert kinds == {"http://purl.org/spar/cito/discusses", "http://purl.org/spar/cito/citesAsEvidence",
                     "http://purl.org/spar/cito/citesAsDataSource"}
    missing = rows(graph, f"""SELECT ?k ?w WHERE {{ ?c cito:hasCitingEntity <{SURVEY}> ;
        cito:hasCitationCharacterization ?k ; cito:hasCitedEntity ?w .
        FILTER NOT EXISTS {{ <{SURVEY}> ?k ?w . ?r dkg:recordOf <{SURVEY}> ; ?k ?w ; prov:wasDerivedFrom ?s }} }}""")
    assert not missing


def test_evidence_citations_are_the_section9_challenges_evidence(graph):
    """cito:citesAsEvidence marks the brackets of numbered challenges, the same works Section 9's parser gives
    the challenges (dkg:hasEvidence), area by area."""
    as_evidence = set(rows(graph, """SELECT DISTINCT ?title ?w WHERE { ?c a cito:Citation ;
        cito:hasCitationCharacterization cito:citesAsEvidence ; cito:hasCitedEntity ?w ; dkg:inSection ?s .
        ?s dcterms:title ?title }"""))
    challenges = set(rows(graph, """SELECT DISTINCT ?title ?w WHERE { ?ch a dkg:Challenge ; dkg:inArea ?a ;
        dkg:hasEvidence ?w . ?a rdfs:label ?title }"""))
    assert len(challenges) > 50
    assert as_evidence == challenges


def test_co_citation_of_two_known_works(graph):
    """'TEXT2REWARD [5] and Self-Refined LLM [63] ..., while EUREKA [8] ...' (Section 5.1.1): one sentence."""
    table = result_table(run_query(store=graph, query=load_query(SETTINGS, "co-cited-works"),
                                   params={"cited": reference(graph, 8)}))
    names = [str(v) for v in table.variables]
    by_other = {row[names.index("work")].value: row for row in table.rows}
    row = by_other[reference(graph, 63)]
    assert int(row[names.index("sameSentence")].value) >= 1
    assert row[names.index("reference")].value == "63"
    assert reference(graph, 199) not in by_other


@pytest.mark.parametrize("name, param", [("where-discussed", "work"), ("co-cited-works", "cited"),
                                         ("citation-neighbourhood", "paper")])
def test_citation_queries_run_and_name_reference_numbers(graph, name, param):
    table = result_table(run_query(store=graph, query=load_query(SETTINGS, name), params={param: reference(graph, 8)}))
    assert table.rows, name
    names = [str(v) for v in table.variables]
    assert any(row[names.index("reference")] is not None for row in table.rows)


def test_where_discussed_lists_sections_and_the_table_row(graph):
    table = result_table(run_query(store=graph, query=load_query(SETTINGS, "where-discussed"),
                                   params={"work": reference(graph, 8)}))
    locators = {row[-1].value for row in table.rows}
    assert "Table 2, row 5" in locators
    assert "Section 5.1.1. Reward design with LLMs, paragraph 2, sentence 2" in locators


def test_citation_neighbourhood_includes_co_citation(graph):
    table = result_table(run_query(store=graph, query=load_query(SETTINGS, "citation-neighbourhood"),
                                   params={"paper": reference(graph, 8)}))
    relations = {row[1].value for row in table.rows}
    assert {"co-cited in a sentence", "http://purl.org/spar/cito/isCitedBy"} <= relations


# ------------------------------------------------------------------ introduced in

@pytest.mark.parametrize("entity, number", [(BENCH + "meta-world", 139), (NET + "clip", 73), (NET + "gpt-4", 37),
                                            (BENCH + "epickitchen-ego4d", 143), (BENCH + "d4rl", 138)])
def test_benchmarks_and_networks_link_to_the_work_that_introduced_them(graph, entity, number):
    found = rows(graph, f"""SELECT ?w ?locator ?src WHERE {{ <{entity}> dkg:introducedIn ?w .
        ?r dkg:recordOf <{entity}> ; dkg:introducedIn ?w ; dkg:locator ?locator ; prov:wasDerivedFrom ?src }}""")
    assert [w for w, _, _ in found] == [reference(graph, number)]


def test_a_name_cited_with_a_work_that_did_not_introduce_it_gets_no_link(graph):
    """Isaac Gym [146]: the reference is 'Factory: fast contact for robotic assembly', which does not name it."""
    assert not rows(graph, f"SELECT ?w WHERE {{ <{BENCH}isaac-gym> dkg:introducedIn ?w }}")


# ------------------------------------------------------------------ extends evidence

def test_extends_links_carry_their_basis_and_evidence(graph):
    found = rows(graph, """SELECT ?s ?o ?method ?locator ?quote WHERE { ?r dkg:recordOf ?subject ;
        cito:extends ?object ; dkg:extractionMethod ?method ; dkg:locator ?locator ; dkg:evidenceQuote ?quote .
        ?subject dkg:surveyReferenceNumber ?s . ?object dkg:surveyReferenceNumber ?o }""")
    rows_csv = (CURATED / "extends.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(found) == len(rows_csv) == 8
    inferred = {(int(s), int(o)) for s, o, m, _, _ in found if m.endswith("#CuratorInference")}
    assert inferred == {(9, 8), (111, 116), (149, 153), (155, 153)}
    text = " ".join((SOURCES / SURVEY_TEXT).read_text(encoding="utf-8").split())
    for _, _, method, locator, quote in found:
        if method.endswith("#SurveySentence"):
            assert re.match(r"Section .+, paragraph \d+, sentence \d+$", locator), locator
            assert quote in text


def _curated_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "curated"
    shutil.copytree(CURATED, copy)
    return copy


def test_extends_quote_not_in_the_text_is_an_error_naming_the_row(tmp_path):
    curated = _curated_copy(tmp_path)
    path = curated / "extends.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("extensions such as EDGI [94]",
                                                             "extensions like EDGI [94]"), encoding="utf-8")
    out = tmp_path / "ttl"
    with pytest.raises(InputError, match=r"extends\.csv line 3: .*extensions like EDGI"):
        run_import(sources_dir=SOURCES, curated_dir=curated, out_dir=out)
    assert not out.exists(), "nothing is written on error"


def test_introduced_in_name_not_printed_with_its_citation_is_an_error(tmp_path):
    curated = _curated_copy(tmp_path)
    path = curated / "introduced-in.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("net:clip,ref:73,CLIP,", "net:clip,ref:72,CLIP,"),
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"introduced-in\.csv line 3: .*'CLIP'.*\[72\]"):
        run_import(sources_dir=SOURCES, curated_dir=curated, out_dir=tmp_path / "ttl")


# ------------------------------------------------------------------ seed 003

def test_listing_page_year_disagrees_with_the_article_and_both_are_kept(graph):
    years = set(rows(graph, f"""SELECT ?year ?src WHERE {{ ?r dkg:recordOf <{SURVEY}> ;
        fabio:hasPublicationYear ?year ; prov:wasDerivedFrom ?src }}"""))
    assert years == {("2025", "https://w3id.org/duality-kg/source/survey-text"),
                     ("2024", "https://w3id.org/duality-kg/source/listing-page")}
    # the merged view keeps the survey's own year (docs/model.md, precedence); the listing's stays on its record
    assert {y for (y,) in rows(graph, f"SELECT ?y WHERE {{ GRAPH <{GRAPH_DATA}> {{ <{SURVEY}> fabio:hasPublicationYear ?y }} }}")} == {"2025"}
    listed = result_table(run_query(store=graph, query=load_query(SETTINGS, "source-disagreements")))
    column = {name: i for i, name in enumerate(listed.variables)}
    survey_rows = {(row[column["value"]].value, row[column["source"]].value) for row in listed.rows
                   if row[column["work"]].value == SURVEY and row[column["property"]].value.endswith("hasPublicationYear")}
    assert survey_rows == {("2025", "https://w3id.org/duality-kg/source/survey-text"),
                           ("2024", "https://w3id.org/duality-kg/source/listing-page")}


def test_listing_page_related_works_are_candidates_like_seed_002(graph):
    text = (SOURCES / "seeds/003_eac8f74251f4280d.txt").read_text(encoding="utf-8")
    related = text.split("Related papers", 1)[1].strip().splitlines()[::3]
    assert len(related) == 4
    found = rows(graph, """SELECT ?title ?year ?authors WHERE { ?w a dkg:CandidatePaper ; dkg:inSurvey false ;
        dkg:hasRecord ?r . ?r prov:wasDerivedFrom <https://w3id.org/duality-kg/source/listing-page> ;
        dcterms:title ?title ; fabio:hasPublicationYear ?year ; dkg:authorsAsGiven ?authors }""")
    assert sorted(title for title, _, _ in found) == sorted(t.strip() for t in related)
    assert all(year == "2026" for _, year, _ in found)
    assert not any("Recently, generative AI" in str(o) for _, _, o in
                   rows(graph, "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isLiteral(?o)) }")), "no abstract prose"


def test_import_twice_gives_the_same_citation_bytes(imported, tmp_path):
    again = tmp_path / "ttl"
    run_import(sources_dir=SOURCES, curated_dir=CURATED, out_dir=again)
    first = (imported / "citations.ttl").read_bytes()
    assert first.count(b"a cito:Citation") > 600
    assert (again / "citations.ttl").read_bytes() == first
    assert (again / "survey.ttl").read_bytes() == (imported / "survey.ttl").read_bytes()

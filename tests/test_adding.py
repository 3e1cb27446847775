"""kg add's library: every input format read from a hand-written record of a real paper, the checks that
stop a batch, and deduplication against the project's real files (data/ttl/ + data/edits/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.adding import plan, read_files
from kg.edits import project_files
from kg.errors import InputError
from kg.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "add"
RIALTO = "Reconciling Reality through Simulation: A Real-to-Sim-to-Real Approach for Robust Manipulation"
AUTHORS = ["Marcel Torne", "Anthony Simeonov", "Zechu Li", "April Chan", "Tao Chen", "Abhishek Gupta", "Pulkit Agrawal"]

# file, then what its one RialTo entry must give: authors (in order; BibTeX/RIS keep "Family, Given"),
# year, arXiv id, DOI, code link, and whether the abstract is kept (CC0 records only)
FORMAT_CASES = [
    ("rialto.bib", [f"{a.split()[-1]}, {' '.join(a.split()[:-1])}" for a in AUTHORS], "2024", "2403.03949", None,
     "https://github.com/real-to-sim-to-real/RialToPolicyLearning", False),
    ("rialto.ris", [f"{a.split()[-1]}, {' '.join(a.split()[:-1])}" for a in AUTHORS], "2024", None,
     "10.15607/RSS.2024.XX.015", None, False),
    ("rialto.csl.json", AUTHORS, "2024", None, "10.15607/RSS.2024.XX.015", None, False),
    ("rialto.atom.xml", AUTHORS, "2024", "2403.03949", None,
     "https://github.com/real-to-sim-to-real/RialToPolicyLearning", True),
    ("rialto.openalex.json", AUTHORS, "2024", "2403.03949", "10.48550/arxiv.2403.03949", None, True),
    ("rialto.s2.json", AUTHORS, "2024", "2403.03949", "10.15607/RSS.2024.XX.015", None, False),
]


def test_format_cases_cover_every_format():
    from kg.bibformats import FORMATS, detect_format

    found = {detect_format(name, (FIXTURES / name).read_text()) for name, *_ in FORMAT_CASES}
    assert found == set(FORMATS)


@pytest.mark.parametrize(("name", "authors", "year", "arxiv", "doi", "code", "abstract"), FORMAT_CASES,
                         ids=[c[0] for c in FORMAT_CASES])
def test_each_format_keeps_what_the_record_gives(name, authors, year, arxiv, doi, code, abstract):
    entry = read_files([FIXTURES / name])[0]  # the first entry is RialTo in every file
    assert entry.title == RIALTO
    assert entry.authors == authors
    assert (entry.year, entry.arxiv_id, entry.doi, entry.code_url) == (year, arxiv, doi, code)
    assert bool(entry.abstract and entry.abstract_licence) is abstract
    assert entry.document.name == name and len(entry.document.sha256) == 64


# file -> the words the one-line error must contain (file and entry); expect: the batch stops
BAD_CASES = [
    ("bad-no-title.bib", ["bad-no-title.bib", "@article{notitle2024}", "line 8", "no title"]),
    ("bad-arxiv.bib", ["bad-arxiv.bib", "@article{torne2024reconciling}", "malformed arXiv id '2403.3949x'"]),
    ("bad-doi.ris", ["bad-doi.ris", "record 1", "malformed DOI 'doi:RSS.2024.015'"]),
    ("broken.bib", ["broken.bib", "line 1", "does not parse"]),
]


@pytest.mark.parametrize(("name", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_entry_names_file_and_entry(name, words):
    with pytest.raises(InputError) as caught:
        read_files([FIXTURES / "rialto.bib", FIXTURES / name])
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.fixture(scope="module")
def files():
    return project_files(Settings())


def _outcomes(files, *names):
    outcomes, _ = plan(files, read_files([FIXTURES / n for n in names]))
    return {o.paper.rsplit("/", 1)[-1]: o for o in outcomes}


def test_duplicate_by_arxiv_id_in_another_version(files):
    eureka = _outcomes(files, "rialto.bib")["arxiv-2310.12931"]
    assert eureka.status == "duplicate"
    assert eureka.reasons == ["rialto.bib: entry @article{ma2023eureka} (line 21): same arXiv id 2310.12931 "
                              "(given as 2310.12931v2)"]


def test_duplicate_by_doi_url_in_other_case(files):
    goal = _outcomes(files, "duplicates.ris")["doi-10.1109-icra57147.2024.10610665"]
    assert goal.status == "duplicate"
    assert "same DOI 10.1109/icra57147.2024.10610665" in goal.reasons[0]


def test_duplicate_by_fuzzy_title_shows_score(files):
    eureka = _outcomes(files, "duplicates.ris")["arxiv-2310.12931"]
    assert eureka.status == "duplicate"
    score = float(eureka.reasons[0].rsplit("score ", 1)[1].rstrip(")"))
    assert 0.9 <= score < 1.0


def test_title_match_merges_new_ids_into_listed_work(files):
    dreureka = _outcomes(files, "dreureka-doi-url.bib")["ma-2024-dreureka-language"]
    assert dreureka.status == "merged" and "title matches (score 1.00)" in dreureka.reasons[0]


def test_preprint_and_published_version_become_one_new_work(files):
    outcomes, edits = plan(files, read_files([FIXTURES / "rialto.bib"]))
    [rialto] = [o for o in outcomes if o.status == "added"]
    assert rialto.paper.endswith("/arxiv-2403.03949") and len(rialto.entries) == 2
    [edit] = [e for e in edits if e.paper_id == "arxiv-2403.03949"]
    facts = {(t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], t.object.value) for t in edit.triples
             if t.subject.value == rialto.paper}
    assert ("doi", "10.15607/RSS.2024.XX.015") in facts and ("hasArXivId", "2403.03949") in facts
    assert ("inCompanionList", "true") in facts and not any(p == "inSurvey" for p, _ in facts)
    assert sum(1 for p, _ in facts if p == "hasRecord") == 2

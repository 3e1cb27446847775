"""kg.editions and kg.edition_diff over the real history of the companion list (survey-repo/history/).

The counts of works added and removed between consecutive editions are checked against an independent
line-based parse written here (not the importer's code); the only differences allowed are listed in
DOCUMENTED_DIFFERENCES with the reason (docs/editions.md, "Known differences").
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from cli_support import ROOT

from kg.edition_diff import changelog, diff
from kg.editions import SEED, read_history
from kg.errors import EditionError, InputError, NotFound
from kg.settings import Settings

SOURCES = Settings(root=ROOT).sources_dir
HISTORY = SOURCES / "survey-repo" / "history"

# edition name -> (added, removed) the importer's rules give where the simple parse differs, and why
DOCUMENTED_DIFFERENCES: dict[str, tuple[tuple[int, int], str]] = {
    "2024-08-27T152421_90e72fb": ((6, 0), "two bare titles retitled: 'Learning Interactive Real-World Simulators' -> "
                                  "'UniSim: ...' (importer: title after the colon) and '... Agents (GenRL)' -> "
                                  "'GenRL: ...' (importer: similar to survey reference title)"),
    "2024-08-27T161025_6f3d579": ((0, 1), "'Simple Hierarchical Planning with Diffusion' becomes 'Hierarchical "
                                  "Diffuser: Simple Hierarchical Planning with Diffusion' (importer: title after "
                                  "the colon); the bare 'Hierarchical Diffuser: Efficient ...' title is dropped"),
    "2025-06-11T142822_64c98e3": ((1, 0), "'On the role of forgetting ...' shares arXiv id 2402.02868 with 'Fine-tuning "
                                  "RL Models is Secretly ...': two survey references [131], [152] the importer keeps "
                                  "apart (data/curated/list-links.csv)"),
    "2025-06-11T175241_ee5a9ac": ((2, 0), "'Stitching sub-trajectories ...' (AAAI DOI) is the published title of 'SSD: "
                                  "Sub-trajectory Stitching ...' (arXiv): one work in the graph"),
}


@pytest.fixture(scope="module")
def history():
    return read_history(sources_dir=SOURCES, curated_dir=ROOT / "data" / "curated")


# ---------------------------------------------------------------- the independent parse


def _simple_items(path: Path) -> list[tuple[str | None, str]]:
    """(arXiv id or None, normalised title) of every `- ` list item before '## Citation'."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("## Citation"):
            break
        found = re.match(r"^\s*-\s+(.*\S)\s*$", line)
        if not found:
            continue
        text = found.group(1)
        title = re.split(r"\s*\[+(?:paper|link)\]", text)[0]
        link = text[len(title):]
        arxiv = re.search(r"(\d{4}\.\d{4,5})", link) if "arxiv" in link.lower() else None
        items.append((arxiv.group(1) if arxiv else None, re.sub(r"[^a-z0-9]", "", title.lower())))
    return items


def _simple_works(items: list[tuple[str | None, str]]) -> list[set]:
    """Items joined into works when they share an arXiv id or a normalised title."""
    works: list[set] = []
    for arxiv, title in items:
        keys = {("t", title)} | ({("a", arxiv)} if arxiv else set())
        joined = [w for w in works if w & keys]
        merged = keys.union(*joined)
        works = [w for w in works if not (w & keys)] + [merged]
    return works


def _simple_editions() -> list[tuple[str, list[set]]]:
    with (HISTORY / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        files = sorted({row["file"] for row in csv.DictReader(handle, delimiter="\t") if row["file"].startswith("readme/")})
    editions = [(Path(f).stem, _simple_works(_simple_items(HISTORY / f))) for f in files]
    seed = next((SOURCES / "seeds").glob("000_*.txt"))
    return editions + [(SEED, _simple_works(_simple_items(seed)))]


def _added(before: list[set], after: list[set]) -> int:
    return sum(1 for work in after if not any(work & old for old in before))


def test_every_edition_is_read(history):
    names = [edition.name for edition in history.editions]
    assert len(names) == 91 and names[-1] == SEED
    assert [e.date for e in history.editions[:-1]] == sorted(e.date for e in history.editions[:-1])


def test_added_and_removed_agree_with_an_independent_parse(history):
    simple = _simple_editions()
    assert [name for name, _ in simple] == [e.name for e in history.editions]
    rows = changelog(history)
    differences = {}
    for (name, works), (_, previous), row in zip(simple[1:], simple, rows[1:]):
        expected = (_added(previous, works), _added(works, previous))
        if (row["added"], row["removed"]) != expected:
            differences[name] = ((row["added"], row["removed"]), expected)
    assert sum(_added(p, w) for (_, w), (_, p) in zip(simple[1:], simple)) > 150  # the parse found the works
    documented = {name: counts for name, (counts, _) in DOCUMENTED_DIFFERENCES.items()}
    assert {name: got for name, (got, _) in differences.items()} == documented, differences


def test_seed_works_are_the_graphs_list_works(history):
    seed = history.editions[-1]
    assert len(seed.entries) == 168 and len(seed.works) == 158
    assert seed.works <= history.in_graph


def test_a_work_keeps_one_identity_through_its_history(history):
    # Eureka: a bare title in the first editions, then an arXiv link; one work, the graph's IRI
    eureka = "https://w3id.org/duality-kg/paper/arxiv-2310.12931"
    listing = [e for e in history.editions if eureka in e.works]
    first = history.find("2024-08-27T151613")
    assert first in listing and all(entry.link is None for entry in first.entries)
    assert listing[-1].name == SEED and len(listing) == 82


@pytest.mark.parametrize("ref, name", [("2024-08-27", "2024-08-27T162621_8ae7054"),
                                       ("2024-08-27T1516", "2024-08-27T151613_051cb94"),
                                       ("2024-08-27T15:16", "2024-08-27T151613_051cb94"),
                                       ("051cb94", "2024-08-27T151613_051cb94"), ("seed", SEED)])
def test_find_names_an_edition(history, ref, name):
    assert history.find(ref).name == name


@pytest.mark.parametrize("ref", ["2023-01-01", "abc", "0000000", "20240827"])
def test_find_refuses_what_names_no_edition(history, ref):
    with pytest.raises(NotFound, match=f"no edition '{ref}'"):
        history.find(ref)


def test_diff_of_an_edition_with_itself_is_empty(history):
    assert len(history.editions) == 91
    for edition in history.editions:
        change = diff(edition, edition, history=history)
        assert change.empty, edition.name
        assert change.to_markdown().endswith("- No changes.\n")


# ---------------------------------------------------------------- fixture editions


def _fixture_sources(tmp_path: Path, readmes: dict[str, str], sheets: dict[str, Path] | None = None) -> Path:
    """A sources folder: the real seeds and sheets, and a history of the given editions (name -> text)."""
    sources = tmp_path / "shared"
    shutil.copytree(SOURCES / "seeds", sources / "seeds")
    (sources / "survey-repo").mkdir()
    for xlsx in (SOURCES / "survey-repo").glob("*.xlsx"):
        shutil.copy(xlsx, sources / "survey-repo" / xlsx.name)
    history = sources / "survey-repo" / "history"
    (history / "readme").mkdir(parents=True)
    rows = ["date\tcommit\tpath\tblob\tfile"]
    for name, text in readmes.items():
        (history / "readme" / f"{name}.md").write_text(text, encoding="utf-8")
        date, commit = name.split("_")
        rows.append(f"{date}\t{commit}{'0' * 33}\tREADME.md\t-\treadme/{name}.md")
    for name, folder in (sheets or {}).items():
        shutil.copytree(folder, history / "sheets" / name)
        date, commit = name.split("_")
        for xlsx in sorted((history / "sheets" / name).glob("*.xlsx")):
            rows.append(f"{date}\t{commit}{'0' * 33}\t{xlsx.name}\t-\tsheets/{name}/{xlsx.name}")
    (history / "MANIFEST.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sources


def test_a_renamed_heading_is_one_rename_and_no_moves(tmp_path):
    newest = sorted((HISTORY / "readme").glob("*.md"))[-1].read_text(encoding="utf-8")
    assert "#### 1.Transformer Policy\n" in newest
    renamed = newest.replace("#### 1.Transformer Policy\n", "#### 1.Transformer-based Policies\n")
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": newest,
                                          "2025-08-02T100000_bbbbbbb": renamed})
    history = read_history(sources_dir=sources, curated_dir=ROOT / "data" / "curated")
    change = diff(history.find("aaaaaaa"), history.find("bbbbbbb"), history=history)
    assert [(r.old[-1], r.new[-1]) for r in change.renamed] == [("1.Transformer Policy", "1.Transformer-based Policies")]
    assert change.renamed[0].kept >= 10
    assert not change.moved and not change.added and not change.removed
    assert not change.headings_added and not change.headings_removed
    assert (f"- Renamed '1.Transformer Policy' to '1.Transformer-based Policies' in 'RL for Generative Policies > "
            f"RL Pre-Training' (keeps {change.renamed[0].kept} works)") in change.to_markdown().splitlines()


def test_a_changed_spreadsheet_cell_is_reported_with_column_and_values(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    for xlsx in (SOURCES / "survey-repo").glob("*.xlsx"):
        shutil.copy(xlsx, state / xlsx.name)
    path = state / "Large_Language_Models_for_RL_Table.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [str(c.value).strip() if c.value else "" for c in sheet[1]]
    name, framework = sheet.cell(2, header.index("Name") + 1).value, sheet.cell(2, header.index("Framework") + 1)
    old_value = str(framework.value).strip()
    framework.value = "EDITED-" + old_value
    book.save(path)
    newest = sorted((HISTORY / "readme").glob("*.md"))[-1].read_text(encoding="utf-8")
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": newest},
                               sheets={"2025-07-30T100000_ccccccc": state})
    history = read_history(sources_dir=sources, curated_dir=ROOT / "data" / "curated")
    change = diff(history.find("aaaaaaa"), history.find(SEED), history=history)
    assert [(c.key, c.column, c.old, c.new) for c in change.cells] == [
        (str(name).strip(), "Framework", "EDITED-" + old_value, old_value)]
    cell = change.cells[0]
    assert cell.work in history.in_graph and cell.title
    assert f"`{cell.key}` ({cell.title}) in Large_Language_Models_for_RL_Table.xlsx, Framework: " \
           f"\"EDITED-{old_value}\" -> \"{old_value}\"" in change.to_markdown()


def test_an_unparseable_edition_is_an_error_naming_its_file(tmp_path):
    newest = sorted((HISTORY / "readme").glob("*.md"))[-1].read_text(encoding="utf-8")
    broken = newest.replace("[[paper]](https://arxiv.org/abs/2310.12931)", "[[paper]](https://arxiv.org/abs/2310.12931",
                            1)
    assert broken != newest
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": newest, "2025-08-02T100000_bbbbbbb": broken})
    with pytest.raises(EditionError) as raised:
        read_history(sources_dir=sources, curated_dir=ROOT / "data" / "curated")
    assert isinstance(raised.value, InputError)
    assert "2025-08-02T100000_bbbbbbb.md" in str(raised.value) and " line " in str(raised.value)
    assert raised.value.path.name == "2025-08-02T100000_bbbbbbb.md"


def test_an_edition_that_is_not_text_is_an_error_naming_its_file(tmp_path):
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": "# list\n"})
    path = sources / "survey-repo" / "history" / "readme" / "2025-08-01T100000_aaaaaaa.md"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(EditionError, match="2025-08-01T100000_aaaaaaa.md"):
        read_history(sources_dir=sources, curated_dir=ROOT / "data" / "curated")


def test_a_manifest_row_naming_a_missing_file_is_an_error_naming_it(tmp_path):
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": "# list\n"})
    (sources / "survey-repo" / "history" / "readme" / "2025-08-01T100000_aaaaaaa.md").unlink()
    with pytest.raises(EditionError, match=r"2025-08-01T100000_aaaaaaa\.md: listed in .*MANIFEST\.tsv line 2"):
        read_history(sources_dir=sources, curated_dir=ROOT / "data" / "curated")


def test_the_first_commits_list_nothing_and_the_first_list_gives_bare_titles(history):
    empty = [e.name for e in history.editions if not e.entries]
    assert empty == [e.name for e in history.editions[:9]]
    first = history.editions[9]
    assert len(first.works) == 95 and all(entry.link is None for entry in first.entries)
    assert first.headings[0] == ("1. Large Language Models Enhance Reasoning Capabilities in RL Agents",)


def test_a_section_renamed_between_two_distant_editions_is_followed_edition_by_edition(history):
    """In 2024-08-21 '5. Transformer Reinforcement Learning Models' lists nothing yet, so no overlap of works
    can match it directly to '5. Transformer Policies' of 2025-03-13; the renames in between do."""
    change = diff(history.find("2024-08-21T1610"), history.find("2025-03-13T1136"), history=history)
    assert [(r.old, r.new) for r in change.renamed] == [(("5. Transformer Reinforcement Learning Models",),
                                                         ("5. Transformer Policies",))]
    assert ("5. Transformer Policies",) not in change.headings_added
    assert ("5. Transformer Reinforcement Learning Models",) not in change.headings_removed

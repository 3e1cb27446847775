"""One node per real paper: group the source records that describe the same work, and say why.

Order of evidence (issue 3): arXiv id / DOI first, then the normalised title, then first author + year
(BibTeX keys). Curated rows (data/curated/list-links.csv, sheet-keys.csv) override the automatic rules.
Every merge decision and every item left unresolved is kept in `Resolution` and written to
data/reports/merges.md by `write_report`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from kg.atomic import write_atomic
from kg.errors import InputError
from kg.ingest.records import SourceRecord, normalise_title, significant_words
from kg.ingest.sources import SHEET_FILES
from kg.iri import PAPER, normalise_arxiv_id, paper_iri, slug

__all__ = ["Decision", "Resolution", "resolve", "write_report", "title_only_iri", "title_after_colon", "Groups",
           "SHEET_TABLES", "SIMILAR_TITLE"]

# which survey table summarises the works of which sheet (the sheets are the authors' working copies)
SHEET_TABLES: dict[str, tuple[int, ...]] = {"llm": (2,), "vlm": (3,), "dm": (4, 5), "wm": (7,)}
SIMILAR_TITLE = 0.9
# the companion-list headings (concept local names) whose entries a sheet summarises
_SHEET_CONCEPTS: dict[str, tuple[str, ...]] = {
    "llm": ("llm", "reward-llm", "exploration-llm", "planning-llm"),
    "vlm": ("vlm", "reward-vlm", "exploration-vlm"),
    "dm": ("diffusion-model", "reward-diffusion", "planning-diffusion"),
    "wm": ("world-and-video-prediction-models", "reward-video-prediction", "state-from-videos",
           "state-foundation-world-models"),
    "rl-transformer": ("pretraining-transformer-policy",),
    "rl-diffusion": ("pretraining-diffusion-policy",),
}


@dataclass(frozen=True)
class Decision:
    rule: str
    records: tuple[str, ...]
    detail: str = ""


@dataclass
class Resolution:
    paper_of: dict[str, str] = field(default_factory=dict)
    """record fragment -> paper IRI."""
    decisions: list[Decision] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    """(what, why) for items a reviewer should look at."""
    contested: set[str] = field(default_factory=set)
    """arXiv ids / DOIs (lower case) that sources give for more than one work."""


class Groups:
    """Union-find over names: which records (or entries) are one work."""

    def __init__(self, names: list[str]):
        self.parent = {name: name for name in names}

    def find(self, name: str) -> str:
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def members(self, name: str) -> list[str]:
        root = self.find(name)
        return [n for n in self.parent if self.find(n) == root]

    def union(self, a: str, b: str) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        self.parent[max(root_a, root_b)] = min(root_a, root_b)
        return True


def title_only_iri(title: str) -> str:
    """IRI for a work known only by its title (no id, no author): `paper:title-<four significant words>`.

    kg.iri.paper_iri needs a first author for its slug form; list-only and related-page-only works have none.
    """
    return PAPER + "title-" + "-".join(slug(w) for w in significant_words(title)[:4])


def title_after_colon(title: str) -> str | None:
    """The normalised title after its colon, when that part alone is a title (four words or more)."""
    head, colon, tail = title.partition(":")
    return normalise_title(tail) if colon and len(tail.split()) >= 4 else None


def resolve(records: list[SourceRecord], *, list_links: list[dict[str, str]], sheet_keys: list[dict[str, str]],
            sheet_frameworks: dict[str, tuple[str, str]]) -> Resolution:
    """Group paper records into works and mint one IRI per work.

    `sheet_frameworks` maps a sheet record fragment to (sheet name, Framework cell) for the framework rule.
    Raises InputError when a curated row names an unknown record or target, or two works get one IRI.
    """
    result = Resolution()
    by_fragment = {r.fragment: r for r in records}
    groups = Groups(list(by_fragment))
    refs = {r.keys.reference_number: r for r in records
            if r.record_class == "dkg:ReferenceEntry" and r.keys.reference_number is not None}

    def merge(a: str, b: str, rule: str, detail: str = "") -> None:
        refs_a = {r for r in groups.members(a) if by_fragment[r].record_class == "dkg:ReferenceEntry"}
        refs_b = {r for r in groups.members(b) if by_fragment[r].record_class == "dkg:ReferenceEntry"}
        if refs_a and refs_b and refs_a != refs_b:
            # two distinct survey references are two works, whatever a link or title says
            result.unresolved.append((f"{by_fragment[a].locator} / {by_fragment[b].locator}",
                                      f"not merged by rule '{rule}' ({detail}): they belong to different survey "
                                      f"references {sorted(refs_a | refs_b)}"))
            return
        if groups.union(a, b):
            result.decisions.append(Decision(rule, (a, b), detail))

    def target_fragment(target: str, where: str) -> str:
        kind, _, value = target.partition(":")
        if kind == "ref" and value.isdigit() and int(value) in refs:
            return refs[int(value)].fragment
        if kind == "arxiv" and normalise_arxiv_id(value):
            holders = [r.fragment for r in records if r.keys.arxiv_id == normalise_arxiv_id(value)]
            if holders:
                return holders[0]
        raise InputError(f"{where}: target {target!r} is neither a survey reference ref:N nor a known arxiv:ID")

    curated_fragments: set[str] = set()
    confirmed_list_only: set[str] = set()
    listed: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.record_class == "dkg:ListEntry":
            listed[normalise_title(record.keys.title or "")].append(record.fragment)
    mapped_on: dict[str, int] = {}
    for number, row in enumerate(list_links, start=2):
        where = f"data/curated/list-links.csv line {number}"
        title = normalise_title(row["list_title"])
        if title not in listed:
            raise InputError(f"{where}: no companion-list entry has the title {row['list_title']!r} "
                             f"(copy the title as the list gives it)")
        if title in mapped_on:
            raise InputError(f"{where}: the entry {row['list_title']!r} is mapped already on line {mapped_on[title]}")
        mapped_on[title] = number
        for fragment in listed[title]:  # a work listed under several headings: every entry of it
            curated_fragments.add(fragment)
            if row["target"].strip() == "none":
                confirmed_list_only.add(fragment)
                result.decisions.append(Decision("curated (list-links.csv): in no survey reference", (fragment,),
                                                 row.get("reason", "")))
                continue
            merge(fragment, target_fragment(row["target"].strip(), where), "curated (list-links.csv)",
                  row.get("reason", ""))
    keyed = {_bibtex(r): r.fragment for r in records if r.record_class == "dkg:SpreadsheetRow"}
    for number, row in enumerate(sheet_keys, start=2):
        matches = [f for (sheet, key), f in keyed.items() if key == row["bibtex_key"].strip()
                   and row.get("sheet", "").strip() in {"", sheet, Path(SHEET_FILES[sheet]).name}]
        if not matches:
            raise InputError(f"data/curated/sheet-keys.csv line {number}: no sheet row with key {row['bibtex_key']!r}")
        for fragment in matches:
            merge(fragment, target_fragment(row["target"].strip(), f"data/curated/sheet-keys.csv line {number}"),
                  "curated (sheet-keys.csv)", row.get("reason", ""))
            curated_fragments.add(fragment)

    # 1. cited reference numbers (tables, Table 1)
    for record in records:
        cited = record.keys.reference_number
        if cited and record.record_class != "dkg:ReferenceEntry":
            if cited not in refs:
                raise InputError(f"{record.locator}: cites [{cited}], which is not in the reference list")
            merge(refs[cited].fragment, record.fragment, "cites the reference number", f"[{cited}]")
    # 2. titles: exact normalised and after-colon
    titled = [(r, r.keys.title) for r in records if r.keys.title]
    exact: dict[str, list[str]] = defaultdict(list)
    for record, title in titled:
        exact[normalise_title(title)].append(record.fragment)
        subtitle = title_after_colon(title)
        if subtitle:
            exact["sub:" + subtitle].append(record.fragment)
    for record, title in titled:
        norm = normalise_title(title)
        for other in exact.get("sub:" + norm, []):
            merge(other, record.fragment, "title equals the other's title after its colon", title)
    for value, fragments in sorted(exact.items()):
        if not value.startswith("sub:"):
            for other in fragments[1:]:
                merge(fragments[0], other, "same normalised title", value)
    # 3. identifiers (after exact titles, so a wrong link cannot join two survey references)
    for attribute, rule in (("arxiv_id", "same arXiv id"), ("doi", "same DOI")):
        holders: dict[str, list[str]] = defaultdict(list)
        for record in records:
            value = getattr(record.keys, attribute)
            if value:
                holders[value.lower()].append(record.fragment)
        for value, fragments in sorted(holders.items()):
            for other in fragments[1:]:
                merge(fragments[0], other, rule, value)
    # 4. similar titles and prefixes, against survey references only
    ref_titles = [(normalise_title(r.keys.title), r.fragment) for r in refs.values() if r.keys.title]
    for record, title in titled:
        if record.record_class == "dkg:ReferenceEntry" or record.fragment in curated_fragments:
            continue
        if any(groups.find(f) == groups.find(record.fragment) for _, f in ref_titles):
            continue
        norm = normalise_title(title)
        best = max(((SequenceMatcher(None, norm, rt).ratio(), f, rt) for rt, f in ref_titles), default=None)
        prefix = [f for rt, f in ref_titles if len(min(rt, norm, key=len)) >= 25
                  and (rt.startswith(norm) or norm.startswith(rt))]
        if best and best[0] >= SIMILAR_TITLE:
            merge(best[1], record.fragment, "similar title", f"similarity {best[0]:.2f}")
        elif len(prefix) == 1:
            merge(prefix[0], record.fragment, "one title is the start of the other", "")
    # 5. BibTeX keys of sheet rows not curated
    table_rows = [r for r in records if r.record_class == "dkg:TableRow"]
    list_rows = [r for r in records if r.record_class == "dkg:ListEntry"]
    for record in records:
        if record.record_class != "dkg:SpreadsheetRow" or record.fragment in curated_fragments:
            continue
        target, rule = _match_key(record, refs, table_rows, list_rows, sheet_frameworks, groups)
        if target:
            merge(target, record.fragment, rule, _bibtex(record)[1])
        else:
            result.unresolved.append((f"sheet row {record.locator}",
                                      "no reference or list entry matches its BibTeX key"))
    # 6. one IRI per group
    members: dict[str, list[SourceRecord]] = defaultdict(list)
    for record in records:
        members[groups.find(record.fragment)].append(record)
    claims: dict[str, set[str]] = defaultdict(set)
    for root, group in members.items():
        for record in group:
            for identifier in (record.keys.arxiv_id, record.keys.doi):
                if identifier:
                    claims[identifier.lower()].add(root)
    contested = {value for value, roots in claims.items() if len(roots) > 1}
    result.contested = contested
    for value in sorted(contested):
        result.unresolved.append((f"identifier {value}", "given for more than one work: not used to name any of "
                                  "them, and not stated as an identifier of either (the links stay)"))
    minted: dict[str, str] = {}
    for root, group in sorted(members.items()):
        iri = _mint(group, result, contested)
        if iri in minted:
            raise InputError(f"two works would share the IRI {iri}: {minted[iri]} and {root}; add a curated row")
        minted[iri] = root
        for record in group:
            result.paper_of[record.fragment] = iri
    for record in records:
        if record.record_class == "dkg:ListEntry" and record.fragment not in confirmed_list_only and not any(
                m.record_class == "dkg:ReferenceEntry" for m in members[groups.find(record.fragment)]):
            result.unresolved.append((f"list entry {record.locator}: {record.keys.title}",
                                      "matches no survey reference (kept as a list-only work)"))
    return result


def _bibtex(record: SourceRecord) -> tuple[str, str]:
    sheet = record.source.removeprefix("sheet-")
    key = next(str(v) for p, v in record.facts if p.endswith("bibtexKey"))
    return sheet, key


def _family_matches(key_family: str, author: str) -> bool:
    family = slug(re.split(r"\s*,\s*", author)[0].split(". ")[-1].split(".")[-1])
    parts = [p for p in family.split("-") if p]
    joined = "".join(parts)
    if key_family in {joined, parts[0] if parts else "", parts[-1] if parts else ""}:
        return True
    return len(joined) > 3 and SequenceMatcher(None, key_family, joined).ratio() >= 0.85


def _match_key(record: SourceRecord, refs: dict[int, SourceRecord], table_rows: list[SourceRecord],
               list_rows: list[SourceRecord], sheet_frameworks: dict[str, tuple[str, str]],
               groups: Groups) -> tuple[str | None, str]:
    sheet, key = _bibtex(record)
    found = re.match(r"^([a-z]+)(\d{4})?([a-z0-9]*)$", key.lower())
    if not found:
        return None, ""
    family, year_text, word = found.group(1), found.group(2), found.group(3)
    if not year_text:
        # no year in the key: the family name is the longest prefix that is a reference's first author
        families = sorted({slug(r.keys.first_author.split()[-1]) for r in refs.values() if r.keys.first_author},
                          key=len, reverse=True)
        family = next((f for f in families if key.lower().startswith(f)), family)
        word = key.lower()[len(family):]
    candidates = [r for r in refs.values() if _family_matches(family, r.keys.first_author or "")]
    scored = []
    for ref in candidates:
        words = significant_words(ref.keys.title or "")[:4]
        position = next((i for i, w in enumerate(words)
                         if word and (w == word or (len(w) >= 3 and word.startswith(w))
                                      or (len(word) >= 3 and w.startswith(word)))), None)
        if position is not None:
            scored.append((position, 0 if str(ref.keys.year) == year_text else 1, ref.keys.reference_number, ref))
    scored.sort(key=lambda s: s[:3])
    if scored and (len(scored) == 1 or scored[0][:2] < scored[1][:2]):
        return scored[0][3].fragment, "BibTeX key = first author + year + title word"
    framework = sheet_frameworks.get(record.fragment, ("", ""))[1].strip().lower()
    tables = SHEET_TABLES.get(sheet, ())
    same_framework = [row for row in table_rows if _table_of(row) in tables
                      and _cell(row, "cellFramework").strip().lower() == framework
                      and row.keys.reference_number is not None  # table rows always cite one
                      and _family_matches(family, refs[row.keys.reference_number].keys.first_author or "")]
    if framework and len(same_framework) == 1:
        return same_framework[0].fragment, "same Framework in the sheet's survey table, same first author"
    concepts = {iri_of_concept for iri_of_concept in _SHEET_CONCEPTS.get(sheet, ())}
    titled = [row for row in list_rows if word and row.keys.title and significant_words(row.keys.title)[:1]
              and (significant_words(row.keys.title)[0] == word
                   or word.startswith(significant_words(row.keys.title)[0]))
              and any(str(v).rsplit("/", 1)[-1] in concepts for p, v in row.facts if str(p).endswith("inCategory"))]
    roots = {groups.find(row.fragment) for row in titled}
    if len(roots) == 1:
        return titled[0].fragment, "BibTeX key title word = first word of a list title (list gives no author)"
    return None, ""


def _table_of(record: SourceRecord) -> int:
    return int(record.fragment.split("-")[1])


def _cell(record: SourceRecord, name: str) -> str:
    return next((str(v) for p, v in record.cells if p.endswith(name)), "")


def _mint(group: list[SourceRecord], result: Resolution, contested: set[str]) -> str:
    arxiv_ids = sorted({r.keys.arxiv_id for r in group if r.keys.arxiv_id and r.keys.arxiv_id.lower() not in contested})
    dois = sorted({r.keys.doi.lower() for r in group if r.keys.doi and r.keys.doi.lower() not in contested})
    names = tuple(sorted(r.fragment for r in group))
    if len(arxiv_ids) > 1:
        result.unresolved.append((f"records {', '.join(names)}", f"one work with several arXiv ids {arxiv_ids}"))
    if arxiv_ids:
        return paper_iri(arxiv_id=arxiv_ids[0])
    if len(dois) > 1:
        result.unresolved.append((f"records {', '.join(names)}", f"one work with several DOIs {dois}"))
    if dois:
        return paper_iri(doi=dois[0])
    ref = next((r for r in group if r.record_class == "dkg:ReferenceEntry"), None)
    if ref:
        return paper_iri(first_author=ref.keys.first_author, year=ref.keys.year, title=ref.keys.title)
    titles = sorted((r.fragment, r.keys.title) for r in group if r.keys.title)
    if titles:
        return title_only_iri(titles[0][1])
    sheet, key = _bibtex(group[0])
    found = re.match(r"^([a-z]+)(\d{4})?([a-z0-9]*)$", key.lower())
    return paper_iri(first_author=found.group(1) if found else key, year=found.group(2) if found else None,
                     title=found.group(3) if found and found.group(3) else key)


def write_report(resolution: Resolution, records: list[SourceRecord], path: Path,
                 extra_unresolved: list[tuple[str, str]]) -> None:
    """data/reports/merges.md: every merge decision, then every unresolved item (deterministic order)."""
    locator = {r.fragment: (r.locator if r.source == "survey-text" or r.locator.startswith('"')
                            else f"{r.source}, {r.locator}")
               for r in records}
    lines = ["# Merge decisions and unresolved items", "", "Generated by `kg import`, do not edit. "
             "Fix a wrong merge or an unresolved item with a row in `data/curated/`.", "",
             "## Merges", "", "| work | record | merged with | rule | detail |", "|---|---|---|---|---|"]
    for decision in sorted(resolution.decisions, key=lambda d: (resolution.paper_of[d.records[0]], d.records)):
        a, b = (decision.records + ("",))[:2]
        work = resolution.paper_of[a].removeprefix(PAPER)
        lines.append(f"| `{work}` | {_md(locator[a])} | {_md(locator.get(b, '-'))} | {decision.rule} | "
                     f"{_md(decision.detail)} |")
    lines += ["", "## Unresolved", ""]
    items = sorted(resolution.unresolved + extra_unresolved)
    lines += [f"- {_md(what)}: {why}" for what, why in items] or ["(none)"]
    write_atomic(path, "\n".join(lines) + "\n")


def _md(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")

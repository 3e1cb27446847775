"""Bibliographies of the graph's works: BibTeX, RIS, CSL-JSON and CSV (`kg export --format bibtex|...`).

Small hand-written writers (no dependency): each entry holds only facts the graph has (title, authors as a
source gives them, year, venue, DOI, arXiv id, link); nothing is filled in. BibTeX keys are the authors'
spreadsheet keys (dkg:bibtexKey, the Name cell) where one exists, else generated from the first author's
family name, the year and the first significant title word (`ma2023eureka`), with a, b, ... on a clash.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import NotFound, ParameterError
from kg.iri import CAT, compact, expand
from kg.render import named_rows
from kg.runner import QueryRunner
from kg.settings import Settings

__all__ = ["BIBLIOGRAPHY_FORMATS", "Work", "works", "select_works", "citation_keys", "render_bibliography",
           "latex_escape"]

BIBLIOGRAPHY_FORMATS = ("bibtex", "ris", "csl-json", "csv")

_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "to", "with", "via", "from", "by", "is", "are"}
_ET_AL = re.compile(r"^(et\.? ?al\.?|others)$", re.IGNORECASE)


@dataclass(frozen=True)
class Work:
    iri: str
    title: str
    year: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None
    authors_as_given: str | None = None
    creator: str | None = None
    venue: str | None = None
    bibtex_key: str | None = None

    @property
    def authors(self) -> list[str]:
        """The authors as given, in order; "et al." ends the list as the name `others` (BibTeX's word).
        A BibTeX-style list ("Family, Given and Family, Given") is split at " and " only.

        >>> Work(iri="x", title="t", authors_as_given="Y.J. Ma, et al.").authors
        ['Y.J. Ma', 'others']
        >>> Work(iri="x", title="t", authors_as_given="Moroncelli, Angelo and Soni, Vishal").authors
        ['Moroncelli, Angelo', 'Soni, Vishal']
        """
        if not self.authors_as_given:
            return []
        given = self.authors_as_given.strip()
        separator = r"\s+and\s+" if re.search(r"\s+and\s+", given) else r"\s*,\s*"
        parts = [part.strip() for part in re.split(separator, given)]
        return ["others" if _ET_AL.match(p) else p for p in parts if p]

    @property
    def link(self) -> str | None:
        if self.url:
            return self.url
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return f"https://doi.org/{self.doi}" if self.doi else None


def works(runner: QueryRunner, settings: Settings) -> list[Work]:
    """Every work of the graph with the facts a bibliography entry can use (queries/render/bibliography.rq)."""
    out = []
    for row in named_rows(runner, settings, "render/bibliography"):
        out.append(Work(iri=row["work"], title=" ".join(row["title"].split()), year=row.get("year"),
                        arxiv=row.get("arxiv"), doi=row.get("doi"), url=row.get("url"),
                        authors_as_given=row.get("authors"), creator=row.get("creator"), venue=row.get("venue"),
                        bibtex_key=row.get("bibtexKey")))
    return out


def select_works(runner: QueryRunner, settings: Settings, *, category: str | None = None,
                 query: str | None = None, params: dict[str, str] | None = None) -> list[Work]:
    """All works, those in `category` (a CURIE or IRI, narrower concepts included), or the works named in the
    result of the named query `query` (run with `params`).

    Raises ParameterError for a category that is no taxonomy concept or a query whose result names no work,
    NotFound for an unknown query.
    """
    everything = works(runner, settings)
    if params and query is None:
        raise ParameterError("--param gives parameters of a --query; name the query too")
    if category is None and query is None:
        return everything
    if category is not None and query is not None:
        raise ParameterError("give --category or --query, not both")
    if category is not None:
        concept = expand(category)
        if concept not in _concepts(runner):
            raise ParameterError(f"--category {category}: not a concept of the taxonomy (use a cat: concept such "
                                 f"as cat:llm or cat:reward-signal)")
        chosen = {row["work"] for row in named_rows(runner, settings, "render/works-in-category",
                                                            {"category": compact(concept)})}
    else:
        assert query is not None
        try:
            rows = named_rows(runner, settings, query, params)
        except NotFound:
            raise NotFound(f"--query {query}: no named query of that name (`kg queries` lists them)") from None
        named = {value for row in rows for value in row.values()}
        chosen = named & {work.iri for work in everything}
        if not chosen:
            raise ParameterError(f"--query {query}: its result names no work (a query whose rows hold work IRIs, "
                                 f"e.g. papers-in-category, selects works)")
    return [work for work in everything if work.iri in chosen]


def _concepts(runner: QueryRunner) -> set[str]:
    table = runner.run_select("SELECT DISTINCT ?c WHERE { ?c a skos:Concept }")
    return {row[0].value for row in table.rows if row[0] is not None and row[0].value.startswith(CAT)}


def _ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def _generated_key(work: Work) -> str:
    family = ""
    if work.creator:
        family = work.creator.rsplit("/", 1)[-1].split("-")[0]
    elif work.authors and work.authors[0] != "others":
        first = work.authors[0]  # "Family, Given" (BibTeX form) or "G. Family"
        family = "".join(_ascii_words(first.split(",")[0])) if "," in first else (_ascii_words(first) or [""])[-1]
    first_word = next((w for w in _ascii_words(work.title) if w not in _STOP), "")
    return f"{family}{work.year or ''}{first_word}" or "work"


def citation_keys(entries: Iterable[Work]) -> dict[str, str]:
    """Work IRI -> BibTeX key: the spreadsheet key where there is one, else a generated one, unique
    (a, b, ... appended in IRI order on a clash; stable while the works stay the same)."""
    entries = sorted(entries, key=lambda work: work.iri)
    keys: dict[str, str] = {w.iri: w.bibtex_key for w in entries if w.bibtex_key}
    taken = set(keys.values())
    for work in entries:
        if work.iri in keys:
            continue
        base = _generated_key(work)
        key, suffix = base, 0
        while key in taken:
            key = base + "abcdefghijklmnopqrstuvwxyz"[suffix % 26] * (suffix // 26 + 1)
            suffix += 1
        keys[work.iri] = key
        taken.add(key)
    return keys


_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    r"""Text with LaTeX's special characters escaped.

    >>> latex_escape("100% & {braces}_x")
    '100\\% \\& \\{braces\\}\\_x'
    """
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text)


def _bibtex(entries: list[Work], keys: dict[str, str]) -> str:
    blocks = []
    for work in entries:
        fields = [("title", work.title), ("author", " and ".join(work.authors) if work.authors else None),
                  ("year", work.year), ("howpublished", work.venue), ("doi", work.doi),
                  ("eprint", work.arxiv), ("archiveprefix", "arXiv" if work.arxiv else None)]
        lines = [f"@misc{{{keys[work.iri]},"]
        lines += [f"  {name} = {{{latex_escape(value)}}}," for name, value in fields if value]
        if work.link:  # read verbatim by biber and the url package: only braces, which end the field, are encoded
            lines.append(f"  url = {{{work.link.replace('{', '%7B').replace('}', '%7D')}}},")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _ris(entries: list[Work], keys: dict[str, str]) -> str:
    out = []
    for work in entries:
        lines = ["TY  - GEN", f"ID  - {keys[work.iri]}", f"TI  - {work.title}"]
        lines += [f"AU  - {name}" for name in work.authors if name != "others"]
        for tag, value in (("PY", work.year), ("T2", work.venue), ("DO", work.doi), ("UR", work.link),
                           ("N1", f"arXiv:{work.arxiv}" if work.arxiv else None)):
            if value:
                lines.append(f"{tag}  - {value}")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _csl(entries: list[Work], keys: dict[str, str]) -> str:
    items = []
    for work in entries:
        item: dict[str, object] = {"id": keys[work.iri], "type": "article", "title": work.title}
        names = [{"literal": name} for name in work.authors if name != "others"]
        if names:
            item["author"] = names
        if work.year:
            item["issued"] = {"date-parts": [[int(work.year)]]}
        for key, value in (("container-title", work.venue), ("DOI", work.doi), ("URL", work.link)):
            if value:
                item[key] = value
        if work.arxiv:
            item["number"] = f"arXiv:{work.arxiv}"
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _csv(entries: list[Work], keys: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "title", "authors", "year", "venue", "doi", "arxiv", "url", "work"])
    for work in entries:
        writer.writerow([keys[work.iri], work.title, work.authors_as_given or "", work.year or "", work.venue or "",
                         work.doi or "", work.arxiv or "", work.link or "", work.iri])
    return buffer.getvalue()


_WRITERS = {"bibtex": _bibtex, "ris": _ris, "csl-json": _csl, "csv": _csv}


def render_bibliography(entries: list[Work], *, fmt: str, keys: dict[str, str] | None = None) -> str:
    """`entries` in `fmt` (one of BIBLIOGRAPHY_FORMATS), keyed by `keys` (default: citation_keys(entries)).

    Raises ParameterError for an unknown format.
    """
    if fmt not in _WRITERS:
        raise ParameterError(f"unknown bibliography format {fmt!r}; use one of {', '.join(BIBLIOGRAPHY_FORMATS)}")
    return _WRITERS[fmt](entries, keys or citation_keys(entries))

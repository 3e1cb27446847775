"""`kg gaps`: the research-gap report over the reasoned graph (asserted + graph:inferred) and its records.

Every figure in the report comes from a named query in `queries/gaps/` and the report says which one
(name + parameters), so a reader can re-run it with `kg query` or at the SPARQL endpoint:
- the base model x RL task matrix and the RL stage x policy architecture matrix (works, works with
  real-world experiments, works with code; empty and thin cells flagged), each cell's trend by year. A work
  is in a base model x RL task cell only where one source states that pair (a table or spreadsheet row, a
  list heading naming both, or the survey's view: queries/gaps/tool-matrix.rq), never from facts of two
  sources combined;
- every Section 9 challenge, recommendation and research direction with its evidence works and the works
  the graph holds that address it (beyond the survey or not);
- the research-question classes of ontology/research-questions.ttl with their member counts.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pyoxigraph import Literal, NamedNode, Store

from kg.errors import KgError
from kg.iri import GRAPH_INFERRED, GRAPH_ONTOLOGY, compact
from kg.queries import load_query, plain_value
from kg.runner import QueryRunner, records, run_named, runner_for
from kg.settings import Settings

__all__ = ["GapQuery", "THIN_AT_MOST", "MATRICES", "build_report", "render_markdown", "render_html",
           "render_heatmap", "run_gap_query"]

THIN_AT_MOST = 2
"""A cell with at most this many works (and at least one) is flagged 'thin'; with none, 'empty'."""

MATRICES = (
    ("tools", "Generative tools for RL: base model x RL task", "gaps/tool-matrix"),
    ("policies", "RL for generative policies: RL stage x policy architecture", "gaps/policy-matrix"),
)


@dataclass(frozen=True)
class GapQuery:
    """A named query of queries/gaps/ and the parameters it was run with: the claim's evidence."""

    name: str
    params: dict[str, str]

    def as_dict(self) -> dict:
        return {"name": self.name, "params": self.params, "command": self.command_line(), "href": self.href()}

    def href(self) -> str:
        """The query's page on the server (`/queries/<name>?param=...`), which runs it with these parameters."""
        return f"/queries/{self.name}" + (f"?{urlencode(self.params)}" if self.params else "")

    def command_line(self) -> str:
        params = "".join(f" --param {k}={v}" for k, v in self.params.items())
        return f"kg query {self.name}{params}"


def run_gap_query(*, settings: Settings, name: str, params: dict[str, str] | None = None,
                  store: Store | None = None, runner: QueryRunner | None = None) -> list[dict[str, Any]]:
    """Rows of the named query `queries/<name>.rq` (default graph `kg.iri.DEFAULT_GRAPHS`), run by `runner`
    (or on `store`), as plain values (str, int, bool or None, as the query's columns decide).

    `params` maps the query's declared parameters to values (IRIs for the gaps queries), bound as typed
    terms. Raises `NotFound` for an unknown name, `ParameterError` for a parameter the header does not declare.
    """
    table = run_named(runner_for(runner, store), load_query(settings, name), params)
    return [{n: plain_value(term) for n, term in row.items()} for row in records(table)]


def _labels(runner: QueryRunner) -> dict[str, str]:
    labels: dict[str, str] = {}
    query = """SELECT ?s ?label WHERE { { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
               UNION { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } }"""
    for row in records(runner.run_select(query)):
        subject, label = row["s"], row["label"]
        if (isinstance(subject, NamedNode) and isinstance(label, Literal)
                and (label.language in (None, "", "en") or subject.value not in labels)):
            labels.setdefault(subject.value, label.value)
    return labels


def _short(iri: str) -> str:
    return compact(iri)


def _flag(works: int) -> str | None:
    if works == 0:
        return "empty"
    if works <= THIN_AT_MOST:
        return "thin"
    return None


def _matrix(settings: Settings, runner: QueryRunner, key: str, title: str, query: str, labels: dict[str, str]) -> dict:
    rows = run_gap_query(settings=settings, runner=runner, name=query)
    row_iris = sorted({r["row"] for r in rows})
    column_iris = sorted({r["column"] for r in rows})
    cells = []
    for r in rows:
        params = {"row": r["row"], "column": r["column"]}
        trend = {str(t["year"]): t["works"] for t in
                 run_gap_query(settings=settings, runner=runner, name="gaps/cell-trend", params=params)
                 if t["year"] is not None}
        cells.append({
            "row": r["row"], "column": r["column"],
            "works": r["works"], "realWorld": r["realWorld"], "withCode": r["withCode"],
            "flag": _flag(r["works"]), "trend": trend,
            # the survey's Section 9 reads these cells as "no real-world validation yet"
            "noRealWorld": r["works"] > 0 and r["realWorld"] == 0,
            "query": GapQuery(query, {}).as_dict(),
            "worksQuery": GapQuery("gaps/cell-works", {k: _short(v) for k, v in params.items()}).as_dict(),
            "trendQuery": GapQuery("gaps/cell-trend", {k: _short(v) for k, v in params.items()}).as_dict(),
        })

    def axis(iris: list[str]) -> list[dict]:
        return [{"iri": i, "id": _short(i), "label": labels.get(i, _short(i))} for i in iris]

    return {"id": key, "title": title, "rows": axis(row_iris), "columns": axis(column_iris), "cells": cells,
            "query": GapQuery(query, {}).as_dict()}


def _section9(settings: Settings, runner: QueryRunner) -> list[dict]:
    items: dict[str, dict] = {}
    for r in run_gap_query(settings=settings, runner=runner, name="gaps/section9-evidence"):
        item = items.setdefault(r["node"], {
            "node": r["node"], "id": _short(r["node"]), "kind": _short(r["kind"]).split(":")[-1],
            "label": r["label"], "locator": r["locator"], "area": r["area"], "areaLabel": r["areaLabel"],
            "evidence": [], "evidenceQuery": GapQuery("gaps/section9-evidence", {}).as_dict()})
        if r["evidence"] and all(e["work"] != r["evidence"] for e in item["evidence"]):
            item["evidence"].append({"work": r["evidence"], "title": r["evidenceTitle"], "year": r["evidenceYear"]})
    for item in items.values():
        params = {"node": item["node"]}
        addressing: dict[str, dict] = {}
        for r in run_gap_query(settings=settings, runner=runner, name="gaps/section9-addressing-works", params=params):
            entry = addressing.setdefault(r["work"], {"work": r["work"], "title": r["title"], "year": r["year"],
                                                      "beyondSurvey": bool(r["beyondSurvey"]), "via": []})
            entry["via"].append(_short(r["via"]))
        item["addressing"] = list(addressing.values())
        beyond = sum(1 for a in item["addressing"] if a["beyondSurvey"])
        item["beyondSurvey"] = beyond
        item["status"] = ("addressed by works beyond the survey" if beyond else
                          "addressed by other surveyed works" if item["addressing"] else
                          "open: only the survey's evidence")
        item["addressingQuery"] = GapQuery("gaps/section9-addressing-works", {"node": _short(item["node"])}).as_dict()
    return sorted(items.values(), key=lambda i: (i["locator"] or "", i["node"]))


_ANY_TRIPLE_IN = "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"


def build_report(*, settings: Settings, store: Store | None = None, runner: QueryRunner | None = None) -> dict:
    """The gap report as a JSON-ready dict: matrices with trends, Section 9 items, research questions.
    Its queries run through `runner` (the server's worker pool), or on `store` in this process.

    Raises `KgError` when the graph holds no ontology, `NotFound` when a gaps query file is missing.
    """
    runner = runner_for(runner, store)
    if not runner.run_select(_ANY_TRIPLE_IN, {"g": NamedNode(GRAPH_ONTOLOGY)}).rows:
        raise KgError(f"the store at {settings.store_dir} holds no ontology: run `kg build` first")
    reasoned = bool(runner.run_select(_ANY_TRIPLE_IN, {"g": NamedNode(GRAPH_INFERRED)}).rows)
    labels = _labels(runner)
    questions = [{**r, "query": GapQuery("gaps/research-question-members", {}).as_dict()}
                 for r in run_gap_query(settings=settings, runner=runner, name="gaps/research-question-members")]
    return {
        "reasoned": reasoned,
        "thinAtMost": THIN_AT_MOST,
        "matrices": [_matrix(settings, runner, key, title, query, labels) for key, title, query in MATRICES],
        "section9": _section9(settings, runner),
        "researchQuestions": questions,
    }


# ---------------------------------------------------------------- rendering


def _cell(matrix: dict, row: str, column: str) -> dict:
    return next(c for c in matrix["cells"] if c["row"] == row and c["column"] == column)


def _cell_text(cell: dict) -> str:
    flag = f" **{cell['flag']}**" if cell["flag"] else ""
    flag += " **no real-world**" if cell.get("noRealWorld") else ""
    return f"{cell['works']} (real {cell['realWorld']}, code {cell['withCode']}){flag}"


def _trend_text(trend: dict[str, int]) -> str:
    return ", ".join(f"{year}: {n}" for year, n in sorted(trend.items())) or "no dated works"


def render_markdown(report: dict) -> str:
    """The report as Markdown (one table per matrix, trends, Section 9, research questions)."""
    out = ["# Research gaps", ""]
    if not report["reasoned"]:
        out += ["> graph:inferred is empty: these counts use asserted categories only; run `kg reason`.", ""]
    out += [f"Cells: works (with real-world experiments, with code). Flags: **empty** (0 works), "
            f"**thin** (1-{report['thinAtMost']} works), **no real-world** (works, none evaluated in the real world).", ""]
    for matrix in report["matrices"]:
        out += [f"## {matrix['title']}", "", f"Query: `{matrix['query']['command']}`", ""]
        out.append("| | " + " | ".join(c["label"] for c in matrix["columns"]) + " |")
        out.append("|---" * (len(matrix["columns"]) + 1) + "|")
        for row in matrix["rows"]:
            cells = [_cell_text(_cell(matrix, row["iri"], c["iri"])) for c in matrix["columns"]]
            out.append(f"| {row['label']} | " + " | ".join(cells) + " |")
        out += ["", "### Trend by year", ""]
        for cell in matrix["cells"]:
            out.append(f"- {_short(cell['row'])} x {_short(cell['column'])}: {_trend_text(cell['trend'])} "
                       f"(`{cell['trendQuery']['command']}`)")
        out.append("")
    out += ["## Section 9: challenges and research directions", ""]
    for item in report["section9"]:
        out.append(f"### {item['label'] or item['id']} ({item['kind']}, {item['locator'] or 'no locator'})")
        out.append("")
        evidence = ", ".join(f"{_short(e['work'])} ({e['year'] or 'year unknown'})" for e in item["evidence"]) or "none"
        out.append(f"- Evidence cited by the survey: {evidence} (`{item['evidenceQuery']['command']}`)")
        out.append(f"- Status: {item['status']}; {len(item['addressing'])} other work(s) in its categories, "
                   f"{item['beyondSurvey']} beyond the survey (`{item['addressingQuery']['command']}`)")
        for work in item["addressing"]:
            if work["beyondSurvey"]:
                out.append(f"  - {_short(work['work'])} {work['title'] or ''} ({work['year'] or 'year unknown'})")
        out.append("")
    out += ["## Research questions", ""]
    for q in report["researchQuestions"]:
        out.append(f"- {q['question']} **{q['works']}** work(s) ({_short(q['class'])}; `{q['query']['command']}`)")
    return "\n".join(out) + "\n"


def render_html(report: dict, *, heatmap_src: str | None = "heatmap.svg", standalone: bool = True) -> str:
    """The report as one HTML page; `heatmap_src` is the heatmap image's address (None: no image).
    `standalone`: a file of its own (no site navigation), as `kg gaps --format html` writes it."""
    from kg.api.rendering import (
        render,  # the site's templates; imported here, the CLI rarely needs them
    )

    matrices = [{**matrix, "grid": [
        {"label": row["label"], "iri": row["iri"], "cells": [
            {**cell, "trend_text": _trend_text(cell["trend"]), "column_label": column["label"]}
            for cell, column in ((_cell(matrix, row["iri"], c["iri"]), c) for c in matrix["columns"])]}
        for row in matrix["rows"]]} for matrix in report["matrices"]]
    return render("gaps.html", title="Research gaps", here="/gaps", report=report, matrices=matrices,
                  heatmap_src=heatmap_src, standalone=standalone)


def render_heatmap(report: dict, *, image_format: str) -> bytes:
    """Both matrices as one heatmap figure (colour = works); `image_format` is 'png' or 'svg'."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrices = report["matrices"]
    # one panel per matrix, as wide as its columns, so cells have the same size in both and fit their text
    columns = [len(matrix["columns"]) for matrix in matrices]
    # matplotlib's object API, not pyplot: no global state, so requests may draw in parallel threads
    figure = Figure(figsize=(6 + 2.2 * sum(columns), 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(matrices), gridspec_kw={"width_ratios": columns}, squeeze=False)[0]
    for ax, matrix in zip(axes, matrices):
        grid = [[_cell(matrix, r["iri"], c["iri"]) for c in matrix["columns"]] for r in matrix["rows"]]
        counts = [[cell["works"] for cell in row] for row in grid]
        image = ax.imshow(counts, cmap="viridis", vmin=0, aspect="auto")
        ax.set_xticks(range(len(matrix["columns"])), [c["label"] for c in matrix["columns"]], rotation=25, ha="right")
        ax.set_yticks(range(len(matrix["rows"])), [r["label"] for r in matrix["rows"]])
        ax.set_title(textwrap.fill(matrix["title"], width=60), fontsize=10)
        peak = max((max(r) for r in counts if r), default=0)
        for i, row in enumerate(grid):
            for j, cell in enumerate(row):
                text = f"{cell['works']}\nreal {cell['realWorld']} / code {cell['withCode']}"
                if cell["flag"]:
                    text += f"\n{cell['flag']}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="black" if cell["works"] > peak / 2 else "white")
        figure.colorbar(image, ax=ax, shrink=0.7, label="works")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format, dpi=120, bbox_inches="tight")  # long labels stay inside
    return buffer.getvalue()

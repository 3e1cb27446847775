"""The survey's figures, redrawn from the graph: Fig. 1 (trend) and Fig. 2 (heatmap), and two figures of
its history: the list's growth per perspective and the gap matrix over the editions.

Each figure is drawn from a named query's result (`papers-per-year-per-base-model`,
`papers-per-year-per-perspective`, `list-growth-per-perspective`, `gap-matrix-over-editions`), so the
figures follow the data as papers are added.
Drawing uses matplotlib's object API with the Agg canvas (no pyplot state, safe in server threads).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyoxigraph import Literal, Store

from kg.errors import NotFound
from kg.formats import IMAGE_FORMATS
from kg.iri import CAT, compact
from kg.queries import load_query
from kg.runner import QueryRunner, run_named, runner_for
from kg.settings import Settings

__all__ = ["FORMATS", "figure_names", "figure_title", "render_figure", "figures_html", "edition_figure_names"]

FORMATS = {fmt.key: fmt.media_type for fmt in IMAGE_FORMATS}
"""Key -> media type of the image formats (the table is kg.formats)."""

# rows in the taxonomy's order (docs/model.md), as the survey presents them; others follow by name
_TAXONOMY_ORDER = [CAT + name for name in (
    "generative-tools-for-rl", "llm", "vlm", "diffusion-model", "world-and-video-prediction-models",
    "rl-for-generative-policies", "rl-pretraining", "rl-finetuning", "policy-distillation", "policy-safety")]


@dataclass(frozen=True)
class _Counts:
    """papers[row][year] for the rows (labels) in display order and the years in range."""

    rows: list[str]
    """row labels, in display order"""
    years: list[int]
    papers: dict[str, dict[int, int]]
    emphasised: frozenset[str] = frozenset()


def _value(term: object) -> str:
    return term.value if term is not None else ""  # type: ignore[attr-defined]


def _number(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def _taxonomy_position(concept: str, label: str) -> tuple[int, str]:
    position = _TAXONOMY_ORDER.index(concept) if concept in _TAXONOMY_ORDER else len(_TAXONOMY_ORDER)
    return position, label.casefold()


def _year_range(years: set[int]) -> list[int]:
    return list(range(min(years), max(years) + 1))


def _trend_counts(*, runner: QueryRunner, settings: Settings) -> _Counts:
    table = run_named(runner, load_query(settings, "papers-per-year-per-base-model"))
    papers: dict[str, dict[int, int]] = {}
    concept_of: dict[str, str] = {}
    for base_model, label, year, count in table.rows:
        if year is None or not _value(year).lstrip("-").isdigit():
            continue
        concept_of[_value(label)] = _value(base_model)
        papers.setdefault(_value(label), {})[int(_value(year))] = _number(count)
    if not papers:
        raise NotFound("no surveyed works with a publication year and a base model in the store "
                       "(run `kg import`, then `kg build`)")
    rows = sorted(papers, key=lambda label: _taxonomy_position(concept_of[label], label))
    return _Counts(rows=rows, years=_year_range({y for counts in papers.values() for y in counts}), papers=papers)


def _heatmap_counts(*, runner: QueryRunner, settings: Settings) -> _Counts:
    table = run_named(runner, load_query(settings, "papers-per-year-per-perspective"))
    papers: dict[str, dict[int, int]] = {}
    position: dict[str, tuple[tuple[int, str], bool, tuple[int, str]]] = {}
    totals: set[str] = set()
    for perspective, perspective_label, category, label, year, count in table.rows:
        if year is None or not _value(year).lstrip("-").isdigit():
            continue
        is_total = _value(perspective) == _value(category)
        row = f"{_value(perspective_label)} (all)" if is_total else _value(label)
        if is_total:
            totals.add(row)
        position[row] = (_taxonomy_position(_value(perspective), _value(perspective_label)), not is_total,
                         _taxonomy_position(_value(category), row))
        papers.setdefault(row, {})[int(_value(year))] = _number(count)
    if not papers:
        raise NotFound("no surveyed works with a publication year and a category in the store "
                       "(run `kg import`, then `kg build`)")
    rows = sorted(papers, key=position.__getitem__)
    return _Counts(rows=rows, years=_year_range({y for counts in papers.values() for y in counts}),
                   papers=papers, emphasised=frozenset(totals))


def _draw_trend(counts: _Counts) -> Figure:
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.add_subplot()
    markers = "osD^vP*X"
    for index, row in enumerate(counts.rows):
        values = [counts.papers[row].get(year, 0) for year in counts.years]
        axes.plot(counts.years, values, marker=markers[index % len(markers)], linewidth=2, label=row)
    axes.set_xticks(counts.years, [str(year) for year in counts.years])
    axes.set_xlabel("Publication year")
    axes.set_ylabel("Papers")
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # the default is a MaxNLocator
    axes.grid(axis="y", alpha=0.3)
    axes.set_title("Trends in generative AI and RL integration for robotics\n(papers per year, by base model)")
    axes.legend(title="Base model", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def _draw_heatmap(counts: _Counts) -> Figure:
    grid = [[counts.papers[row].get(year, 0) for year in counts.years] for row in counts.rows]
    width = 3.5 + 0.75 * len(counts.years)
    height = 1.6 + 0.45 * len(counts.rows)
    figure = Figure(figsize=(max(width, 7.0), height), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(grid, cmap="Purples", aspect="auto")
    peak = max(max(row) for row in grid) or 1
    for y, row in enumerate(grid):
        for x, value in enumerate(row):
            axes.text(x, y, str(value), ha="center", va="center", fontsize=9,
                      color="white" if value > peak * 0.55 else "black")
    axes.set_xticks(range(len(counts.years)), [str(year) for year in counts.years])
    axes.set_yticks(range(len(counts.rows)), counts.rows)
    for index, label in enumerate(axes.get_yticklabels()):
        if label.get_text() in counts.emphasised:
            label.set_fontweight("bold")
            if index:  # a rule above each perspective's block but the first
                axes.axhline(index - 0.5, color="black", linewidth=1.2)
    axes.set_xlabel("Publication year")
    axes.set_title("Published papers per year, by category and perspective")
    figure.colorbar(image, ax=axes, label="Papers", shrink=0.8)
    return figure


@dataclass(frozen=True)
class _EditionSeries:
    """values[row][i] for the list editions in order (dates[i]; the seed's date is 'seed')."""

    dates: list[str]
    rows: list[str]
    values: dict[str, list[int]]


def _edition_dates(table_rows: list) -> list[tuple[str, str]]:
    """(date or 'seed', edition IRI) of each edition, in the rows' order (the queries order by date)."""
    editions: list[tuple[str, str]] = []
    for row in table_rows:
        edition = _value(row[0])
        if not editions or editions[-1][1] != edition:
            editions.append((_value(row[1])[:10] or "seed", edition))
    return editions


def _series(table_rows: list, row_label: Callable[[list], str], count_at: int, *, empty: str) -> _EditionSeries:
    editions = _edition_dates(table_rows)
    index = {edition: i for i, (_, edition) in enumerate(editions)}
    values: dict[str, list[int]] = {}
    for row in table_rows:
        values.setdefault(row_label(row), [0] * len(editions))[index[_value(row[0])]] = _number(row[count_at])
    if not values:
        raise NotFound(empty)
    return _EditionSeries(dates=[when for when, _ in editions], rows=sorted(values), values=values)


def _growth_counts(*, runner: QueryRunner, settings: Settings) -> _EditionSeries:
    table = run_named(runner, load_query(settings, "list-growth-per-perspective"))
    return _series(table.rows, lambda row: compact(_value(row[2])), 3,
                   empty="the store holds no editions of the list (run `kg import` with the survey's history, then "
                         "`kg build`)")


def _gap_history_counts(*, runner: QueryRunner, settings: Settings) -> _EditionSeries:
    table = run_named(runner, load_query(settings, "gap-matrix-over-editions"))
    return _series(table.rows, lambda row: f"{compact(_value(row[2]))} x {compact(_value(row[3]))}", 4,
                   empty="no work of the gap matrix is listed in an edition of the store: it needs the editions "
                         "(`kg import` with the survey's history) and the reasoner's classes (`kg build`)")


def _times(dates: list[str]) -> list[dt.datetime]:
    """The editions' dates on a time axis; seed 000 (undated, the newest) a week after the last dated one."""
    dated = [dt.datetime.fromisoformat(d) for d in dates if d != "seed"]
    return [dt.datetime.fromisoformat(d) if d != "seed" else dated[-1] + dt.timedelta(days=7) for d in dates]


def _date_axis(axes, times: list[dt.datetime]) -> None:
    axes.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes.set_xlim(times[0], times[-1] + dt.timedelta(days=7))
    axes.set_xlabel("Date of the edition (seed 000: the last week)")


def _draw_growth(series: _EditionSeries) -> Figure:
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.add_subplot()
    times = _times(series.dates)
    for row in series.rows:
        axes.step(mdates.date2num(times), series.values[row], where="post", linewidth=2, label=row)
    _date_axis(axes, times)
    axes.set_ylabel("Works listed")
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.set_title("Growth of the companion list per perspective, edition by edition")
    axes.legend(title="Perspective (today's graph)", loc="upper left", frameon=False)
    return figure


def _draw_gap_history(series: _EditionSeries) -> Figure:
    times = _times(series.dates)
    edges = mdates.date2num([*times, times[-1] + dt.timedelta(days=7)])
    grid = [series.values[row] for row in series.rows]
    figure = Figure(figsize=(12, 1.6 + 0.4 * len(series.rows)), layout="constrained")
    axes = figure.add_subplot()
    mesh = axes.pcolormesh(edges, range(len(series.rows) + 1), grid, cmap="Purples", shading="flat")
    axes.set_yticks([i + 0.5 for i in range(len(series.rows))], series.rows)
    axes.invert_yaxis()
    _date_axis(axes, times)
    axes.set_title("Gap matrix (base model x RL task) over the editions: works listed per cell")
    figure.colorbar(mesh, ax=axes, label="Works", shrink=0.8)
    return figure


_FIGURES: dict[str, tuple[str, Callable[..., Any], Callable[[Any], Figure]]] = {
    "trend": ("Fig. 1: papers per year per base model", _trend_counts, _draw_trend),
    "heatmap": ("Fig. 2: papers per year per category and perspective", _heatmap_counts, _draw_heatmap),
    "list-growth": ("The companion list's growth per perspective over its editions", _growth_counts, _draw_growth),
    "gap-history": ("The gap matrix over the editions: which cells filled when", _gap_history_counts,
                    _draw_gap_history),
}
_EDITION_FIGURES = ("list-growth", "gap-history")


def edition_figure_names() -> list[str]:
    """The figures drawn from the past editions (shown on /changes too)."""
    return list(_EDITION_FIGURES)


def figure_names() -> list[str]:
    """The figures this module draws, in the survey's order."""
    return list(_FIGURES)


def figure_title(name: str) -> str:
    """A figure's caption. Raises NotFound for an unknown figure."""
    if name not in _FIGURES:
        raise NotFound(f"no figure {name!r}; figures: {', '.join(_FIGURES)}")
    return _FIGURES[name][0]


def render_figure(*, settings: Settings, name: str, fmt: str, store: Store | None = None,
                  runner: QueryRunner | None = None) -> bytes:
    """A figure as PNG or SVG bytes, drawn from query results: run by `runner` (the server's worker pool)
    or on `store` in this process.

    Raises NotFound for an unknown figure or format, or when the graph holds no data to draw.
    """
    figure_title(name)
    if fmt not in FORMATS:
        raise NotFound(f"no figure format {fmt!r}; formats: {', '.join(FORMATS)}")
    _, read_counts, draw = _FIGURES[name]
    figure = draw(read_counts(runner=runner_for(runner, store), settings=settings))
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    # SVG keeps its labels as text (searchable, accessible, smaller); ids are seeded so output is stable
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "duality-kg"}):
        figure.savefig(out, format=fmt, dpi=150, metadata=metadata)
    return out.getvalue()


def figures_html(*, prefix: str = "/figures") -> str:
    """An HTML block showing every figure (SVG) with links to PNG and SVG, for the server's pages."""
    from kg.api.rendering import render  # the site's templates

    figures = [{"name": name, "title": title} for name, (title, _, _) in _FIGURES.items()]
    return render("_figures.html", figures=figures, prefix=prefix)


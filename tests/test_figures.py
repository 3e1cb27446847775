"""The figures are drawn from live query results: every row of the query appears in the figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from queries_support import project_settings, project_store, require_data

from kg.errors import NotFound
from kg.figures import figure_names, figures_html, render_figure
from kg.queries import load_query, result_table, run_query

SVG = "{http://www.w3.org/2000/svg}"


def _svg_text(content: bytes) -> set[str]:
    root = ET.fromstring(content)
    return {"".join(node.itertext()).strip() for node in root.iter(SVG + "text")}


@pytest.mark.parametrize(("figure", "query", "label_column"), [
    ("trend", "papers-per-year-per-base-model", "label"),
    ("heatmap", "papers-per-year-per-perspective", "label"),
])
def test_figure_shows_every_row_and_year_of_its_query(figure: str, query: str, label_column: str):
    require_data()
    settings, store = project_settings(), project_store()
    table = result_table(run_query(store=store, query=load_query(settings, query)))
    assert table.rows
    column, year = table.variables.index(label_column), table.variables.index("year")
    labels = {row[column].value for row in table.rows}
    years = {row[year].value for row in table.rows}
    texts = _svg_text(render_figure(store=store, settings=settings, name=figure, fmt="svg"))
    shown = " | ".join(sorted(texts))
    assert all(any(label in text for text in texts) for label in labels), f"labels missing from {shown}"
    assert years <= texts, f"years missing from {shown}"


def test_png_is_a_png():
    require_data()
    content = render_figure(store=project_store(), settings=project_settings(), name="heatmap", fmt="png")
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) > 5_000


def test_unknown_figure_or_format_is_not_found():
    with pytest.raises(NotFound, match="pie"):
        render_figure(store=project_store(), settings=project_settings(), name="pie", fmt="png")
    with pytest.raises(NotFound, match="gif"):
        render_figure(store=project_store(), settings=project_settings(), name="trend", fmt="gif")


def test_home_page_block_links_every_figure():
    block = figures_html()
    assert figure_names() and all(f"/figures/{name}.svg" in block for name in figure_names())

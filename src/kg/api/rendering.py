"""HTML pages from the Jinja templates in `templates/` (autoescape on; one base layout with navigation).

`safe_href` is the one rule for links: only http(s) IRIs and local paths become links; any other IRI
(javascript:, data:, urn:, mailto:, file:, ...) is shown as text. static/query.js applies the same rule
to the query page's result table.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

from kg.iri import BASE, compact

__all__ = ["render", "safe_href", "TEMPLATES_DIR"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
_STYLESHEET = Path(__file__).parent / "static" / "site.css"

NAVIGATION = (
    ("/search", "Search"), ("/papers", "Papers"), ("/categories", "Categories"), ("/query", "Query"),
    ("/queries", "Named queries"), ("/gaps", "Gaps"), ("/figures", "Figures"), ("/changes", "Changes"),
    ("/ontology", "Ontology"), ("/.well-known/void", "VoID"), ("/export", "Export"),
)


def safe_href(iri: str, base: str = BASE) -> str | None:
    """Where a link to `iri` goes: a local path for IRIs under `base`, the IRI itself for other http(s)
    IRIs and local paths, None (no link) for anything else."""
    if iri.startswith(base):
        return "/" + iri[len(base):]
    if iri.lower().startswith(("http://", "https://")) or (iri.startswith("/") and not iri.startswith("//")):
        return iri
    return None


def _is_iri(term: object) -> bool:
    return isinstance(term, ox.NamedNode)


def _is_literal(term: object) -> bool:
    return isinstance(term, ox.Literal)


def _datatype(term: ox.Literal) -> str:
    """The literal's datatype, compacted, unless it is plain xsd:string or a language string."""
    if term.language or term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return ""
    return compact(term.datatype.value)


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, trim_blocks=True, lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_environment.filters.update(href=safe_href, compact=compact, datatype=_datatype)
_environment.tests.update(iri=_is_iri, literal=_is_literal)
_environment.globals.update(navigation=NAVIGATION)


def render(template: str, *, base: str = BASE, standalone: bool = False, **context: object) -> str:
    """The page `template` with `context`; `base` is the base IRI (IRIs under it link to local pages).

    `standalone`: a file read outside the server (`kg gaps --format html`): no navigation, styles inline.
    """
    defaults: dict[str, object] = {"title": "", "here": None, "alternates": {}, "inline_css": None}
    if standalone:
        defaults["inline_css"] = Markup(_STYLESHEET.read_text(encoding="utf-8"))  # our own file, not input
    return _environment.get_template(template).render(**(defaults | context), base=base, standalone=standalone)

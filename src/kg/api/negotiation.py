"""Content negotiation for every route: pick one of the offered formats (kg.formats) from `Accept` with
q-values and wildcards, unless a `format=` parameter or a path suffix (`/paper/x.ttl`) names one."""

from __future__ import annotations

from functools import lru_cache

from kg.formats import DATASET_FORMATS, GRAPH_FORMATS, HTML, RESULT_FORMATS, Format

__all__ = [
    "Format", "RESULT_FORMATS", "GRAPH_FORMATS", "HTML", "negotiate", "named_format", "split_suffix",
    "NotAcceptable", "RDF_FORMAT_ENUM", "RESULTS_FORMAT_ENUM",
]

# The workers serialize by key; these names stay importable from here.
RESULTS_FORMAT_ENUM = {f.key: f.results for f in RESULT_FORMATS}
RDF_FORMAT_ENUM = {f.key: f.rdf for f in (*GRAPH_FORMATS, *DATASET_FORMATS)}


class NotAcceptable(Exception):
    """No offered format matches the `Accept` header or the `format=` parameter (HTTP 406)."""


def named_format(offered: tuple[Format, ...], word: str) -> Format | None:
    """The offered format `word` names (a key first, then a suffix, another name or a media type), or None."""
    word = word.strip().lower()
    for attribute in ("key", "suffix"):
        for fmt in offered:
            if getattr(fmt, attribute) == word:
                return fmt
    return next((fmt for fmt in offered if fmt.named(word)), None)


def split_suffix(path: str, offered: tuple[Format, ...]) -> tuple[str, Format | None]:
    """`("paper/x", Turtle)` for `"paper/x.ttl"`; `(path, None)` when the path ends in no offered suffix."""
    stem, dot, suffix = path.rpartition(".")
    if dot and "/" not in suffix:
        fmt = next((f for f in offered if f.suffix == suffix.lower()), None)
        if fmt is not None:
            return stem, fmt
    return path, None


def negotiate(accept: str | None, offered: tuple[Format, ...], *, requested: str | None = None) -> Format:
    """The format to answer in: the one `requested` names (a `format=` value or a path suffix), else the
    offered format `accept` prefers; the first offered one when `Accept` is absent.

    Raises NotAcceptable when `requested` names no offered format, or every offered format has q=0.
    """
    if requested:
        fmt = named_format(offered, requested)
        if fmt is None:
            raise NotAcceptable(f"format {requested[:40]!r} is not offered here; use one of: "
                                + ", ".join(f.key for f in offered))
        return fmt
    if not accept or not accept.strip():
        return offered[0]
    return _negotiate(accept, offered)


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching `media_type`."""
    kind = media_type.split("/")[0]
    best: tuple[float, int, int] | None = None
    for media, q, position in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity, -position)
    return best or (0.0, -1, 0)


@lru_cache(maxsize=256)
def _negotiate(accept: str, offered: tuple[Format, ...]) -> Format:
    # clients send the same few Accept headers again and again: remember the answers
    ranges = _parse_accept(accept)
    best: tuple[tuple[float, int, int, int], Format] | None = None
    for rank, fmt in enumerate(offered):
        for media in fmt.accepts:
            q, specificity, position = _quality(media, ranges)
            if q <= 0:
                continue
            score = (q, specificity, position, -rank)
            if best is None or score > best[0]:
                best = (score, fmt)
    if best is None:
        raise NotAcceptable("none of the offered media types is acceptable: "
                            + ", ".join(f.accepts[0] for f in offered))
    return best[1]

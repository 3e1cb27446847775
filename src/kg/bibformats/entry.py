"""One bibliographic entry as `kg add` reads it, and the checks every entry passes before anything is written."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.iri import normalise_arxiv_id, normalise_doi

__all__ = ["CC0", "Entry", "InputDocument", "check_entry", "code_link", "clean"]

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
_ARXIV_ID = re.compile(r"(?:arxiv:)?\s*\d{4}\.\d{4,5}(?:v\d+)?", re.IGNORECASE)
_CODE_HOSTS = ("github.com/", "gitlab.com/", "bitbucket.org/", "huggingface.co/")


@dataclass(frozen=True)
class InputDocument:
    """Where entries come from: a file (its name and SHA-256) or a command line / request body."""
    name: str
    sha256: str
    kind: str
    """What it is, for people: 'BibTeX file', 'command line', 'POST /papers body'..."""

    @classmethod
    def of(cls, name: str, content: bytes, kind: str) -> InputDocument:
        return cls(name=name, sha256=hashlib.sha256(content).hexdigest(), kind=kind)


@dataclass
class Entry:
    document: InputDocument
    locator: str
    """The entry in its document: its key where it has one, else its position (`entry 3, line 12`)."""
    title: str
    authors: list[str] = field(default_factory=list)
    year: str | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    code_url: str | None = None
    abstract: str | None = None
    abstract_licence: str | None = None
    """Set only where the record's licence allows keeping the abstract (CC0)."""
    raw_arxiv: str | None = None
    """The arXiv id as given, checked by `check_entry`."""
    raw_doi: str | None = None

    @property
    def where(self) -> str:
        return f"{self.document.name}: {self.locator}"


def clean(text: object) -> str:
    """One line of text: braces of BibTeX and runs of white space removed."""
    return re.sub(r"\s+", " ", str(text or "").replace("{", "").replace("}", "")).strip()


def code_link(*texts: str | None) -> str | None:
    """The first code-hosting URL (GitHub, GitLab, ...) in `texts`."""
    for text in texts:
        for url in re.findall(r"https?://[^\s,;}\"'<>()]+", text or ""):
            if any(host in url for host in _CODE_HOSTS):
                return url.rstrip(".")
    return None


def check_entry(entry: Entry) -> None:
    """Normalise the ids of `entry` in place; raise InputError naming file and entry when it has no title,
    a malformed arXiv id or DOI, or a year that is not four digits."""
    if not entry.title:
        raise InputError(f"{entry.where}: the entry has no title")
    if entry.raw_arxiv:
        if not _ARXIV_ID.fullmatch(entry.raw_arxiv.strip()) and not re.search(r"arxiv\.org/(abs|pdf)/", entry.raw_arxiv):
            raise InputError(f"{entry.where}: malformed arXiv id {entry.raw_arxiv!r} (expected e.g. 2310.12931 or "
                             "2310.12931v2)")
        entry.arxiv_id = normalise_arxiv_id(entry.raw_arxiv)
    if entry.raw_doi:
        doi = normalise_doi(entry.raw_doi)
        if doi is None or not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
            raise InputError(f"{entry.where}: malformed DOI {entry.raw_doi!r} (expected e.g. 10.1109/ICRA.2024.1 or "
                             "https://doi.org/10.1109/ICRA.2024.1)")
        entry.doi = doi
        if "arxiv" in doi.lower():  # 10.48550/arXiv.X names the arXiv record
            entry.arxiv_id = entry.arxiv_id or normalise_arxiv_id(doi)
    if not entry.arxiv_id and entry.url and "arxiv.org/" in entry.url:
        entry.arxiv_id = normalise_arxiv_id(entry.url)
    if entry.year is not None:
        entry.year = entry.year.strip()
        if not re.fullmatch(r"\d{4}", entry.year) or not 1988 <= int(entry.year) <= 2026:
            raise InputError(f"{entry.where}: the year {entry.year!r} is not a four-digit year within 1988..2026")
    for name in ("url", "code_url"):
        value = getattr(entry, name)
        if value and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value):
            raise InputError(f"{entry.where}: the {name.replace('_', ' ')} {value!r} is not an http(s) URL")
    entry.code_url = entry.code_url or code_link(entry.url)
    if entry.venue and re.search(r"arxiv", entry.venue, re.IGNORECASE):
        entry.venue = None  # "arXiv preprint arXiv:X" is the arXiv id again, not a venue

"""`kg release VERSION`: a dated, citable snapshot of the graph under releases/VERSION/.

    releases/1.0/duality-kg.{nq,ttl,nt,jsonld,rdf}   the store in every export format (kg.export)
    releases/1.0/void.ttl        VoID: dcterms:issued, owl:versionInfo, dcterms:hasVersion, sha256 of each dump
    releases/1.0/SHA256SUMS      the same checksums, for `sha256sum -c`
    releases/1.0/changes.md      the diff to the previous release (kg.graph_diff), for people
    releases/1.0/changes.patch   the same as RDF Patch, for stores
    releases/1.0/release.json    version, date, quad count, previous version

A release is written into a hidden sibling folder and renamed into place when complete, and an existing
version is never overwritten. The endpoint serves the folders read-only (/releases/, kg.api.history).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.atomic import write_atomic
from kg.errors import InputError, KgError, NotFound
from kg.export import EXPORT_FORMATS, export
from kg.formats import by_key
from kg.graph_diff import graph_diff, read_dump, report_markdown, store_report
from kg.iri import BASE, GRAPH_RELEASE
from kg.settings import Settings

__all__ = ["Release", "ReleaseExists", "make_release", "list_releases", "release_file", "DUMP_NAME"]

DUMP_NAME = "duality-kg"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ReleaseExists(KgError):
    """The version was released already; releases are never overwritten."""


@dataclass(frozen=True)
class Release:
    version: str
    path: Path
    issued: str
    quads: int
    previous: str | None
    files: tuple[str, ...]


def _check_version(version: str) -> str:
    if not _VERSION.match(version) or ".." in version:
        raise InputError(f"release version {version[:70]!r}: use letters, digits and . _ + - (e.g. 1.0 or "
                         "2025.07), starting with a letter or digit")
    return version


def list_releases(folder: Path) -> list[dict]:
    """The release.json of every complete release under `folder`, oldest first (by date, then version)."""
    found = []
    for meta in sorted(Path(folder).glob("*/release.json")):
        try:
            found.append(json.loads(meta.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # not a release this command wrote
    return sorted(found, key=lambda r: (r.get("issued", ""), r.get("written", ""), r.get("version", "")))


def make_release(settings: Settings, store: ox.Store, version: str, *, out: Path | None = None,
                 today: dt.date | None = None) -> Release:
    """Write the release `version` of `store` into `out` (default releases/VERSION). Raises ReleaseExists
    when that folder exists, InputError for a version that is not a safe folder name."""
    target = Path(out) if out is not None else Path(settings.releases_dir) / _check_version(version)
    if target.exists():
        raise ReleaseExists(f"release {version} exists already at {target}; releases are never overwritten "
                            "(choose another version)")
    issued = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    history = [r for r in list_releases(target.parent) if r.get("version") != version]
    previous = history[-1] if history else None
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        checksums: dict[str, str] = {}
        for key in EXPORT_FORMATS:
            name = f"{DUMP_NAME}.{by_key(key).suffix}"
            export(store, format=key, output=staging / name)
            checksums[name] = hashlib.sha256((staging / name).read_bytes()).hexdigest()
        write_atomic(staging / "SHA256SUMS", "".join(f"{digest}  {name}\n" for name, digest in checksums.items()))
        triples = len({quad.triple for quad in store})  # VoID counts the triples of the union, each once
        write_atomic(staging / "void.ttl", _void(settings, version, issued, triples, checksums, previous))
        if previous is not None:
            old = ox.Store()
            old.extend(read_dump(target.parent / previous["version"] / f"{DUMP_NAME}.nq"))
            change = graph_diff(old, store, a_name=f"release {previous['version']}", b_name=f"release {version}")
            write_atomic(staging / "changes.md", report_markdown(store_report(change, a=old, b=store, settings=settings)))
            write_atomic(staging / "changes.patch", change.to_patch())
        meta = {"version": version, "issued": issued, "quads": len(store),
                "previous": previous["version"] if previous else None,
                "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        write_atomic(staging / "release.json", json.dumps(meta, indent=2) + "\n")
        for path in staging.iterdir():
            path.chmod(0o644)  # published files: readable by whoever serves or mirrors them
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(version=version, path=target, issued=issued, quads=len(store),
                   previous=previous["version"] if previous else None,
                   files=tuple(sorted(p.name for p in target.iterdir())))


def _void(settings: Settings, version: str, issued: str, triples: int, checksums: dict[str, str],
          previous: dict | None) -> str:
    """The VoID description of one release (Turtle)."""
    dataset = f"<{GRAPH_RELEASE}{version}>"
    served = f"{settings.base_iri}releases/{version}/"
    lines = ["@prefix void: <http://rdfs.org/ns/void#> .",
             "@prefix dcterms: <http://purl.org/dc/terms/> .",
             "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
             "@prefix spdx: <http://spdx.org/rdf/terms#> .", "",
             f"<{BASE}> dcterms:hasVersion {dataset} .", "",
             f"{dataset} a void:Dataset ;",
             f'    dcterms:title "duality-kg, release {version}" ;',
             f'    owl:versionInfo "{version}" ;',
             f'    dcterms:issued "{issued}"^^xsd:date ;',
             f"    dcterms:isVersionOf <{BASE}> ;",
             f"    void:triples {triples} ;"]
    if previous is not None:
        lines.append(f"    dcterms:replaces <{GRAPH_RELEASE}{previous['version']}> ;")
    lines.append("    void:dataDump " + ", ".join(f"<{served}{name}>" for name in checksums) + " .")
    for name, digest in checksums.items():
        lines += ["", f"<{served}{name}> spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
                  f'    spdx:checksumValue "{digest}" ] .']
    return "\n".join(lines) + "\n"


def release_file(folder: Path, version: str, name: str) -> Path:
    """The file `name` of release `version` under `folder`, for serving: both must be plain names (no '/',
    no '..', no hidden or partial folders). Raises NotFound otherwise or when absent."""
    if not _VERSION.match(version) or ".." in version or not _FILE.match(name) or ".." in name:
        raise NotFound(f"no release file {version[:40]!r}/{name[:40]!r}")
    path = Path(folder) / version / name
    if not (Path(folder) / version / "release.json").is_file() or not path.is_file():
        raise NotFound(f"release {version[:40]!r} has no file {name[:40]!r} (see /releases/)")
    return path

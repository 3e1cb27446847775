"""`kg review`: a maintainer's decisions on AI suggestions (records of class dkg:Suggestion, HELPERS design).

A suggestion `<work#suggestion-<facet>-<concept>>` carries one suggested fact with its ordinary predicate
(e.g. `dkg:inCategory cat:reward-llm`), a score, the nearest works and `dkg:reviewStatus dkg:Pending`.
`decide` accepts, rejects or corrects it (corrected: another concept of the taxonomy, same predicate).
The suggestion then records the decision (`dkg:reviewStatus`, `dkg:reviewer`, `dcterms:date`, and
`dkg:correctedTo`); an accepted or corrected fact becomes an ordinary fact of the work, mirrored on a
`dkg:ReviewedRecord` `<work#reviewed-<facet>-<concept>>` (`dkg:extractionMethod dkg:Reviewed`, the
reviewer, the date, `dkg:decides` the suggestion), derived from the work's review log `<work#review-log>`.
Rejected suggestions stay, marked rejected. Every decision is one write through kg.edits.write_batch.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.datafiles import ProjectFiles, value_of
from kg.edits import PaperEdit, description, edit_path, project_files, write_batch
from kg.errors import InputError, NotFound
from kg.iri import CAT, DCTERMS, DKG, PAPER, PREFIXES, PROV, SKOS, compact, expand
from kg.settings import Settings

__all__ = ["DECISIONS", "Suggestion", "Decision", "suggestions", "decide", "suggestion_iri", "review_log"]

DECISIONS = {"accept": "Accepted", "reject": "Rejected", "correct": "Corrected"}
"""Decision -> the dkg: review status it records."""

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD = PREFIXES["xsd"]
_SUGGESTION = ox.NamedNode(DKG + "Suggestion")
_STATUS, _REVIEWER, _DATE = ox.NamedNode(DKG + "reviewStatus"), ox.NamedNode(DKG + "reviewer"), ox.NamedNode(DCTERMS + "date")
_META = {PREFIXES["rdf"] + "type", DKG + "recordOf", DKG + "score", DKG + "nearestWork", DKG + "extractionMethod",
         PROV + "wasAttributedTo", PROV + "wasDerivedFrom", DKG + "reviewStatus", DKG + "reviewer", DCTERMS + "date",
         DKG + "locator", DKG + "correctedTo", PREFIXES["rdfs"] + "label", PREFIXES["rdfs"] + "comment"}
"""Predicates that describe a suggestion rather than state the suggested fact."""


@dataclass
class Suggestion:
    iri: str
    paper: str
    title: str
    predicate: str
    concept: str
    status: str
    score: float | None = None
    nearest: list[str] = field(default_factory=list)
    reviewer: str | None = None
    date: str | None = None

    @property
    def key(self) -> str:
        """`<paper id>/<fragment>`: how the CLI and the HTTP route name a suggestion."""
        paper_id, _, fragment = self.iri.removeprefix(PAPER).partition("#")
        return f"{paper_id}/{fragment}"

    def to_json(self) -> dict[str, object]:
        return {"suggestion": self.key, "iri": self.iri, "paper": self.paper, "title": self.title,
                "predicate": compact(self.predicate), "concept": compact(self.concept), "score": self.score,
                "nearest": [compact(n) for n in self.nearest], "status": self.status, "reviewer": self.reviewer,
                "date": self.date}


@dataclass(frozen=True)
class Decision:
    suggestion: str
    status: str
    paper: str
    fact: str | None
    """The fact the work now carries (`dkg:inCategory cat:x`), None when rejected."""
    reviewer: str
    date: str
    edit_file: str

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def suggestion_iri(key: str) -> str:
    """`<paper id>/<fragment>`, `<paper id>#<fragment>` or the full IRI -> the suggestion's IRI."""
    if key.startswith(PAPER):
        return key
    paper_id, sep, fragment = key.replace("#", "/", 1).partition("/")
    if not sep or not fragment.startswith("suggestion-"):
        raise InputError(f"{key!r} does not name a suggestion: give <paper id>/suggestion-<facet>-<concept> "
                         "as `kg review list` shows it")
    return f"{PAPER}{paper_id}#{fragment}"


def _read(files: ProjectFiles) -> list[Suggestion]:
    by_subject: dict[str, list[ox.Quad]] = {}
    titles: dict[str, str] = {}
    for quad in files.quads():
        if isinstance(quad.subject, ox.NamedNode):
            by_subject.setdefault(quad.subject.value, []).append(quad)
            if quad.predicate.value == DCTERMS + "title" and "#" not in quad.subject.value:
                titles[quad.subject.value] = value_of(quad.object)
    found = []
    for subject, quads in by_subject.items():
        if not any(q.predicate == _RDF_TYPE and q.object == _SUGGESTION for q in quads):
            continue
        values = {q.predicate.value: q.object for q in quads}
        facts = [q for q in quads if q.predicate.value not in _META and value_of(q.object).startswith(CAT)]
        if not facts:
            continue
        paper = subject.split("#", 1)[0]
        score = values.get(DKG + "score")
        found.append(Suggestion(
            iri=subject, paper=paper, title=titles.get(paper, paper), predicate=facts[0].predicate.value,
            concept=value_of(facts[0].object), status=compact(value_of(values[DKG + "reviewStatus"]))
            if DKG + "reviewStatus" in values else "dkg:Pending",
            score=float(value_of(score)) if score is not None else None,
            nearest=sorted(value_of(q.object) for q in quads if q.predicate.value == DKG + "nearestWork"),
            reviewer=value_of(values[DKG + "reviewer"]) if DKG + "reviewer" in values else None,
            date=value_of(values[DCTERMS + "date"]) if DCTERMS + "date" in values else None))
    return sorted(found, key=lambda s: (s.paper, -(s.score or 0), s.iri))


def suggestions(settings: Settings, *, status: str | None = "dkg:Pending") -> list[Suggestion]:
    """The suggestions in the project's files (data/ttl/ overlaid with data/edits/), best score first per
    work; only those with `status` (None: all)."""
    return [s for s in _read(project_files(settings)) if status is None or s.status == status]


def _concepts(files: ProjectFiles) -> set[str]:
    label = SKOS + "prefLabel"
    return {value_of(q.subject) for q in files.quads()
            if q.predicate.value == label and value_of(q.subject).startswith(CAT)}


def _slug(iri: str) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", iri.rsplit("/", 1)[-1].lower())


def decide(settings: Settings, *, suggestion: str, decision: str, reviewer: str, concept: str | None = None,
           when: str | None = None) -> Decision:
    """Record `decision` ('accept', 'reject' or 'correct' with `concept`) on a pending suggestion.

    Raises InputError (unknown decision, a correction without a taxonomy concept, a suggestion already
    decided, no reviewer), NotFound (no such suggestion), and what kg.edits.write_batch raises.
    """
    if decision not in DECISIONS:
        raise InputError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if decision == "correct" and not concept:
        raise InputError("a correction names the concept to use instead, e.g. --concept cat:reward-vlm")
    if decision != "correct" and concept:
        raise InputError("--concept goes with correct only")
    reviewer = " ".join((reviewer or "").split())
    if not reviewer:
        raise InputError("a decision needs a reviewer: give --reviewer or set KG_REVIEWER")
    iri = suggestion_iri(suggestion)
    stamp = when or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result: dict[str, object] = {}

    def compose(files: ProjectFiles) -> list[PaperEdit]:
        found = next((s for s in _read(files) if s.iri == iri), None)
        if found is None:
            raise NotFound(f"there is no suggestion {iri}; `kg review list` shows the pending ones")
        if found.status != "dkg:Pending":
            raise InputError(f"{found.key} was already decided: {found.status} by {found.reviewer} at {found.date}")
        chosen = expand(concept) if concept else found.concept
        if concept and chosen not in _concepts(files):
            raise InputError(f"{concept} is not a concept of the taxonomy (ontology/duality.ttl); "
                             "e.g. cat:reward-llm, cat:rl-finetuning")
        paper = ox.NamedNode(found.paper)
        node = ox.NamedNode(iri)
        triples = [q.triple for q in description(list(files.quads()), paper)
                   if not (q.subject == node and q.predicate in (_STATUS, _REVIEWER, _DATE))]
        triples += [ox.Triple(node, _STATUS, ox.NamedNode(DKG + DECISIONS[decision])),
                    ox.Triple(node, _REVIEWER, ox.Literal(reviewer)),
                    ox.Triple(node, _DATE, ox.Literal(stamp, datatype=ox.NamedNode(_XSD + "dateTime")))]
        if decision == "correct":
            triples.append(ox.Triple(node, ox.NamedNode(DKG + "correctedTo"), ox.NamedNode(chosen)))
        fact = None
        if decision != "reject":
            triples += _reviewed(settings, paper, node, found, chosen, reviewer, stamp)
            fact = f"{compact(found.predicate)} {compact(chosen)}"
        result.update(paper=found.paper, fact=fact)
        return [PaperEdit(paper_id=found.paper.removeprefix(PAPER), triples=list(dict.fromkeys(triples)))]

    write_batch(settings, compose=compose, method="kg review", by=reviewer)
    paper_id = str(result["paper"]).removeprefix(PAPER)
    return Decision(suggestion=iri, status=f"dkg:{DECISIONS[decision]}", paper=str(result["paper"]),
                    fact=result["fact"], reviewer=reviewer, date=stamp,  # type: ignore[arg-type]
                    edit_file=os.path.relpath(edit_path(settings, paper_id), settings.root))


def _reviewed(settings: Settings, paper: ox.NamedNode, node: ox.NamedNode, found: Suggestion, chosen: str,
              reviewer: str, stamp: str) -> list[ox.Triple]:
    """The fact on the work and the reviewed record that mirrors it, derived from the work's review log."""
    facet = node.value.split("#suggestion-", 1)[-1].rsplit("-" + _slug(found.concept), 1)[0]
    record = ox.NamedNode(f"{paper.value}#reviewed-{facet}-{_slug(chosen)}")
    log, log_triples = review_log(settings, paper)
    fact = ox.Triple(paper, ox.NamedNode(found.predicate), ox.NamedNode(chosen))
    date = ox.Literal(stamp, datatype=ox.NamedNode(_XSD + "dateTime"))
    return [
        fact, ox.Triple(paper, ox.NamedNode(DKG + "hasRecord"), record),
        *log_triples,
        ox.Triple(record, _RDF_TYPE, ox.NamedNode(DKG + "ReviewedRecord")),
        ox.Triple(record, ox.NamedNode(DKG + "recordOf"), paper),
        ox.Triple(record, ox.NamedNode(PROV + "wasDerivedFrom"), log),
        ox.Triple(record, ox.NamedNode(DKG + "locator"), ox.Literal(f"decision on {node.value.split('#', 1)[1]}")),
        ox.Triple(record, ox.NamedNode(found.predicate), ox.NamedNode(chosen)),
        ox.Triple(record, ox.NamedNode(DKG + "extractionMethod"), ox.NamedNode(DKG + "Reviewed")),
        ox.Triple(record, ox.NamedNode(DKG + "decides"), node),
        ox.Triple(record, _REVIEWER, ox.Literal(reviewer)),
        ox.Triple(record, _DATE, date),
    ]


def review_log(settings: Settings, paper: ox.NamedNode) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The source document of a work's review decisions (kg review, kg candidates): its edit file."""
    log = ox.NamedNode(f"{paper.value}#review-log")
    paper_id = paper.value.removeprefix(PAPER)
    return log, [
        ox.Triple(log, _RDF_TYPE, ox.NamedNode(DKG + "SourceDocument")),
        ox.Triple(log, ox.NamedNode(DCTERMS + "title"), ox.Literal(f"maintainers' decisions on paper:{paper_id}")),
        ox.Triple(log, ox.NamedNode(DKG + "fileName"),
                  ox.Literal(os.path.relpath(edit_path(settings, paper_id), settings.root))),
    ]

"""`kg candidates`: the queue of candidate papers (dkg:CandidatePaper: seed 002's related papers, seed
003's related works), ranked by fit to the survey's scope, accepted (through `kg add`'s path) or rejected
with a reason.

Fit is the TF-IDF cosine between a candidate's title (and its abstract on the related-papers page, read
for ranking only: the page's abstracts are not stored) and the centroid of the survey's works (every
work in the survey or the companion list: titles, and abstracts where the graph keeps them). A rejection
is a `dkg:CandidateDecision` record `<work#candidate-decision>` (status, reason, reviewer, date) in the
edits layer; rejected candidates leave the queue.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox

from kg.adding import Outcome, add
from kg.bibformats import Entry, InputDocument
from kg.datafiles import ProjectFiles, value_of
from kg.edits import PaperEdit, description, project_files, write_batch
from kg.errors import InputError, NotFound, SourceMissing
from kg.iri import DCTERMS, DKG, PAPER, PREFIXES, PROV
from kg.review import review_log
from kg.settings import Settings

__all__ = ["Candidate", "candidates", "accept", "reject", "fit_scores"]

_RDF_TYPE = PREFIXES["rdf"] + "type"
_STOP = set("a an the of for and in on to with via from by is are as at be we our this that it its into using "
            "based through their can which".split())


@dataclass(frozen=True)
class Candidate:
    paper: str
    title: str
    score: float
    status: str
    """'pending' or 'rejected'."""
    reason: str | None = None

    @property
    def id(self) -> str:
        return self.paper.removeprefix(PAPER)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "paper": self.paper, "title": self.title, "score": round(self.score, 3),
                "status": self.status, "reason": self.reason}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if w not in _STOP]


def fit_scores(scope: list[str], texts: list[str]) -> list[float]:
    """The TF-IDF cosine of each of `texts` with the centroid of the `scope` documents (0..1)."""
    documents = [Counter(_words(t)) for t in [*scope, *texts]]
    frequency = Counter(word for doc in documents for word in doc)
    idf = {word: math.log((1 + len(documents)) / (1 + count)) + 1 for word, count in frequency.items()}

    def vector(doc: Counter) -> dict[str, float]:
        weights = {w: n * idf[w] for w, n in doc.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {w: v / norm for w, v in weights.items()}

    centroid: Counter = Counter()
    for doc in documents[:len(scope)]:
        centroid.update(vector(doc))
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    return [sum(v * centroid.get(w, 0.0) for w, v in vector(doc).items()) / norm for doc in documents[len(scope):]]


def _related_abstracts(settings: Settings) -> dict[str, str]:
    """Title -> abstract on the related-papers page (seed 002), for ranking; empty when the page is absent."""
    from kg.ingest.related import parse_related
    from kg.ingest.sources import read_lines

    try:
        lines = read_lines(settings.sources_dir, "related-papers")
        papers = parse_related(settings.sources_dir)
    except (SourceMissing, OSError, InputError):
        return {}
    abstracts = {}
    for paper in papers:
        following = [line.strip() for line in lines[paper.line:] if line.strip()]
        abstracts[paper.title] = following[0] if following else ""
    return abstracts


def _queue(settings: Settings, files: ProjectFiles) -> list[Candidate]:
    candidate, listed, rejected = set(), set(), {}
    titles: dict[str, str] = {}
    abstracts: dict[str, str] = {}
    for quad in files.quads():
        subject, predicate, value = value_of(quad.subject), quad.predicate.value, value_of(quad.object)
        if predicate == _RDF_TYPE and value == DKG + "CandidatePaper":
            candidate.add(subject)
        elif predicate in (DKG + "inSurvey", DKG + "inCompanionList") and value == "true" and "#" not in subject:
            listed.add(subject)
        elif predicate == DCTERMS + "title" and "#" not in subject:
            titles[subject] = value
        elif predicate == DCTERMS + "abstract" and "#" not in subject:
            abstracts[subject] = value
        elif predicate == DKG + "decisionReason" and subject.endswith("#candidate-decision"):
            rejected[subject.split("#", 1)[0]] = value
    scope = [f"{titles.get(w, '')} {abstracts.get(w, '')}" for w in sorted(listed)]
    queue = sorted(candidate)
    related = _related_abstracts(settings)
    texts = [f"{titles.get(p, '')} {abstracts.get(p) or related.get(titles.get(p, ''), '')}" for p in queue]
    scores = fit_scores(scope, texts)
    found = [Candidate(paper=p, title=titles.get(p, p), score=s, status="rejected" if p in rejected else "pending",
                       reason=rejected.get(p)) for p, s in zip(queue, scores)]
    return sorted(found, key=lambda c: (-c.score, c.paper))


def candidates(settings: Settings, *, include_rejected: bool = False) -> list[Candidate]:
    """The candidate queue, best fit first (rejected ones only with `include_rejected`)."""
    return [c for c in _queue(settings, project_files(settings)) if include_rejected or c.status == "pending"]


def _pending(settings: Settings, files: ProjectFiles, paper_id: str) -> Candidate:
    found = next((c for c in _queue(settings, files) if c.id == paper_id), None)
    if found is None:
        raise NotFound(f"paper:{paper_id} is not in the candidate queue; `kg candidates list` shows it")
    if found.status != "pending":
        raise InputError(f"paper:{paper_id} was already rejected ({found.reason})")
    return found


def accept(settings: Settings, *, paper_id: str, reviewer: str) -> list[Outcome]:
    """List a candidate: the same path as `kg add` (an entry naming the candidate, which it matches by
    title and promotes to a listed work). Raises NotFound, InputError and what kg.adding.add raises."""
    found = _pending(settings, project_files(settings), paper_id)
    document = InputDocument.of("candidate queue", found.paper.encode(), f"kg candidates accept by {reviewer}")
    entry = Entry(document=document, locator=f"candidate paper:{paper_id}", title=found.title)
    return add(settings, [entry], by=reviewer)


def reject(settings: Settings, *, paper_id: str, reason: str, reviewer: str, when: str | None = None) -> Candidate:
    """Record that a candidate is out of the survey's scope, with `reason`. Raises InputError (no reason),
    NotFound, and what kg.edits.write_batch raises."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError("a rejection needs a reason: give --reason")
    stamp = when or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    chosen: list[Candidate] = []

    def compose(files: ProjectFiles) -> list[PaperEdit]:
        found = _pending(settings, files, paper_id)
        chosen.append(found)
        paper = ox.NamedNode(found.paper)
        record = ox.NamedNode(found.paper + "#candidate-decision")
        log, log_triples = review_log(settings, paper)
        n = ox.NamedNode
        triples = [q.triple for q in description(list(files.quads()), paper)] + [
            ox.Triple(paper, n(DKG + "hasRecord"), record),
            *log_triples,
            ox.Triple(record, n(_RDF_TYPE), n(DKG + "CandidateDecision")),
            ox.Triple(record, n(DKG + "recordOf"), paper),
            ox.Triple(record, n(PROV + "wasDerivedFrom"), log),
            ox.Triple(record, n(DKG + "locator"), ox.Literal("kg candidates reject")),
            ox.Triple(record, n(DKG + "reviewStatus"), n(DKG + "Rejected")),
            ox.Triple(record, n(DKG + "decisionReason"), ox.Literal(reason)),
            ox.Triple(record, n(DKG + "reviewer"), ox.Literal(reviewer)),
            ox.Triple(record, n(DCTERMS + "date"), ox.Literal(stamp, datatype=n(PREFIXES["xsd"] + "dateTime"))),
        ]
        return [PaperEdit(paper_id=paper_id, triples=list(dict.fromkeys(triples)))]

    write_batch(settings, compose=compose, method="kg candidates reject", by=reviewer)
    return Candidate(paper=chosen[0].paper, title=chosen[0].title, score=chosen[0].score, status="rejected",
                     reason=reason)

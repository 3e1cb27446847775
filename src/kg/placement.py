"""Placement: suggest where a new work sits in the survey's taxonomy, from its title (and abstract).

The model is trained on the graph, offline: the works the companion list places (leaf headings) and
the works the survey's tables and the spreadsheets describe (facts). A work is a bag of TF-IDF word
(1-2 gram) and character (3-5 gram, within words) features of what the graph knows about it: titles,
framework name, networks, benchmarks, the abstract where the graph has one, and for works the survey
cites, the survey's headings and sentences around the citation (read from the survey text when it is
at hand, as features only: nothing of it is stored or shown). A query work is
compared by cosine similarity with every placed work; the k nearest vote for their concepts,
weighted by similarity, so each suggestion comes with the works that explain it.

The model abstains when the query speaks another field's language: when the share of its distinct
content words (English stop words aside) that some placed work also uses, its vocabulary coverage, is
below `threshold`. (Similarity to the nearest work does not separate off-topic titles: robotics and RL
titles outside the survey's scope are as near its works as its own titles are, through shared words
such as "reinforcement learning" and character n-grams.) The default threshold is fixed a priori as
the 5th percentile of the placed works' own leave-one-out coverage (each title against the other
works' words, recomputed whenever the model is built, so it never sees the work being placed): about
one in twenty in-scope titles abstains.

Facets (what is suggested, and the predicate the suggestion record carries):

- `heading`: the companion list's leaf headings (`dkg:inCategory`), ranked, top 3;
- `perspective`: the two branches of the taxonomy (`dkg:inCategory`);
- `base-model` (`dkg:usesBaseModel`), `task` (`dkg:addressesTask`), `stage` (`dkg:rlStage`),
  `architecture` (`dkg:policyArchitecture`): facts of the survey's tables and the spreadsheets.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pyoxigraph as ox
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from kg.errors import NotFound, SourceMissing
from kg.ingest.sources import read_lines
from kg.iri import CAT, DKG, PAPER, PREFIXES, compact, slug
from kg.settings import Settings

__all__ = ["FACETS", "Facet", "Work", "Corpus", "Model", "Suggestion", "Placement", "Outcome", "corpus_from_quads",
           "survey_contexts", "train", "loo_threshold", "place", "suggestion_triples", "suggestion_iri",
           "K", "ABSTAIN_QUANTILE", "HEADING_TOP", "FACT_MIN_SCORE"]

K = 10
"""Neighbours that vote (fixed a priori, not tuned)."""
ABSTAIN_QUANTILE = 0.05
"""The default threshold is this quantile of the training works' leave-one-out vocabulary coverage."""
HEADING_TOP = 3
"""Leaf headings suggested per work."""
FACT_MIN_SCORE = 0.5
"""A fact is suggested when at least half of the neighbours' vote weight supports it."""
NEAREST_SHOWN = 3


@dataclass(frozen=True)
class Facet:
    name: str
    predicate: str
    """Full IRI of the predicate the suggested fact uses."""
    label: str
    top: int | None
    """Suggest the `top` best concepts (headings), or every concept with score >= FACT_MIN_SCORE (None)."""


FACETS: tuple[Facet, ...] = (
    Facet("heading", DKG + "inCategory", "leaf heading", HEADING_TOP),
    Facet("perspective", DKG + "inCategory", "perspective", None),
    Facet("base-model", DKG + "usesBaseModel", "base model", None),
    Facet("task", DKG + "addressesTask", "RL task", None),
    Facet("stage", DKG + "rlStage", "policy stage", None),
    Facet("architecture", DKG + "policyArchitecture", "policy architecture", None),
)
PERSPECTIVES = (CAT + "generative-tools-for-rl", CAT + "rl-for-generative-policies")
_FACT_PREDICATES = {f.name: f.predicate for f in FACETS if f.name not in ("heading", "perspective")}
_FACETS_OF = {"base-model": PERSPECTIVES[0], "task": PERSPECTIVES[0], "stage": PERSPECTIVES[1],
              "architecture": PERSPECTIVES[1]}
"""Fact facet -> the perspective whose works have such facts (Tables 2-7 vs the RL-for-policies sheets)."""


@dataclass
class Work:
    iri: str
    title: str
    text: str
    """Everything the features see: titles, framework, networks, benchmarks, abstract."""
    labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """facet name -> concept IRIs (empty when the graph says nothing for that facet)."""
    has_abstract: bool = False

    @property
    def placed(self) -> bool:
        return bool(self.labels.get("heading"))


@dataclass(frozen=True)
class Corpus:
    works: dict[str, Work]


# Read with `GRAPH ?g` patterns: work facts are in graph:data, records in graph:data or graph:records,
# depending on how the files were loaded; both are found either way.
_Q_WORKS = """
SELECT ?w ?title WHERE { GRAPH ?g { ?w a ?type ; dcterms:title ?title } VALUES ?type { dkg:ResearchPaper dkg:CandidatePaper } }
"""
_Q_TEXT = """
SELECT ?w ?text WHERE {
  { GRAPH ?g { ?w dkg:titleVariant|dkg:frameworkName|dcterms:abstract ?text } }
  UNION { GRAPH ?g { ?w dkg:usesNetwork|dkg:usesBenchmark ?x } GRAPH ?h { ?x rdfs:label ?text } }
  UNION { GRAPH ?g { ?r dkg:recordOf ?w ; dcterms:title ?text } }
}
"""
_Q_ABSTRACT = "SELECT ?w WHERE { GRAPH ?g { ?w dcterms:abstract ?a } }"
_Q_LIST = """
SELECT ?r ?w ?c WHERE { GRAPH ?g { ?r a dkg:ListEntry ; dkg:recordOf ?w ; dkg:inCategory ?c } }
"""
_Q_FACTS = "SELECT ?w ?c WHERE { GRAPH ?g { ?w <%s> ?c } FILTER(isIRI(?c)) }"
_Q_BROADER = "SELECT ?c ?b WHERE { GRAPH ?g { ?c skos:broader ?b } }"
_PREFIX_TEXT = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    rows = cast(ox.QuerySolutions, store.query(_PREFIX_TEXT + query))
    return [tuple(term.value for term in row) for row in rows]


def _leaves(concepts: set[str], ancestors: dict[str, set[str]]) -> set[str]:
    """The concepts of one record that are not broader than another of its concepts."""
    above = set().union(*(ancestors.get(c, set()) for c in concepts))
    return {c for c in concepts if c not in above}


_CITE = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
CONTEXT_MAX_CITED = 4
"""A sentence citing more works than this says little about any one of them."""


def survey_contexts(lines: list[str]) -> dict[int, list[str]]:
    """Reference number -> the survey's section headings and sentences that cite it (up to the
    reference list; table rows count as sentences). Features only: never stored or shown."""
    contexts: dict[int, list[str]] = defaultdict(list)
    heading = ""
    for line in lines:
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if heading == "References":
                break
            continue
        for sentence in _SENTENCE_END.split(line):
            cited = [n for group in _CITE.findall(sentence) for n in _numbers(group)]
            if 0 < len(cited) <= CONTEXT_MAX_CITED:
                text = _CITE.sub(" ", sentence)
                for n in cited:
                    contexts[n] += [heading, text]
    return contexts


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in group.split(","):
        ends = [int(x) for x in re.split(r"\s*[\u2013-]\s*", part.strip()) if x]
        out += list(range(ends[0], ends[-1] + 1)) if len(ends) == 2 and ends[1] - ends[0] < 30 else ends
    return out


def corpus_from_quads(quads: list[ox.Quad], *, contexts: dict[int, list[str]] | None = None) -> Corpus:
    """Every work of the graph with its text and what the graph says about its placement; `contexts`
    (reference number -> survey sentences, `survey_contexts`) enrich the works the survey cites."""
    store = ox.Store()
    store.bulk_extend(quads)
    broader: dict[str, set[str]] = defaultdict(set)
    for c, b in _select(store, _Q_BROADER):
        broader[c].add(b)
    ancestors: dict[str, set[str]] = {}

    def up(c: str) -> set[str]:
        if c not in ancestors:
            ancestors[c] = set()
            ancestors[c] = set().union(*({b} | up(b) for b in broader.get(c, ())))
        return ancestors[c]

    for c in list(broader):
        up(c)
    works: dict[str, Work] = {}
    for w, title in _select(store, _Q_WORKS):
        works.setdefault(w, Work(iri=w, title=title, text=title))
    texts: dict[str, list[str]] = defaultdict(list)
    for w, text in _select(store, _Q_TEXT):
        if w in works:
            texts[w].append(text)
    for w, n in _select(store, "SELECT ?w ?n WHERE { GRAPH ?g { ?w dkg:surveyReferenceNumber ?n } }"):
        if w in works and contexts:
            texts[w] += contexts.get(int(n), [])
    for w, work in works.items():
        work.text = " . ".join(dict.fromkeys([work.title, *texts[w]]))
    for (w,) in _select(store, _Q_ABSTRACT):
        if w in works:
            works[w].has_abstract = True
    per_record: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r, w, c in _select(store, _Q_LIST):
        per_record[(r, w)].add(c)
    for (_, w), concepts in per_record.items():
        if w in works:
            works[w].labels["heading"] |= _leaves(concepts, ancestors)
            works[w].labels["perspective"] |= concepts & set(PERSPECTIVES)
    for name, predicate in _FACT_PREDICATES.items():
        for w, c in _select(store, _Q_FACTS % predicate):
            if w in works:
                works[w].labels[name].add(c)
    for work in works.values():
        # the survey's tables say the perspective when the list does not: a base-model table or
        # an RL-for-policies table
        if not work.labels["perspective"]:
            if work.labels["base-model"] or work.labels["task"]:
                work.labels["perspective"].add(PERSPECTIVES[0])
            if work.labels["stage"] or work.labels["architecture"]:
                work.labels["perspective"].add(PERSPECTIVES[1])
    return Corpus(works=works)


@dataclass(frozen=True)
class Suggestion:
    facet: str
    concept: str
    score: float
    nearest: tuple[str, ...]
    """The placed works nearest the query that carry this concept, nearest first."""


@dataclass(frozen=True)
class Placement:
    work: str
    nearest_similarity: float
    coverage: float
    """Share of the query's content words that the placed works use; below the threshold: abstained."""
    abstained: bool
    suggestions: tuple[Suggestion, ...]
    """Every suggestion above the facet's cut (empty when abstained); headings ranked."""
    ranking: dict[str, tuple[tuple[str, float], ...]]
    """facet -> every concept with its score, best first (also when abstained: for the benchmark)."""
    neighbours: tuple[tuple[str, float], ...]


def _features(texts: list[str]) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
    words.fit(texts)
    chars.fit(texts)
    return words, chars


@dataclass
class Model:
    works: list[Work]
    words: TfidfVectorizer
    chars: TfidfVectorizer
    matrix: Any
    """L2-normalised features of the training works (scipy sparse)."""
    threshold: float
    counts: CountVectorizer
    seen: Any
    """Binary work x word matrix of the training works (vocabulary coverage)."""
    df: np.ndarray
    """How many training works use each word."""

    def coverage(self, text: str, *, own: int | None = None) -> float:
        """The share of the text's distinct content words that some training work (other than `own`) uses."""
        words = set(self.counts.build_analyzer()(text))
        if not words:
            return 0.0
        df = self.df
        known = 0
        for word in words:
            j = self.counts.vocabulary_.get(word)
            if j is not None and df[j] - (1 if own is not None and self.seen[own, j] else 0) >= 1:
                known += 1
        return known / len(words)

    def vectors(self, texts: list[str]):
        return normalize(hstack([normalize(self.words.transform(texts)), normalize(self.chars.transform(texts))]))

    def place(self, work: str, text: str, *, threshold: float | None = None) -> Placement:
        """Rank every facet's concepts for a work described by `text` (title, abstract)."""
        sims = np.asarray((self.vectors([text]) @ self.matrix.T).todense()).ravel()
        return _vote(work, sims, self.works, coverage=self.coverage(text),
                     threshold=self.threshold if threshold is None else threshold)


def _vote(work: str, sims: np.ndarray, works: list[Work], *, coverage: float, threshold: float) -> Placement:
    order = np.argsort(-sims, kind="stable")
    nearest_sim = float(sims[order[0]]) if len(order) else 0.0
    ranking: dict[str, tuple[tuple[str, float], ...]] = {}
    suggestions: list[Suggestion] = []
    abstained = coverage < threshold
    for facet in FACETS:
        # neighbours are the k nearest works that say something about this facet
        voters = [i for i in order if works[i].labels.get(facet.name)][:K]
        total = sum(float(sims[i]) for i in voters) or 1.0
        scores: dict[str, float] = defaultdict(float)
        support: dict[str, list[str]] = defaultdict(list)
        for i in voters:
            for c in works[i].labels[facet.name]:
                scores[c] += float(sims[i]) / total
                support[c].append(works[i].iri)
        ranked = tuple(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
        ranking[facet.name] = ranked
        if abstained:
            continue
        chosen = ranked[:facet.top] if facet.top else [kv for kv in ranked if kv[1] >= FACT_MIN_SCORE]
        if facet.name in _FACETS_OF and ranking["perspective"] and ranking["perspective"][0][0] != _FACETS_OF[facet.name]:
            chosen = []  # a fact of the other branch of the taxonomy would contradict the suggested perspective
        suggestions += [Suggestion(facet.name, c, round(s, 3), tuple(support[c][:NEAREST_SHOWN])) for c, s in chosen]
    neighbours = tuple((works[i].iri, round(float(sims[i]), 3)) for i in order[:NEAREST_SHOWN])
    return Placement(work=work, nearest_similarity=round(nearest_sim, 3), coverage=round(coverage, 3), abstained=abstained,
                     suggestions=tuple(suggestions), ranking=ranking, neighbours=neighbours)


def loo_threshold(model: Model, *, quantile: float = ABSTAIN_QUANTILE) -> float:
    """The `quantile` of the training works' leave-one-out vocabulary coverage: each work's title, as a
    new work would come, against the words of every other training work."""
    if len(model.works) < 2:
        return 0.0
    return float(np.quantile([model.coverage(w.title, own=i) for i, w in enumerate(model.works)], quantile))


def train(works: list[Work], *, threshold: float | None = None) -> Model:
    """A model over `works` (those with at least one label). `threshold` None: the leave-one-out default."""
    training = [w for w in works if any(w.labels.values())]
    if not training:
        raise ValueError("no placed works to learn from")
    texts = [w.text for w in training]
    words, chars = _features(texts)
    counts = CountVectorizer(binary=True, stop_words="english")
    seen = counts.fit_transform(texts).tocsc()
    model = Model(works=training, words=words, chars=chars, matrix=None, threshold=0.0, counts=counts, seen=seen,
                  df=np.asarray(seen.sum(axis=0)).ravel())
    model.matrix = model.vectors(texts)
    model.threshold = loo_threshold(model) if threshold is None else threshold
    return model


# ---------------------------------------------------------------- kg place: suggestions into the edits layer

_SUGGESTION_META = {"type": PREFIXES["rdf"] + "type", "recordOf": DKG + "recordOf", "score": DKG + "score",
                    "nearest": DKG + "nearestWork", "method": DKG + "extractionMethod",
                    "by": PREFIXES["prov"] + "wasAttributedTo", "status": DKG + "reviewStatus",
                    "date": PREFIXES["dcterms"] + "date"}
MODEL_AGENT = PREFIXES["src"] + "placement-model"


@dataclass(frozen=True)
class Outcome:
    work: str
    status: str
    """'suggested', 'abstained' (nothing written) or 'skipped' (already placed or suggested)."""
    title: str
    placement: Placement | None = None


def suggestion_iri(work: str, suggestion: Suggestion) -> str:
    return f"{work}#suggestion-{suggestion.facet}-{slug(suggestion.concept.rsplit('/', 1)[-1])}"


def suggestion_triples(placement: Placement, *, date: str) -> list[ox.Triple]:
    """One dkg:Suggestion record per suggested fact (HELPERS design), pending review."""
    n = ox.NamedNode
    work = n(placement.work)
    predicates = {f.name: f.predicate for f in FACETS}
    triples = []
    for s in placement.suggestions:
        record = n(suggestion_iri(placement.work, s))
        triples += [
            ox.Triple(record, n(_SUGGESTION_META["type"]), n(DKG + "Suggestion")),
            ox.Triple(record, n(_SUGGESTION_META["recordOf"]), work),
            ox.Triple(record, n(predicates[s.facet]), n(s.concept)),
            ox.Triple(record, n(_SUGGESTION_META["score"]), ox.Literal(f"{s.score:.3f}", datatype=n(PREFIXES["xsd"] + "decimal"))),
            ox.Triple(record, n(_SUGGESTION_META["method"]), n(DKG + "AISuggested")),
            ox.Triple(record, n(_SUGGESTION_META["by"]), n(MODEL_AGENT)),
            ox.Triple(record, n(_SUGGESTION_META["status"]), n(DKG + "Pending")),
            ox.Triple(record, n(_SUGGESTION_META["date"]), ox.Literal(date, datatype=n(PREFIXES["xsd"] + "dateTime"))),
            *(ox.Triple(record, n(_SUGGESTION_META["nearest"]), n(w)) for w in s.nearest),
        ]
    return triples


def _suggested(quads: list[ox.Quad]) -> set[str]:
    """Works that already have suggestion records (whatever their review status)."""
    return {q.object.value for q in quads
            if q.predicate.value == DKG + "recordOf" and isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode) and "#suggestion-" in q.subject.value}


def place(settings: Settings, *, works: list[str], all_unplaced: bool = False, threshold: float | None = None,
          dry_run: bool = False, by: str = "kg place") -> list[Outcome]:
    """Suggest placements for `works` (paper ids or IRIs) and, with `all_unplaced`, for every work of the
    edits layer that has no heading, no placement fact and no suggestion yet; write the suggestions
    into data/edits/papers/<id>.ttl in one all-or-nothing batch (not with `dry_run`).

    Raises InputError (a malformed id), NotFound (a work the graph does not have), and what
    kg.edits.write_batch raises (ValidationFailed, StoreBusy ...); nothing is written when it raises.
    """
    from kg.edits import PaperEdit, check_id, description, project_files, read_edits, write_batch

    targets: list[str] = []
    for given in works:
        paper_id = given.removeprefix(PAPER).removeprefix("paper:")
        check_id(paper_id)
        targets.append(PAPER + paper_id)
    files = project_files(settings)
    quads = list(files.quads())
    corpus = corpus_from_quads(quads, contexts=_contexts(settings))
    missing = [t for t in targets if t not in corpus.works]
    if missing:
        raise NotFound(f"there is no work {compact(missing[0])} in the graph (data/ttl/ and data/edits/); "
                       "add it first with kg add")
    if all_unplaced:
        targets += [PAPER + e.path.stem for e in read_edits(settings) if PAPER + e.path.stem in corpus.works]
    targets = list(dict.fromkeys(targets))
    suggested = _suggested(quads)
    skip = {t for t in targets if t in suggested or any(corpus.works[t].labels.values())}
    model = train([w for w in corpus.works.values() if w.iri not in targets], threshold=threshold)
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    outcomes: list[Outcome] = []
    for t in targets:
        work = corpus.works[t]
        if t in skip:
            outcomes.append(Outcome(t, "skipped", work.title))
            continue
        placement = model.place(t, work.text)
        outcomes.append(Outcome(t, "abstained" if placement.abstained else "suggested", work.title, placement))
    to_write = [o for o in outcomes if o.status == "suggested"]
    if dry_run or not to_write:
        return outcomes

    def compose(current) -> list:
        now = list(current.quads())
        return [PaperEdit(paper_id=o.work.removeprefix(PAPER),
                          triples=list(dict.fromkeys([*(q.triple for q in description(now, ox.NamedNode(o.work))),
                                                      *suggestion_triples(cast(Placement, o.placement), date=date)])))
                for o in to_write]

    write_batch(settings, compose=compose, method="PLACE", by=by)
    return outcomes


def _contexts(settings: Settings) -> dict[int, list[str]] | None:
    """The survey's citation contexts when the survey text is at hand (KG_SOURCES_DIR), else None."""
    try:
        return survey_contexts(read_lines(settings.sources_dir, "survey-text"))
    except SourceMissing:
        return None

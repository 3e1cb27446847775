"""`kg reason`: classify works with HermiT and write what follows into `graph:inferred`.

Design (the scale problem, see docs/reasoning.md): whole-graph HermiT grows worse than linearly with
the number of works, but a work's classification depends only on its own facts and the ontology (the
individuals it points to - concepts, networks, value sets - are shared context). Works with the same
*fact signature* (asserted types + property values that occur in the ontology's axioms) therefore get
the same classes. We reason once per distinct signature: one representative individual per signature,
together with the shared context and the ontology, in one HermiT run (split into batches if there are
many), and copy the answers back to every work of that signature. Reading the facts and writing the
answers is linear in the graph; HermiT's input grows with the number of distinct signatures, which the
taxonomy bounds. Work-to-work links (cites/isCitedBy, extends) are closed under the ontology's inverse
and sub-property axioms in Python. `--whole-graph` runs one HermiT over every work instead (for checking).

Per-work closed world: a property annotated `dkg:closedPerWork true` (e.g. `dkg:evaluatedIn`) gets,
for each work that has values for it, the axiom `work a (property only {its values})`, so a class like
"evaluated only in simulation" can be entailed. Works without any value stay unknown.
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import owlready2
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store

from kg.errors import InconsistentOntology, KgError
from kg.iri import DKG, GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES, PROV, compact
from kg.queries import project_select
from kg.settings import Settings

__all__ = ["ReasoningResult", "reason", "reasoner_name"]

RDF_TYPE = PREFIXES["rdf"] + "type"
OWL = PREFIXES["owl"]
RDFS = PREFIXES["rdfs"]
REPRESENTATIVE = "urn:dkg:reasoning:signature-"
NEIGHBOUR = "urn:dkg:reasoning:linked-work"
ACTIVITY = GRAPH_INFERRED + "#reasoning"
REASONER_AGENT = GRAPH_INFERRED + "#hermit"
BATCH_SIZE = 40
"""Signatures per HermiT run; a batch stays small enough that HermiT answers in a few seconds."""



@dataclass(frozen=True)
class ReasoningResult:
    """What `reason` did: memberships per work (every named class, asserted or inferred) and counts."""

    mode: str
    reasoner: str
    works: int
    signatures: int
    hermit_runs: int
    memberships: dict[str, frozenset[str]]
    inferred_values: dict[str, frozenset[tuple[str, str]]]
    inferred_triples: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return (f"{self.reasoner}, {self.mode}: {self.works} works, {self.signatures} distinct fact signatures, "
                f"{self.hermit_runs} HermiT run(s), {self.inferred_triples} inferred triples, {self.seconds:.1f} s")


def reasoner_name() -> str:
    """'HermiT 1.3.8.1099 (owlready2 0.51)': the reasoner and its version, read from the shipped jar."""
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    version = "unknown version"
    with zipfile.ZipFile(jar) as archive:
        for line in archive.read("META-INF/MANIFEST.MF").decode().splitlines():
            if line.startswith("Implementation-Version:"):
                version = line.split(":", 1)[1].strip()
    return f"HermiT {version} (owlready2 {owlready2.VERSION})"


# ---------------------------------------------------------------- reading the store


@dataclass
class _Vocabulary:
    """What the ontology says about properties, read once from graph:ontology."""

    relevant: set[str]
    object_relevant: set[str]
    ranges: dict[str, set[str]]
    restricted_data: set[str]
    datatype_properties: set[str]
    closed_per_work: set[str]
    inverse: dict[str, set[str]]
    super_properties: dict[str, set[str]]
    category_concept: dict[str, str]
    work_classes: set[str]
    literal_samples: dict[tuple[str, str], str] = field(default_factory=dict)


def _select(store: Store, query: str) -> Iterator[tuple]:
    solutions = project_select(store, query)
    for row in solutions:
        yield tuple(row[i] for i in range(len(solutions.variables)))


def _read_vocabulary(store: Store) -> _Vocabulary:
    onto = f"GRAPH <{GRAPH_ONTOLOGY}>"

    def props(pattern: str) -> set[str]:
        return {row[0].value for row in _select(store, f"SELECT DISTINCT ?p WHERE {{ {onto} {{ {pattern} }} }}")
                if isinstance(row[0], NamedNode)}

    restricted = props("?r owl:onProperty ?p")
    with_domain = props("?p rdfs:domain ?d")
    with_range = props("?p rdfs:range ?d")
    ranges: dict[str, set[str]] = defaultdict(set)
    for p, r in _select(store, f"SELECT ?p ?r WHERE {{ {onto} {{ ?p rdfs:range ?r }} FILTER(isIRI(?r)) }}"):
        ranges[p.value].add(r.value)
    characteristic = props("?p a ?t . VALUES ?t { owl:FunctionalProperty owl:InverseFunctionalProperty "
                           "owl:AsymmetricProperty owl:IrreflexiveProperty owl:TransitiveProperty "
                           "owl:SymmetricProperty }")
    datatype = props("?p a owl:DatatypeProperty")
    closed = props("?p dkg:closedPerWork true")
    inverse: dict[str, set[str]] = defaultdict(set)
    for p, q in _select(store, f"SELECT ?p ?q WHERE {{ {onto} {{ ?p owl:inverseOf ?q }} }}"):
        inverse[p.value].add(q.value)
        inverse[q.value].add(p.value)
    supers: dict[str, set[str]] = defaultdict(set)
    for p, q in _select(store, f"SELECT ?p ?q WHERE {{ {onto} {{ ?p rdfs:subPropertyOf+ ?q }} }}"):
        supers[p.value].add(q.value)
    chains = [(r.value, first.value) for r, first in _select(
        store, f"SELECT ?r ?first WHERE {{ {onto} {{ ?r owl:propertyChainAxiom ?l . ?l rdf:first ?first }} }}")]
    everything = restricted | with_domain | with_range | characteristic | set(inverse) | set(supers) \
        | {q for qs in supers.values() for q in qs} | {c for pair in chains for c in pair}
    # Properties whose assertion (work P x) can change the work's classes, to a fixpoint: used in a class
    # expression, typed by a domain, characteristic, below such a property, inverse of a property with a range,
    # or the first link of a property chain whose result is such a property.
    subject_relevant = restricted | with_domain | characteristic
    while True:
        grown = set(subject_relevant)
        for prop in everything:
            family = {prop} | supers.get(prop, set())
            if family & subject_relevant:
                grown.add(prop)
            if any(({q} | supers.get(q, set())) & with_range for f in family for q in inverse.get(f, ())):
                grown.add(prop)
        grown |= {first for result, first in chains if ({result} | supers.get(result, set())) & subject_relevant}
        if grown == subject_relevant:
            break
        subject_relevant = grown
    # Properties whose assertion (x P work) can change the work's classes: a range on P or above it, or
    # an inverse that is subject-relevant.
    object_relevant = {prop for prop in everything
                       if ({prop} | supers.get(prop, set())) & with_range
                       or any(q in subject_relevant
                              for f in {prop} | supers.get(prop, set()) for q in inverse.get(f, ()))}
    category = {cls.value: concept.value for concept, cls in _select(
        store, f"SELECT ?concept ?class WHERE {{ {onto} {{ ?concept dkg:categoryClass ?class }} }}")}
    work_classes = {row[0].value for row in _select(
        store, f"SELECT ?c WHERE {{ {onto} {{ ?c rdfs:subClassOf* dkg:Work }} }}")} | {DKG + "Work"}
    return _Vocabulary(relevant=subject_relevant, object_relevant=object_relevant, ranges=dict(ranges),
                       restricted_data=restricted & datatype, datatype_properties=datatype, closed_per_work=closed,
                       inverse=dict(inverse), super_properties=dict(supers), category_concept=category,
                       work_classes=work_classes)


def _read_works(store: Store, vocabulary: _Vocabulary, withhold: frozenset[str]
                ) -> dict[str, list[tuple[str, object]]]:
    """Every work in graph:data with its asserted triples (subject = the work), records excluded."""
    data = NamedNode(GRAPH_DATA)
    works: dict[str, list[tuple[str, object]]] = {}
    type_node = NamedNode(RDF_TYPE)
    for quad in store.quads_for_pattern(None, type_node, None, data):
        if isinstance(quad.object, NamedNode) and quad.object.value in vocabulary.work_classes \
                and isinstance(quad.subject, NamedNode):
            works.setdefault(quad.subject.value, [])
    skipped = withhold | {DKG + "hasRecord"}
    for work, facts in works.items():
        for quad in store.quads_for_pattern(NamedNode(work), None, None, data):
            if quad.predicate.value not in skipped:
                facts.append((quad.predicate.value, quad.object))
    return works


def _context_triples(store: Store, roots: Iterable[str], works: dict[str, list]) -> list[tuple[str, str, object]]:
    """Triples (graph:data) of the non-work individuals the works point to, followed transitively.

    Source records are left out (the contract: reasoning reads works, not records; records mirror facts
    with the same predicates, so domain axioms would type them like the entities they describe).
    """
    data = NamedNode(GRAPH_DATA)
    record_links = {DKG + "hasRecord", DKG + "recordOf"}
    seen: set[str] = set()
    pending = [r for r in roots if r not in works]
    triples: list[tuple[str, str, object]] = []
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(NamedNode(node), None, None, data):
            if isinstance(quad.object, NamedNode) and quad.predicate.value not in record_links:
                triples.append((node, quad.predicate.value, quad.object))
                if quad.object.value not in works and quad.predicate.value != RDF_TYPE:
                    pending.append(quad.object.value)
    return triples


# ---------------------------------------------------------------- signatures


def _signature(facts: list[tuple[str, object]], vocabulary: _Vocabulary, works: dict) -> frozenset:
    """The facts that can matter to classification, with linked works replaced by a placeholder."""
    entries = set()
    for predicate, value in facts:
        if predicate == RDF_TYPE:
            entries.add(("val", predicate, str(value)))
        elif predicate not in vocabulary.relevant:
            continue
        elif isinstance(value, NamedNode) and value.value in works:
            entries.add(("out", predicate, f"<{NEIGHBOUR}>"))
        elif isinstance(value, Literal) and predicate not in vocabulary.restricted_data:
            # only the presence of a value can matter (domain axioms): one sample value per datatype stands for all
            sample = vocabulary.literal_samples.setdefault((predicate, str(value.datatype)), str(value))
            entries.add(("has", predicate, sample))
        elif not isinstance(value, BlankNode):
            entries.add(("val", predicate, str(value)))
    return frozenset(entries)


def _incoming_link_entries(works: dict[str, list[tuple[str, object]]], vocabulary: _Vocabulary
                           ) -> dict[str, set[tuple]]:
    incoming: dict[str, set[tuple]] = defaultdict(set)
    for facts in works.values():
        for predicate, value in facts:
            if predicate in vocabulary.object_relevant and isinstance(value, NamedNode) and value.value in works:
                incoming[value.value].add(("in", predicate, f"<{NEIGHBOUR}>"))
    return incoming


# ---------------------------------------------------------------- HermiT


class _NTriples:
    """An N-Triples document under construction, with fresh blank nodes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._blank = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} .")

    def blank(self) -> str:
        self._blank += 1
        return f"_:r{self._blank}"

    def closure(self, subject: str, predicate: str, values: list[str]) -> None:
        """subject a (predicate only {values})."""
        restriction, one_of = self.blank(), self.blank()
        self.add(subject, RDF_TYPE, restriction)
        self.add(restriction, RDF_TYPE, f"<{OWL}Restriction>")
        self.add(restriction, OWL + "onProperty", f"<{predicate}>")
        self.add(restriction, OWL + "allValuesFrom", one_of)
        self.add(one_of, RDF_TYPE, f"<{OWL}Class>")
        node = self.blank()
        self.add(one_of, OWL + "oneOf", node)
        for i, value in enumerate(values):
            self.add(node, PREFIXES["rdf"] + "first", value)
            rest = self.blank() if i < len(values) - 1 else f"<{PREFIXES['rdf']}nil>"
            self.add(node, PREFIXES["rdf"] + "rest", rest)
            node = rest

    def text(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode()


def _individual_lines(doc: _NTriples, subject: str, facts: Iterable[tuple[str, str, str]],
                      closed: set[str]) -> None:
    """facts: (kind, predicate, object as N-Triples term)."""
    closed_values: dict[str, list[str]] = defaultdict(list)
    for kind, predicate, obj in facts:
        if kind == "in":
            doc.add(obj, predicate, subject)
        else:
            doc.add(subject, predicate, obj)
            if predicate in closed:
                closed_values[predicate].append(obj)
    for predicate, values in closed_values.items():
        doc.closure(subject, predicate, sorted(values))


def _run_hermit(ontology_nt: bytes, abox: _NTriples, subjects: list[str], *, property_values: bool,
                hierarchy: dict[str, frozenset[str]] | None = None
                ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[tuple[str, str]]]]:
    """Classes (named, all ancestors) and object property values of `subjects` after HermiT.

    When `hierarchy` is given it is filled with every named class's ancestors (HermiT's classification).
    Raises owlready2.OwlReadyInconsistentOntologyError when the input is inconsistent.
    """
    world = owlready2.World()
    try:
        onto = world.get_ontology("urn:dkg:reasoning:input")
        onto.load(fileobj=io.BytesIO(ontology_nt + b"\n" + abox.text()), format="ntriples")
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0,
                                           ignore_unsupported_datatypes=True)
        rdf_type = world._abbreviate(RDF_TYPE)
        classes: dict[str, frozenset[str]] = {}
        values: dict[str, frozenset[tuple[str, str]]] = {}
        for subject in subjects:
            individual = world[subject]
            names: set[str] = set()
            for cls in individual.is_a if individual is not None else []:
                if isinstance(cls, owlready2.ThingClass):
                    for ancestor in cls.ancestors():
                        names.add(ancestor.iri)
                        names.update(e.iri for e in ancestor.equivalent_to if isinstance(e, owlready2.ThingClass))
            names.discard(OWL + "Thing")
            classes[subject] = frozenset(names)
            pairs = set()
            if individual is not None:
                for predicate, obj in world._get_obj_triples_s_po(individual.storid):
                    if obj > 0 and predicate != rdf_type:
                        pairs.add((world._unabbreviate(predicate), world._unabbreviate(obj)))
            values[subject] = frozenset(p for p in pairs if p[1] != NEIGHBOUR)
        if hierarchy is not None:
            for cls in world.classes():
                names = {a.iri for a in cls.ancestors()}
                names.update(e.iri for a in cls.ancestors() for e in a.equivalent_to
                             if isinstance(e, owlready2.ThingClass))
                hierarchy[cls.iri] = frozenset(names - {OWL + "Thing"})
        return classes, values
    finally:
        world.close()


# ---------------------------------------------------------------- inconsistency


def _disjointness(store: Store) -> list[tuple[str, str, str]]:
    """(class A, class B, the axiom as text) for every pair of disjoint named classes."""
    pairs = []
    for a, b in _select(store, f"SELECT ?a ?b WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?a owl:disjointWith ?b }} }}"):
        pairs.append((a.value, b.value, f"{_short(a.value)} owl:disjointWith {_short(b.value)}"))
    members: dict[str, list[str]] = defaultdict(list)
    for node, member in _select(store, f"""SELECT ?x ?m WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{
            ?x a owl:AllDisjointClasses ; owl:members/rdf:rest*/rdf:first ?m }} }}"""):
        members[str(node)].append(member.value)
    for group in members.values():
        text = "AllDisjointClasses(" + " ".join(_short(m) for m in group) + ")"
        pairs.extend((a, b, text) for i, a in enumerate(group) for b in group[i + 1:])
    return pairs


def _without_disjointness(ontology_nt: bytes) -> bytes:
    kept = [line for line in ontology_nt.splitlines()
            if f"<{OWL}disjointWith>".encode() not in line and f"<{OWL}members>".encode() not in line]
    return b"\n".join(kept) + b"\n"


def _short(iri: str) -> str:
    """The project's prefixed name of `iri` in messages, else `<iri>` (W3C vocabularies stay whole)."""
    short = compact(iri)
    return short if short != iri and not short.startswith(("rdf:", "rdfs:", "owl:", "xsd:")) else f"<{iri}>"


def _consistent(ontology_nt: bytes, context: _NTriples, chosen: list[tuple[int, frozenset]],
                closed: set[str]) -> bool:
    doc = _NTriples()
    doc.lines = list(context.lines)
    for number, signature in chosen:
        _individual_lines(doc, f"<{REPRESENTATIVE}{number}>", sorted(signature), closed)
    try:
        _run_hermit(ontology_nt, doc, [], property_values=False)
        return True
    except owlready2.OwlReadyInconsistentOntologyError:
        return False


def _offending(ontology_nt: bytes, context: _NTriples, chosen: list[tuple[int, frozenset]],
               closed: set[str], limit: int = 5) -> list[tuple[int, frozenset]]:
    """Signatures each inconsistent on its own (by bisection), at most `limit`."""
    if _consistent(ontology_nt, context, chosen, closed):
        return []
    if len(chosen) == 1:
        return chosen
    middle = len(chosen) // 2
    found = _offending(ontology_nt, context, chosen[:middle], closed, limit)
    if len(found) < limit:
        found += _offending(ontology_nt, context, chosen[middle:], closed, limit - len(found))
    return found


def _explain(store: Store, ontology_nt: bytes, context: _NTriples, signatures: list[frozenset],
             members: dict[frozenset, list[str]], closed: set[str]) -> InconsistentOntology:
    empty = _NTriples()
    if not _consistent(ontology_nt, empty, [], closed):
        return InconsistentOntology("graph:ontology is inconsistent on its own (no works involved): "
                                    "check the axioms of ontology/*.ttl with a DL reasoner")
    if not _consistent(ontology_nt, context, [], closed):
        return InconsistentOntology("the ontology is inconsistent with the shared individuals in graph:data "
                                    "(networks, benchmarks, venues ...), before any work is added")
    numbered = list(enumerate(signatures))
    culprits = _offending(ontology_nt, context, numbered, closed)
    disjoint = _disjointness(store)
    relaxed = _without_disjointness(ontology_nt)
    lines = []
    for number, signature in culprits:
        works = members[signature]
        subject = f"{REPRESENTATIVE}{number}"
        doc = _NTriples()
        doc.lines = list(context.lines)
        _individual_lines(doc, f"<{subject}>", sorted(signature), closed)
        facts = ", ".join(f"{_short(p)} {o}" for kind, p, o in sorted(signature) if kind == "val" and p != RDF_TYPE)
        named = ", ".join(_short(w) for w in works[:5]) + (f" and {len(works) - 5} more" if len(works) > 5 else "")
        try:
            classes, _ = _run_hermit(relaxed, doc, [subject], property_values=False)
        except owlready2.OwlReadyInconsistentOntologyError:
            lines.append(f"- {named}: inconsistent with axioms other than class disjointness; facts: {facts}")
            continue
        violated = sorted({text for a, b, text in disjoint if a in classes[subject] and b in classes[subject]})
        lines.append(f"- {named}: member of disjoint classes, axiom(s) {'; '.join(violated) or 'unknown'}; "
                     f"facts: {facts}")
    return InconsistentOntology("ontology + data are inconsistent; offending works:\n" + "\n".join(lines))


# ---------------------------------------------------------------- links


def _link_closure(works: dict[str, list[tuple[str, object]]], vocabulary: _Vocabulary) -> set[tuple[str, str, str]]:
    """Work-to-work triples entailed by inverse and sub-property axioms (fixpoint)."""
    asserted = {(w, p, o.value) for w, facts in works.items() for p, o in facts
                if isinstance(o, NamedNode) and o.value in works}
    known = set(asserted)
    frontier = set(asserted)
    while frontier:
        new = set()
        for s, p, o in frontier:
            for q in vocabulary.super_properties.get(p, ()):
                new.add((s, q, o))
            for q in vocabulary.inverse.get(p, ()):
                new.add((o, q, s))
        frontier = new - known
        known |= frontier
    return known - asserted


# ---------------------------------------------------------------- signatures -> classes


HERMIT_ALL_UP_TO = 120
"""Up to this many distinct signatures HermiT realises every one (the real graph has about 90)."""
HERMIT_SAMPLE = 40
"""Above HERMIT_ALL_UP_TO, the compiled rules place every signature and HermiT realises an evenly spread
sample of this many, which must agree (HermiT's time grows faster than linearly with the sample)."""


def _signature_facts(signature: frozenset) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    types = [o[1:-1] for kind, p, o in signature if kind == "val" and p == RDF_TYPE]
    facts = [(p, o[1:-1] if o.startswith("<") else o) for kind, p, o in signature
             if kind in ("val", "has") and p != RDF_TYPE]
    facts += [(p, NEIGHBOUR) for kind, p, _ in signature if kind == "out"]
    incoming = [p for kind, p, _ in signature if kind == "in"]
    return types, facts, incoming


def _hermit_signatures(ontology_nt: bytes, context: _NTriples, numbered: list[tuple[int, frozenset]],
                       closed: set[str], extra_subjects: Iterable[str] = (),
                       hierarchy: dict[str, frozenset[str]] | None = None):
    doc = _NTriples()
    doc.lines = list(context.lines)
    subjects = []
    for number, signature in numbered:
        subject = f"{REPRESENTATIVE}{number}"
        subjects.append(subject)
        _individual_lines(doc, f"<{subject}>", sorted(signature), closed)
    classes, pairs = _run_hermit(ontology_nt, doc, subjects + list(extra_subjects), property_values=True,
                                 hierarchy=hierarchy)
    return classes, pairs, subjects


def _classify_signatures(*, store: Store, ontology_nt: bytes, context: _NTriples, context_objects: list[str],
                         signatures: list[frozenset], vocabulary: _Vocabulary, batch_size: int):
    """{signature: (classes, property values)}, the number of HermiT runs and how they were obtained.

    One HermiT run classifies the ontology, realises the shared individuals and a sample of signatures (all
    of them when there are few); the compiled rules place every signature; on any disagreement with HermiT
    or an axiom outside the rules' fragment, HermiT realises all signatures in batches instead.
    """
    from kg.class_rules import UnsupportedAxiom, compile_rules

    numbered = list(enumerate(signatures))
    if len(numbered) <= HERMIT_ALL_UP_TO:
        sample = numbered
    else:
        size = min(HERMIT_SAMPLE, HERMIT_ALL_UP_TO)
        step = len(numbered) / size
        sample = [numbered[int(i * step)] for i in range(size)]
    hierarchy: dict[str, frozenset[str]] = {}
    classes, pairs, subjects = _hermit_signatures(ontology_nt, context, sample, vocabulary.closed_per_work,
                                                  context_objects, hierarchy)
    hermit = {signature: (classes[subject], pairs[subject]) for (_, signature), subject in zip(sample, subjects)}
    try:
        rules = compile_rules(store, hierarchy=hierarchy,
                              context_types={o: classes[o] for o in context_objects},
                              context_values={o: set(pairs[o]) for o in context_objects},
                              closed=vocabulary.closed_per_work)
        compiled = {}
        for signature in signatures:
            types, facts, incoming = _signature_facts(signature)
            found, derived = rules.classify(types=types, facts=facts, incoming=incoming)
            compiled[signature] = (found, frozenset(v for v in derived if v[1] != NEIGHBOUR and v[0] != RDF_TYPE))
        disagreeing = [s for s in hermit if hermit[s][0] != compiled[s][0]]
        if not disagreeing:
            compiled.update(hermit)
            detail = ("HermiT realised all" if len(sample) == len(signatures)
                      else f"compiled rules, checked against HermiT on {len(sample)}")
            return compiled, 1, detail
        reason_text = f"compiled rules disagree with HermiT on {len(disagreeing)} signature(s)"
    except UnsupportedAxiom as err:
        reason_text = f"axiom outside the compiled fragment: {err}"
    print(f"kg reason: {reason_text}; HermiT realises every signature", file=sys.stderr)
    runs = 1
    for start in range(0, len(numbered), batch_size):
        batch = [n for n in numbered[start:start + batch_size] if n[1] not in hermit]
        if batch:
            classes, pairs, subjects = _hermit_signatures(ontology_nt, context, batch, vocabulary.closed_per_work)
            hermit.update({signature: (classes[s], pairs[s]) for (_, signature), s in zip(batch, subjects)})
            runs += 1
    return hermit, runs, f"HermiT in batches of {batch_size} ({reason_text})"


def _disjoint_members(store: Store, classes: dict[frozenset, frozenset[str]]) -> list[frozenset]:
    """Signatures placed in two disjoint classes (the compiled rules cannot see an inconsistency otherwise)."""
    pairs = [(a, b) for a, b, _ in _disjointness(store)]
    return [s for s, found in classes.items() if any(a in found and b in found for a, b in pairs)]


# ---------------------------------------------------------------- the library function


def reason(*, settings: Settings, store: Store, whole_graph: bool = False,
           withhold: Iterable[str] = (), write: bool = True, batch_size: int = BATCH_SIZE) -> ReasoningResult:
    """Classify every work of graph:data with HermiT and (if `write`) replace graph:inferred with the result.

    `withhold` names predicates left out of the works' facts (the tests withhold `dkg:inCategory` to check
    that categories follow from the table facts alone). Raises `InconsistentOntology` naming the offending
    works, their facts and the violated disjointness axioms; the store is then unchanged.
    Raises `KgError` when graph:ontology is empty.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    began = datetime.now(UTC)
    # dump returns None only when it writes to an output file
    ontology_nt = store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(GRAPH_ONTOLOGY)) or b""
    if not ontology_nt.strip():
        raise KgError(f"graph:ontology is empty in the store at {settings.store_dir}: run `kg build` first")
    vocabulary = _read_vocabulary(store)
    works = _read_works(store, vocabulary, frozenset(withhold))
    timings["read"] = time.perf_counter() - started

    incoming = _incoming_link_entries(works, vocabulary)
    signature_of = {w: _signature(facts, vocabulary, works) | frozenset(incoming.get(w, ()))
                    for w, facts in works.items()}
    members: dict[frozenset, list[str]] = defaultdict(list)
    for work, signature in signature_of.items():
        members[signature].append(work)
    signatures = sorted(members, key=lambda s: sorted(s))
    roots = {entry[2][1:-1] for s in signatures for entry in s if entry[0] == "val" and entry[2].startswith("<")}
    # Values that cannot change their work's classes still type their object (ranges) and can make the
    # data inconsistent: one placeholder subject carries each distinct (property, value) pair once.
    # A work's value types its object by the property's range (and can so make the data inconsistent):
    # those types are stated on the shared individuals once, for every (property, value) pair of any work.
    held = sorted({(cls, o.value) for facts in works.values() for p, o in facts
                   if p != RDF_TYPE and isinstance(o, NamedNode) and o.value not in works
                   for q in {p} | vocabulary.super_properties.get(p, set()) for cls in vocabulary.ranges.get(q, ())})
    context = _NTriples()
    for cls, o in held:
        context.add(f"<{o}>", RDF_TYPE, f"<{cls}>")
    context_objects = sorted(roots)
    for s, p, value in _context_triples(store, sorted(roots | {o for _, o in held}), works):
        context.add(f"<{s}>", p, str(value))
    timings["signatures"] = time.perf_counter() - started - timings["read"]

    memberships: dict[str, frozenset[str]] = {}
    values: dict[str, frozenset[tuple[str, str]]] = {}
    runs = 0
    mode_detail = ""
    hermit_started = time.perf_counter()
    try:
        if whole_graph:
            doc = _NTriples()
            doc.lines = list(context.lines)
            for work, facts in works.items():
                for predicate, value in facts:
                    if isinstance(value, NamedNode) or (isinstance(value, Literal)
                                                        and predicate in vocabulary.datatype_properties):
                        _individual_lines(doc, f"<{work}>", [("val", predicate, str(value))], set())
                closed = defaultdict(list)
                for predicate, value in facts:
                    if predicate in vocabulary.closed_per_work and isinstance(value, NamedNode):
                        closed[predicate].append(str(value))
                for predicate, objects in closed.items():
                    doc.closure(f"<{work}>", predicate, sorted(objects))
            memberships, raw_values = _run_hermit(ontology_nt, doc, list(works), property_values=True)
            runs = 1
            values = {w: frozenset((p, o) for p, o in pairs if o not in works) for w, pairs in raw_values.items()}
        else:
            classified, runs, mode_detail = _classify_signatures(
                store=store, ontology_nt=ontology_nt, context=context, context_objects=context_objects,
                signatures=signatures, vocabulary=vocabulary, batch_size=batch_size)
            violated = _disjoint_members(store, {s: c for s, (c, _) in classified.items()})
            if violated:
                raise _explain(store, ontology_nt, context, violated, members, vocabulary.closed_per_work)
            for signature, (classes, pairs) in classified.items():
                for work in members[signature]:
                    memberships[work] = classes
                    values[work] = pairs
    except owlready2.OwlReadyInconsistentOntologyError:
        raise _explain(store, ontology_nt, context, signatures, members, vocabulary.closed_per_work) from None
    timings["hermit"] = time.perf_counter() - hermit_started

    write_started = time.perf_counter()
    quads = _inferred_quads(works, memberships, values, vocabulary)
    quads += [Quad(NamedNode(s), NamedNode(p), NamedNode(o), NamedNode(GRAPH_INFERRED))
              for s, p, o in sorted(_link_closure(works, vocabulary))]
    mode = "whole-graph" if whole_graph else f"signatures ({mode_detail})"
    name = reasoner_name()
    inferred_count = len(quads)
    quads += _provenance_quads(name=name, mode=mode, began=began, works=len(works),
                               signatures=len(signatures), inferred=inferred_count)
    if write:
        store.clear_graph(NamedNode(GRAPH_INFERRED))
        store.extend(quads)
    timings["write"] = time.perf_counter() - write_started
    inferred_values = {w: frozenset(v - {(p, o.value) for p, o in works[w] if isinstance(o, NamedNode)})
                       for w, v in values.items()}
    return ReasoningResult(mode=mode, reasoner=name, works=len(works), signatures=len(signatures),
                           hermit_runs=runs, memberships=memberships, inferred_values=inferred_values,
                           inferred_triples=inferred_count, seconds=time.perf_counter() - started, timings=timings)


def _inferred_quads(works: dict[str, list[tuple[str, object]]], memberships: dict[str, frozenset[str]],
                    values: dict[str, frozenset[tuple[str, str]]], vocabulary: _Vocabulary) -> list[Quad]:
    graph = NamedNode(GRAPH_INFERRED)
    in_category = DKG + "inCategory"
    quads: set[tuple[str, str, str]] = set()
    for work, facts in works.items():
        asserted = {(p, o.value) for p, o in facts if isinstance(o, NamedNode)}
        entailed = {(RDF_TYPE, cls) for cls in memberships.get(work, ())}
        entailed |= {(in_category, vocabulary.category_concept[cls])
                     for cls in memberships.get(work, ()) if cls in vocabulary.category_concept}
        entailed |= set(values.get(work, ()))
        quads.update((work, p, o) for p, o in entailed - asserted)
    return [Quad(NamedNode(s), NamedNode(p), NamedNode(o), graph) for s, p, o in sorted(quads)]


def _provenance_quads(*, name: str, mode: str, began: datetime, works: int, signatures: int,
                      inferred: int) -> list[Quad]:
    graph = NamedNode(GRAPH_INFERRED)
    activity, agent = NamedNode(ACTIVITY), NamedNode(REASONER_AGENT)
    xsd = PREFIXES["xsd"]
    rdfs_label = NamedNode(RDFS + "label")

    def stamp(moment: datetime) -> Literal:
        return Literal(moment.isoformat(timespec="seconds"), datatype=NamedNode(xsd + "dateTime"))

    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (graph, NamedNode(PROV + "wasGeneratedBy"), activity),
        (activity, NamedNode(RDF_TYPE), NamedNode(PROV + "Activity")),
        (activity, rdfs_label, Literal(f"kg reason ({mode}): {works} works, {signatures} distinct fact "
                                       f"signatures, {inferred} inferred triples")),
        (activity, NamedNode(PROV + "startedAtTime"), stamp(began)),
        (activity, NamedNode(PROV + "endedAtTime"), stamp(datetime.now(UTC))),
        (activity, NamedNode(PROV + "used"), NamedNode(GRAPH_ONTOLOGY)),
        (activity, NamedNode(PROV + "used"), NamedNode(GRAPH_DATA)),
        (activity, NamedNode(PROV + "wasAssociatedWith"), agent),
        (agent, NamedNode(RDF_TYPE), NamedNode(PROV + "SoftwareAgent")),
        (agent, rdfs_label, Literal(name)),
    ]
    return [Quad(s, p, o, graph) for s, p, o in triples]

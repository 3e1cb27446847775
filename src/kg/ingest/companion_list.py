"""Seed 000, the companion paper list: one ListEntry per `- Title [[paper]](link)` line.

Every heading above an entry that names a taxonomy concept becomes a dkg:inCategory fact
(docs/model.md, "Companion-list headings -> concepts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, iri, text, title_key, unique_keys
from kg.ingest.sources import read_lines
from kg.iri import PAPER, normalise_arxiv_id, normalise_doi, paper_iri

__all__ = ["ListEntry", "parse_list", "list_records", "HEADING_CONCEPTS"]

# (parent heading, heading) -> concept local name; parent None = any parent
HEADING_CONCEPTS: dict[tuple[str | None, str], str] = {
    (None, "Generative Tools for RL"): "generative-tools-for-rl",
    (None, "RL for Generative Policies"): "rl-for-generative-policies",
    (None, "Base Model"): "base-model",
    (None, "Modality"): "modality",
    (None, "Task"): "rl-task",
    (None, "RL Pre-Training"): "rl-pretraining",
    (None, "Generative Policy RL Fine-Tuning"): "rl-finetuning",
    (None, "Policy Distillation"): "policy-distillation",
    (None, "Policy Safety (new!)"): "policy-safety",
    ("Base Model", "1.Large Language Models"): "llm",
    ("Base Model", "2.Vision Language Models"): "vlm",
    ("Base Model", "3.Diffusion models"): "diffusion-model",
    ("Base Model", "4.World Models and Video Prediction Models"): "world-and-video-prediction-models",
    ("Task", "Reward Signal"): "reward-signal",
    ("Task", "State Representation"): "state-representation",
    ("Task", "Planning & Exploration"): "planning-exploration",
    ("Reward Signal", "1.Learning reward functions with LLMs"): "reward-llm",
    ("Reward Signal", "2.VLMs for reward learning"): "reward-vlm",
    ("Reward Signal", "3.Reward learning with diffusion models"): "reward-diffusion",
    ("Reward Signal", "4.Learning rewards from video prediction"): "reward-video-prediction",
    ("State Representation", "1.Learning representations from videos"): "state-from-videos",
    ("State Representation", "2.Foundation world models for model-based RL"): "state-foundation-world-models",
    ("Planning & Exploration", "1.LLMs for exploration"): "exploration-llm",
    ("Planning & Exploration", "2.VLMs for exploration"): "exploration-vlm",
    ("Planning & Exploration", "3.LLMs for planning"): "planning-llm",
    ("Planning & Exploration", "4.Diffusion models for planning and exploration"): "planning-diffusion",
    ("RL Pre-Training", "1.Transformer Policy"): "pretraining-transformer-policy",
    ("RL Pre-Training", "2.Diffusion Policy"): "pretraining-diffusion-policy",
}

_HEADING = re.compile(r"^(#{2,6})\s*(.+?)\s*$")
_ITEM = re.compile(r"^\s*-\s+(.+?)\s*\[\[paper\]\]\((.+)\)\s*$")


@dataclass(frozen=True)
class ListEntry:
    line: int
    """Where the entry is (for messages); not part of its key."""
    title: str
    link: str
    headings: tuple[str, ...]
    concepts: tuple[str, ...]
    key: str = ""
    """The record key: `list-` + arXiv id, else DOI, else title words (+ heading concept where shared)."""

    @property
    def arxiv_id(self) -> str | None:
        return normalise_arxiv_id(self.link) if "arxiv" in self.link.lower() else None

    @property
    def doi(self) -> str | None:
        """The DOI of the link, unless the link is an arXiv one (arXiv DOIs name the arXiv id)."""
        doi = normalise_doi(self.link)
        return None if self.arxiv_id or (doi and "arxiv" in doi.lower()) else doi

    @property
    def identity(self) -> str:
        if self.arxiv_id or self.doi:
            return paper_iri(arxiv_id=self.arxiv_id, doi=self.doi).removeprefix(PAPER)
        return "title-" + title_key(self.title)


def parse_list(sources_dir: Path) -> list[ListEntry]:
    """The list entries from '## Generative Tools for RL' up to '## Citation'.

    Raises InputError (line) for an entry under a heading that maps to no taxonomy concept.
    """
    lines = read_lines(sources_dir, "companion-list")
    stack: list[tuple[int, str]] = []
    entries: list[ListEntry] = []
    started = False
    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            level, name = len(heading.group(1)), heading.group(2)
            if name == "Generative Tools for RL" and level == 2:
                started = True
            if name == "Citation":
                break
            stack = [(lv, n) for lv, n in stack if lv < level] + [(level, name)]
            continue
        item = _ITEM.match(line)
        if not (started and item):
            continue
        names = tuple(n for _, n in stack)
        concepts = []
        for index, name in enumerate(names):
            parent = names[index - 1] if index else None
            concept = HEADING_CONCEPTS.get((parent, name)) or HEADING_CONCEPTS.get((None, name))
            if concept:
                concepts.append(concept)
        if not concepts or concepts[-1] != HEADING_CONCEPTS.get((names[-2] if len(names) > 1 else None, names[-1]),
                                                                 HEADING_CONCEPTS.get((None, names[-1]))):
            raise InputError(f"seed 000 line {number}: heading {' > '.join(names)!r} maps to no taxonomy concept")
        entries.append(ListEntry(line=number, title=item.group(1).strip(), link=item.group(2).strip(),
                                 headings=names, concepts=tuple(concepts)))
    if not entries:
        raise InputError("seed 000: no list entries found under '## Generative Tools for RL'")
    keys = unique_keys([e.identity for e in entries], [e.concepts[-1] for e in entries])
    return [replace(entry, key="list-" + key) for entry, key in zip(entries, keys)]


def list_records(entries: list[ListEntry]) -> list[SourceRecord]:
    """One dkg:ListEntry record per entry: title as listed, link, every heading concept.

    The locator is the heading path (the record carries the title): a line number there would change the
    files of every work listed below an inserted line.
    """
    records = []
    for entry in entries:
        doi = normalise_doi(entry.link)
        arxiv = entry.arxiv_id
        if arxiv:
            doi = doi if doi and "arxiv" in doi.lower() else None
        keys = PaperKeys(arxiv_id=arxiv, doi=doi if not arxiv else None, title=entry.title)
        record = SourceRecord(fragment=entry.key, record_class="dkg:ListEntry", source="companion-list",
                              locator=f"\"{' > '.join(entry.headings)}\"", keys=keys)
        record.fact("schema:url", iri(entry.link.replace(" ", "%20")))
        for concept in entry.concepts:
            record.fact("dkg:inCategory", iri("cat:" + concept))
        if arxiv:
            record.fact("fabio:hasArXivId", text(arxiv))
        if doi:
            record.fact("dkg:doi", text(doi))
        records.append(record)
    return records

"""From cell text to nodes: benchmarks, networks, base models, tasks, code availability, settings.

The name tables are files beside this module (`benchmark-names.csv`, `not-benchmark-names.csv`,
`network-names.csv`) so a reviewer can read and extend them without reading code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "BASE_MODEL_CATEGORIES", "BenchmarkName", "benchmark_names", "benchmarks_in", "unresolved_benchmark_names",
    "networks_in", "networks_in_framework", "network_label",
    "network_aliases", "base_models_in", "base_model_category_of", "task_of", "code_availability_of",
    "settings_of",
]

_HERE = Path(__file__).parent

BASE_MODELS: dict[str, str] = {
    "llm": "llm", "vlm": "vlm", "diffusion model": "diffusion-model", "world model": "world-model",
    "world mode": "world-model", "wm": "world-model", "world  model": "world-model",
}
# Section 3 classifies the works by base model, one summary table (and one authors' spreadsheet) per
# category; the table caption or the spreadsheet's file name names the category.
BASE_MODEL_CATEGORIES: dict[str, str] = {
    "large language models": "llm", "vision language models": "vlm", "diffusion models": "diffusion-model",
    "world models": "world-and-video-prediction-models",
}
TASKS: dict[str, str] = {
    "reward signal": "reward-signal", "state representation": "state-representation",
    "planning & exploration": "planning-exploration",
}
CODE: dict[str, str] = {
    "yes": "CodeAvailable", "n/a": "CodeNotAvailable", "available soon": "CodeAnnounced",
    "coming soon": "CodeAnnounced",
}


@dataclass(frozen=True)
class BenchmarkName:
    name: str
    benchmark: str
    label: str


@cache
def benchmark_names() -> tuple[BenchmarkName, ...]:
    """The alias table, longest name first so 'Multi-Agent MuJoCo' wins over 'MuJoCo'."""
    with (_HERE / "benchmark-names.csv").open(encoding="utf-8") as handle:
        rows = [BenchmarkName(r["name"], r["benchmark"], r["label"]) for r in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda r: (-len(r.name), r.name)))


@cache
def _not_benchmarks() -> tuple[str, ...]:
    with (_HERE / "not-benchmark-names.csv").open(encoding="utf-8") as handle:
        return tuple(sorted((r["phrase"] for r in csv.DictReader(handle)), key=lambda p: -len(p)))


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-]*\w)", re.IGNORECASE)


def _consume(cell: str) -> tuple[list[str], str]:
    found: list[str] = []
    rest = cell
    for entry in benchmark_names():
        pattern = _pattern(entry.name)
        if pattern.search(rest):
            if entry.benchmark not in found:
                found.append(entry.benchmark)
            rest = pattern.sub(" ", rest)
    return found, rest


def benchmarks_in(cell: str) -> list[str]:
    """Benchmark local names (`bench:` namespace) named in a training-data or setting cell."""
    return sorted(_consume(cell)[0])


def unresolved_benchmark_names(cell: str) -> list[str]:
    """Words left after removing known benchmarks that look like names (CamelCase, digits, acronyms).

    These are the candidates a reviewer must map in benchmark-names.csv or list in not-benchmark-names.csv.
    """
    rest = _consume(cell)[1]
    for phrase in _not_benchmarks():
        rest = _pattern(phrase).sub(" ", rest)
    words = re.findall(r"[\w’'-]+", rest)
    return [w for w in words if re.search(r"[a-z][A-Z]|\d|^[A-Z]{2,}", w) and not re.fullmatch(r"\d+", w)]


@cache
def _network_table() -> dict[str, tuple[list[str], str]]:
    with (_HERE / "network-names.csv").open(encoding="utf-8") as handle:
        return {r["item"].lower(): (r["networks"].split(), r["label"]) for r in csv.DictReader(handle)}


def network_aliases() -> list[tuple[str, str]]:
    """(alias lower-cased, network local name) of every alias of network-names.csv that names one network."""
    return [(item, ids[0]) for item, (ids, _) in sorted(_network_table().items()) if len(ids) == 1]


def network_label(network: str) -> str:
    """The label of a network node: the table's label of its first alias."""
    for ids, label in _network_table().values():
        if ids == [network] and label:
            return label
    return network


def networks_in(cell: str) -> tuple[list[str], list[str]]:
    """(network local names, items not in network-names.csv) for a Network / Base Model cell."""
    if cell.strip().upper() in {"", "N/A"}:
        return [], []
    return _networks_of(_items(cell))


def networks_in_framework(cell: str) -> tuple[list[str], list[str]]:
    """(network local names, items not in network-names.csv) named in parentheses in a Framework cell.

    Table 7 has no Network column: 'GENSIM (GPT-4, GPT-3.5, Code Llama)' names the networks after the
    framework. Parentheses also hold abbreviations ('Masked World Models (MWM)'): network-names.csv lists
    those with no network, so every parenthesised item is either mapped or reported.
    """
    return _networks_of([item for group in re.findall(r"\(([^()]*)\)", cell) for item in _items(group)])


def _items(cell: str) -> list[str]:
    return [i.strip() for i in re.split(r",\s*|\s+and\s+", cell) if i.strip()]


def _networks_of(items: list[str]) -> tuple[list[str], list[str]]:
    found: list[str] = []
    unknown: list[str] = []
    for item in items:
        entry = _network_table().get(item.lower())
        if entry is None:
            unknown.append(item)
            continue
        found.extend(n for n in entry[0] if n not in found)
    return found, unknown


def base_models_in(cell: str) -> list[str]:
    """Base model concept local names (`cat:`) in 'LLM, World Model' / 'World Model,LLM' / 'LLM, WM'."""
    found = []
    for item in re.split(r"\s*,\s*", cell.strip()):
        concept = BASE_MODELS.get(re.sub(r"\s+", " ", item.strip().lower()))
        if concept and concept not in found:
            found.append(concept)
    return found


def base_model_category_of(name: str) -> str | None:
    """The base-model category (`cat:` local name) a table caption or spreadsheet file name names, if any.

    'Summary of vision-language models as tools for RL.' -> 'vlm'; 'Large_Language_Models_for_RL_Table.xlsx' ->
    'llm'; 'RL_for_Diffusion_Policy_Table.xlsx' -> None (a policy table, not a base-model one).
    """
    words = re.sub(r"[\s_-]+", " ", name.lower())
    found = {category for phrase, category in BASE_MODEL_CATEGORIES.items() if phrase in words}
    return found.pop() if len(found) == 1 else None


def task_of(cell: str) -> str | None:
    return TASKS.get(cell.strip().lower())


def code_availability_of(cell: str) -> str | None:
    """The closed-set value (`dkg:` local name) for a code cell; None when the cell is empty (unknown)."""
    value = cell.strip().lower()
    if not value:
        return None
    return CODE.get(value, "CodeUnknown")


def settings_of(cell: str) -> list[str]:
    """dkg:Simulation and/or dkg:RealWorld stated by a setting cell
    ('Both' = both; 'Potential real-world' = not real)."""
    value = cell.strip().lower()
    if value == "both":
        return ["RealWorld", "Simulation"]
    found = []
    if re.search(r"real", re.sub(r"potential real", "", value)):
        found.append("RealWorld")
    if "simulat" in value:
        found.append("Simulation")
    return found

"""Seed 001's Tables 1, 2, 3, 4, 5, 7 and 9: tab-separated rows inside the survey text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.errors import InputError
from kg.ingest.records import (
    PaperKeys,
    SourceRecord,
    Term,
    Triple,
    boolean,
    integer,
    iri,
    text,
)
from kg.ingest.sources import read_lines
from kg.ingest.vocabulary import (
    BASE_MODEL_CATEGORIES,
    base_model_category_of,
    base_models_in,
    benchmarks_in,
    code_availability_of,
    networks_in,
    networks_in_framework,
    settings_of,
    task_of,
)

__all__ = ["TableRow", "parse_table", "WORK_TABLES", "work_table_records", "table1_records", "table9_benchmarks",
           "Benchmark", "TABLE1_CONCEPTS", "cited_reference", "NETWORKS_IN_FRAMEWORK"]

WORK_TABLES = (2, 3, 4, 5, 7)
# Table 7 has no Network column; its Framework cells name the networks in parentheses. (Tables 4 and 5
# have none either, but their parentheses only abbreviate the framework's name.)
NETWORKS_IN_FRAMEWORK = (7,)


@dataclass(frozen=True)
class TableRow:
    table: int
    row: int
    """1-based row order as printed."""
    line: int
    cells: dict[str, str]
    """header -> cell text, verbatim (header names as printed, first header line for Table 1)."""
    caption: str
    """The caption line under 'Table N', as printed."""


def parse_table(sources_dir: Path, number: int) -> list[TableRow]:
    """The rows of Table `number` of seed 001, cells keyed by the printed header.

    Raises InputError naming the line when the caption or header is missing or a row has the wrong width.
    """
    lines = read_lines(sources_dir, "survey-text")
    caption = re.compile(rf"^\**Table {number}\**\s*$")
    start = next((i for i, line in enumerate(lines) if caption.match(line.strip())), None)
    if start is None:
        raise InputError(f"seed 001: caption 'Table {number}' not found")
    caption_text = next((line.strip() for line in lines[start + 1:] if line.strip()), "")
    header_at = next(i for i in range(start + 1, len(lines)) if "\t" in lines[i])
    header = [h.strip() for h in lines[header_at].split("\t")]
    body_start = header_at + 1
    if number == 1:
        # Table 1 has a two-line header: group names, then the column names under them
        sub = lines[header_at + 1].split("\t")
        header = ["Survey", "RFM", *[s.strip() for s in sub[2:]]]
        body_start = header_at + 2
    rows: list[TableRow] = []
    index = body_start
    while index < len(lines) and "\t" in lines[index]:
        cells = [c.strip() for c in lines[index].split("\t")]
        cells += [""] * (len(header) - len(cells))
        if len(cells) > len(header) and any(cells[len(header):]):
            raise InputError(f"seed 001 line {index + 1}: Table {number} row has {len(cells)} cells, "
                             f"header has {len(header)}")
        rows.append(TableRow(table=number, row=len(rows) + 1, line=index + 1,
                             cells=dict(zip(header, cells[:len(header)], strict=True)), caption=caption_text))
        index += 1
    if not rows:
        raise InputError(f"seed 001 line {header_at + 1}: Table {number} has no rows")
    return rows


_CELL_PREDICATE = {
    "Paper": "dkg:cellPaper", "Framework": "dkg:cellFramework", "Base Model/Architecture": "dkg:cellBaseModel",
    "Base Model/ Architecture": "dkg:cellBaseModel", "Model Class": "dkg:cellBaseModel", "Network": "dkg:cellNetwork",
    "Code": "dkg:cellCode", "Training Data": "dkg:cellTrainingData", "Task": "dkg:cellTask",
    "Simulation or Real-World Exp.": "dkg:cellSetting",
}
_TABLE1_CELLS = {"Survey": "dkg:cellSurvey", "RFM": "dkg:cellRFM", "LLM": "dkg:cellLLM", "VLM": "dkg:cellVLM",
                 "DM": "dkg:cellDM", "WM/VPM": "dkg:cellWMVPM", "Train": "dkg:cellTrain",
                 "Fine-Tune": "dkg:cellFineTune"}
TABLE1_CONCEPTS = {"RFM": "robotics-foundation-models", "LLM": "llm", "VLM": "vlm", "DM": "diffusion-model",
                   "WM/VPM": "world-and-video-prediction-models", "Train": "rl-pretraining",
                   "Fine-Tune": "rl-finetuning"}
_MARKS = {"✓": "PrimaryFocus", "*": "PartialFocus"}
# Table 9's "Typical Base Model" parts -> concepts. "Transformer" and "VLA" (vision-language-action models)
# are policy families: cat:transformer-policy, "Transformer policy (incl. VLA models)".
_TABLE9_BASE_MODELS = {"diffusion": "diffusion-model", "vlm": "vlm", "llm": "llm", "world model": "world-model",
                       "vpm": "video-prediction-model", "transformer": "transformer-policy",
                       "vla": "transformer-policy"}


def cited_reference(cell: str) -> int | None:
    """'Ma et al. [8]' -> 8."""
    found = re.search(r"\[(\d+)\]", cell)
    return int(found.group(1)) if found else None


def work_table_records(rows: list[TableRow]) -> list[SourceRecord]:
    """One dkg:TableRow record per row of Tables 2-5, 7: every cell verbatim + the structured facts it states.

    The table itself is a fact too: Section 3 classifies the works by base model, one table per category,
    so the category the caption names is the survey's base-model classification of each row's work.
    """
    records = []
    for row in rows:
        number = cited_reference(row.cells["Paper"])
        if number is None:
            raise InputError(f"seed 001 line {row.line}: Table {row.table} row {row.row} cites no reference [N]")
        category = base_model_category_of(row.caption)
        if category is None:
            raise InputError(f"seed 001: the caption of Table {row.table} ({row.caption!r}) names no base-model "
                             f"category (known: {sorted(BASE_MODEL_CATEGORIES)})")
        record = SourceRecord(fragment=f"table-{row.table}-row-{row.row}", record_class="dkg:TableRow",
                              source="survey-text", locator=f"Table {row.table}, row {row.row}",
                              keys=PaperKeys(reference_number=number))
        record.cell("dkg:tableNumber", integer(row.table))
        record.cell("dkg:rowNumber", integer(row.row))
        for header, value in row.cells.items():
            record.cell(_CELL_PREDICATE[header], text(value))
        cells = {_CELL_PREDICATE[h]: v for h, v in row.cells.items()}
        record.fact("dkg:frameworkName", text(cells["dkg:cellFramework"]))
        record.fact("dkg:tabulatedUnder", iri("cat:" + category))
        for concept in base_models_in(cells["dkg:cellBaseModel"]):
            record.fact("dkg:usesBaseModel", iri("cat:" + concept))
        network_names = (networks_in(cells["dkg:cellNetwork"]) if "dkg:cellNetwork" in cells
                         else networks_in_framework(cells["dkg:cellFramework"]) if row.table in NETWORKS_IN_FRAMEWORK
                         else ([], []))
        for network in network_names[0]:
            record.fact("dkg:usesNetwork", iri("net:" + network))
        code = code_availability_of(cells["dkg:cellCode"])
        if code:
            record.fact("dkg:codeAvailability", iri("dkg:" + code))
        task = task_of(cells["dkg:cellTask"])
        if task:
            record.fact("dkg:addressesTask", iri("cat:" + task))
        record.fact("dkg:trainingData", text(cells["dkg:cellTrainingData"]))
        for setting in settings_of(cells["dkg:cellSetting"]):
            record.fact("dkg:evaluatedIn", iri("dkg:" + setting))
        named = benchmarks_in(cells["dkg:cellTrainingData"]) + benchmarks_in(cells["dkg:cellSetting"])
        for benchmark in sorted(set(named)):
            record.fact("dkg:usesBenchmark", iri("bench:" + benchmark))
        records.append(record)
    return records


def table1_records(rows: list[TableRow]) -> list[SourceRecord]:
    """Table 1's surveys with coverage marks (✓ = dkg:PrimaryFocus, * = dkg:PartialFocus; empty = no statement).

    The last row ('Ours') is the survey itself: its record carries no reference number; assembly attaches it
    to the survey node.
    """
    records = []
    for row in rows:
        number = cited_reference(row.cells["Survey"])
        record = SourceRecord(fragment=f"table-1-row-{row.row}", record_class="dkg:TableRow", source="survey-text",
                              locator=f"Table 1, row {row.row}", keys=PaperKeys(reference_number=number),
                              paper_types=[iri("dkg:Survey")])
        record.cell("dkg:tableNumber", integer(1))
        record.cell("dkg:rowNumber", integer(row.row))
        for header, value in row.cells.items():
            record.cell(_TABLE1_CELLS[header], text(value))
            if header in TABLE1_CONCEPTS and value in _MARKS:
                # the coverage node's IRI is completed at assembly time, when the paper IRI is known
                record.extra.append((iri("#coverage-" + TABLE1_CONCEPTS[header]), iri("dkg:coverageMark"),
                                     iri("dkg:" + _MARKS[value])))
        records.append(record)
    return records


@dataclass(frozen=True)
class Benchmark:
    local: str
    label: str
    row: TableRow
    reference: int | None


def table9_benchmarks(rows: list[TableRow]) -> list[tuple[Benchmark, list[Triple], list[Triple]]]:
    """Table 9's benchmarks: (benchmark, triples on the benchmark node, triples of its row record)."""
    out = []
    for row in rows:
        cells = row.cells
        name = re.sub(r"\s*\[\d+\]\s*$", "", cells["Benchmark / Dataset"]).strip()
        found = benchmarks_in(name)
        if len(found) != 1:
            raise InputError(f"seed 001 line {row.line}: Table 9 benchmark {name!r} maps to {found}, not one node")
        node = iri("bench:" + found[0])
        record = URIRef(str(node) + f"#table-9-row-{row.row}")
        facts: list[tuple[URIRef, Term]] = [(iri("rdfs:label"), text(name)), (iri("dkg:domain"), text(cells["Domain"]))]
        for part in re.split(r"\s*/\s*", cells["Typical Base Model"]):
            concept = _TABLE9_BASE_MODELS.get(part.strip().lower())
            if concept is None:
                raise InputError(f"seed 001 line {row.line}: Table 9 typical base model {part.strip()!r} maps to no "
                                 f"concept (known: {sorted(_TABLE9_BASE_MODELS)})")
            if (iri("dkg:typicalBaseModel"), iri("cat:" + concept)) not in facts:
                facts.append((iri("dkg:typicalBaseModel"), iri("cat:" + concept)))
        conditioning = cells["FM Conditioning"]
        facts.append((iri("dkg:fmConditioning"), boolean(conditioning.startswith("✓"))))
        detail = re.search(r"\((.+)\)", conditioning)
        if detail:
            facts.append((iri("dkg:fmConditioningDetail"), text(detail.group(1))))
        facts.append((iri("dkg:longHorizonEval"), boolean(cells["Long-Horizon Eval."].startswith("✓"))))
        for metric in re.split(r"\s*,\s*", cells["Common Metrics"]):
            facts.append((iri("dkg:commonMetric"), text(metric)))
        reference = cited_reference(cells["Benchmark / Dataset"])
        if reference:
            facts.append((iri("dkg:surveyReferenceNumber"), integer(reference)))
        node_triples: list[Triple] = [(node, p, o) for p, o in facts]
        node_triples += [(node, iri("prov:wasDerivedFrom"), iri("src:survey-text")),
                         (node, iri("dkg:locator"), text(f"Table 9, row {row.row}"))]
        record_triples: list[Triple]
        record_triples = [(record, iri("rdf:type"), iri("dkg:TableRow")), (record, iri("dkg:recordOf"), node),
                          (record, iri("prov:wasDerivedFrom"), iri("src:survey-text")),
                          (record, iri("dkg:locator"), text(f"Table 9, row {row.row}")),
                          (record, iri("dkg:tableNumber"), integer(9)),
                          (record, iri("dkg:rowNumber"), integer(row.row))]
        cell_names = {"Benchmark / Dataset": "dkg:cellBenchmark", "Domain": "dkg:cellDomain",
                      "Typical Base Model": "dkg:cellTypicalBaseModel", "FM Conditioning": "dkg:cellFMConditioning",
                      "Long-Horizon Eval.": "dkg:cellLongHorizon", "Common Metrics": "dkg:cellMetrics"}
        record_triples += [(record, iri(cell_names[h]), text(v)) for h, v in cells.items()]
        record_triples += [(record, p, o) for p, o in facts]
        out.append((Benchmark(found[0], name, row, reference), node_triples, record_triples))
    return out

"""Seed 001 Section 9: challenge areas, numbered challenges (bold phrase + cited references),
recommendations (cited references) and the 9.3.x research directions (cited references)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ingest.sources import read_lines

__all__ = ["Area", "Challenge", "Direction", "parse_section9", "cited_numbers"]

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]
_CITATION = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")


@dataclass
class Challenge:
    index: int
    roman: str
    label: str
    bold: bool
    references: list[int]
    second_list: bool = False


@dataclass
class Area:
    section: str
    heading: str
    line: int
    challenges: list[Challenge] = field(default_factory=list)
    recommendation_references: list[int] = field(default_factory=list)
    recommendation_line: int | None = None


@dataclass
class Direction:
    section: str
    heading: str
    line: int
    references: list[int]


def cited_numbers(citation: str) -> list[int]:
    """'3,4,53–55' -> [3, 4, 53, 54, 55] (ranges expanded, duplicates dropped, order kept)."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", citation):
        bounds = [int(b) for b in re.split(r"\s*[–-]\s*", part) if b]
        for number in range(bounds[0], bounds[-1] + 1):
            if number not in numbers:
                numbers.append(number)
    return numbers


def _all_cited(text: str) -> list[int]:
    numbers: list[int] = []
    for found in _CITATION.finditer(text):
        numbers.extend(n for n in cited_numbers(found.group(1)) if n not in numbers)
    return numbers


def parse_section9(sources_dir: Path) -> tuple[list[Area], list[Direction]]:
    """Areas (9.1, 9.2) with their challenges and recommendation, and the 9.3.x directions.

    Raises InputError when Section 9 or an area's challenges cannot be found.
    """
    lines = read_lines(sources_dir, "survey-text")
    start = next((i for i, line in enumerate(lines) if re.match(r"^#*\s*9\. Challenges", line)), None)
    end = next((i for i, line in enumerate(lines) if re.match(r"^#*\s*10\. Conclusion", line)), None)
    if start is None or end is None:
        raise InputError("seed 001: Section 9 ('9. Challenges ...' to '10. Conclusion') not found")
    return _collect(lines, start, end)


def _is_area_heading(line: str) -> bool:
    bare = line.lstrip("#").strip()
    return bool(bare) and len(bare) < 90 and bare[0].isupper() and not bare.endswith(".") \
        and not bare.startswith(("*", "(", "Fig")) and "[" not in bare


def _collect(lines: list[str], start: int, end: int) -> tuple[list[Area], list[Direction]]:
    found_areas: list[Area] = []
    found_directions: list[Direction] = []
    section = "9"
    current: Area | Direction | None = None
    body: list[str] = []

    def close() -> None:
        if isinstance(current, Area):
            _fill_area(current, body)
            found_areas.append(current)
        elif isinstance(current, Direction):
            current.references = _all_cited(" ".join(body))
            found_directions.append(current)

    for index in range(start + 1, end):
        line = lines[index].strip()
        direction = re.match(r"^#*\s*(9\.3\.\d)\.\s*(.+)$", line)
        subsection = re.match(r"^#*\s*(9\.\d)\.\s", line)
        if direction:
            close()
            current, body = Direction(direction.group(1), direction.group(2).strip(), index + 1, []), []
        elif subsection:
            close()
            section, current, body = subsection.group(1), None, []
        elif section in {"9.1", "9.2"} and _is_area_heading(line):
            close()
            current, body = Area(section=section, heading=line.lstrip("#").strip(), line=index + 1), []
        elif not line.startswith("Fig."):
            if isinstance(current, Area) and line.startswith("*Recommendation:*"):
                current.recommendation_line = index + 1
            body.append(line)
    close()
    for area in found_areas:
        if not area.challenges:
            raise InputError(f"seed 001 line {area.line}: Section {area.section} area {area.heading!r} "
                             "has no numbered challenges")
    return found_areas, found_directions


def _fill_area(area: Area, body: list[str]) -> None:
    text = " ".join(line for line in body if line)
    challenge_text, _, recommendation = text.partition("*Recommendation:*")
    area.recommendation_references = _all_cited(recommendation)
    markers = list(re.finditer(r"\(([ivx]+)\)\s*", challenge_text))
    markers = [m for m in markers if m.group(1) in _ROMAN]
    pending: list[Challenge] = []
    second_list = False
    for position, marker in enumerate(markers):
        stop = markers[position + 1].start() if position + 1 < len(markers) else len(challenge_text)
        segment = challenge_text[marker.end():stop]
        if marker.group(1) == "i" and area.challenges:
            second_list = True
        bold = re.match(r"\*\*(.+?)\*\*", segment)
        label = bold.group(1) if bold else re.split(r"\s*\[", segment)[0].strip()
        citation = _CITATION.search(segment)
        challenge = Challenge(index=len(area.challenges) + 1, roman=marker.group(1), label=label.strip(),
                              bold=bool(bold), references=[], second_list=second_list)
        area.challenges.append(challenge)
        pending.append(challenge)
        if citation:
            # a citation after several challenges ("(i) X and (ii) Y [refs]") is evidence for each of them
            for waiting in pending:
                waiting.references = cited_numbers(citation.group(1))
            pending = []

"""The one typed validation report that SHACL shapes, QC queries and the ontology check all feed.

After LinkML's validator report: a `Violation` names the rule (shape IRI or QC file), the focus
node, the file the node is written in, the path and the offending value, and a message a user can
act on. `kg.validate` re-exports these names.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass, field

__all__ = ["Severity", "Violation", "ValidationReport"]


class Severity(enum.StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"


@dataclass(frozen=True, order=True)
class Violation:
    """One failed check on one node."""

    rule: str
    """The shape IRI in prefixed form (`shape:Work-title`), a QC file name, or `ontology-hermit`."""
    focus_node: str
    source_file: str | None
    message: str
    path: str | None = None
    value: str | None = None
    severity: Severity = Severity.ERROR
    line: int | None = None
    """The line of `source_file` that spells the offending term, when a check can tell."""


@dataclass
class ValidationReport:
    """All violations of one run; `conforms` is true when there are no errors."""

    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(v.severity is Severity.ERROR for v in self.violations)

    def rules_fired(self) -> set[str]:
        return {v.rule for v in self.violations}

    def counts_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(v.rule for v in self.violations).items()))

    def summary_lines(self) -> list[str]:
        """One `FAIL <rule>: N violation(s)` line per rule that fired."""
        return [f"FAIL {rule}: {n} violation(s)" for rule, n in self.counts_by_rule().items()]

    def render(self) -> str:
        """The violations grouped by file, then focus node, each with its rule and message."""
        if not self.violations:
            return "conforms: no violations"
        by_file: dict[str, dict[str, list[Violation]]] = defaultdict(lambda: defaultdict(list))
        for v in sorted(self.violations, key=lambda v: (v.source_file or "~", v.focus_node, v.rule)):
            by_file[v.source_file or "(no file)"][v.focus_node].append(v)
        lines: list[str] = []
        for source_file, nodes in by_file.items():
            lines.append(source_file)
            for focus, found in nodes.items():
                lines.append(f"  {focus}")
                for v in found:
                    where = (f" {v.path}" if v.path else "") + (f" (line {v.line})" if v.line else "")
                    value = f" (value: {v.value})" if v.value else ""
                    lines.append(f"    [{v.rule}]{where}: {v.message}{value}")
        files = len(by_file)
        lines.append(f"{len(self.violations)} violation(s) in {files} file(s)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return "\n".join([*self.summary_lines(), self.render()])

"""Where the source documents are, and the one function that reads the survey text."""

from __future__ import annotations

from pathlib import Path

from kg.errors import SourceMissing

__all__ = ["SOURCE_FILES", "SHEET_FILES", "source_path", "read_lines"]

SOURCE_FILES: dict[str, str] = {
    "companion-list": "seeds/000_3b328599f431ecd7.txt",
    "survey-text": "seeds/001_fd43b07d03e1af21.txt",
    "related-papers": "seeds/002_acaf48812ddb9f29.txt",
    "listing-page": "seeds/003_eac8f74251f4280d.txt",
}

# sheet short name (record fragments `#sheet-<name>-<bibtex key>`, `src:sheet-<name>`) -> file in survey-repo/
SHEET_FILES: dict[str, str] = {
    "llm": "survey-repo/Large_Language_Models_for_RL_Table.xlsx",
    "vlm": "survey-repo/Vision_Language_Models_for_RL_Table.xlsx",
    "dm": "survey-repo/Diffusion_Models_for_RL_Table.xlsx",
    "wm": "survey-repo/World_Models_and_Video_Prediction_Models_for_RL_Table.xlsx",
    "rl-transformer": "survey-repo/RL_for_Transformer_Policy_Table.xlsx",
    "rl-diffusion": "survey-repo/RL_for_Diffusion_Policy_Table.xlsx",
}


def source_path(sources_dir: Path, relative: str) -> Path:
    """The path of one source file. Raises SourceMissing naming the file when it is absent."""
    path = Path(sources_dir) / relative
    if not path.is_file():
        raise SourceMissing(f"source file {path} is missing (set KG_SOURCES_DIR or pass --sources)")
    return path


def read_lines(sources_dir: Path, name: str) -> list[str]:
    """The lines of a seed file (by its source name, e.g. 'survey-text'), without line ends."""
    return source_path(sources_dir, SOURCE_FILES[name]).read_text(encoding="utf-8").splitlines()

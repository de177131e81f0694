"""Load a local sentence-transformers model, exporting it to ONNX (and int8) once into the cache.

The export is written into a copy of the model folder under ``WUXUE_CACHE_DIR`` so
the installed package stays read-only and every data directory shares one export.
Nothing is ever fetched from a hub.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


def _quantization_config() -> str:
    """The onnxruntime dynamic-quantization preset that matches this CPU."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        flags = ""
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    return "arm64"


def _fingerprint(model_path: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(model_path.glob("*")):
        if path.is_file():
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    digest.update((model_path / "config.json").read_bytes())
    return digest.hexdigest()[:12]


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _export(model_path: Path, target: Path, quantization: str) -> None:
    """Export fp32 ONNX and a dynamic int8 model into ``target`` (built in a temp dir, then renamed)."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        build = work / "model"
        shutil.copytree(model_path, build)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SentenceTransformer(str(build), backend="onnx", device="cpu", local_files_only=True)
            model.save_pretrained(str(build))
            export_dynamic_quantized_onnx_model(model, quantization, str(build))
        try:
            build.rename(target)
        except OSError:
            if not target.exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def session_options() -> object:
    """onnxruntime options for a server: worker threads sleep when idle instead of spinning.

    By default onnxruntime's intra-op threads busy-wait after each run; on a 2-core machine
    that steals the cores FAISS, BM25 and the other requests need (a 1k-vector FAISS search
    went from 0.04 ms to 15 ms right after a query embedding).
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _export_target(model_path: Path, backend: str, cache_dir: Path) -> tuple[Path, str]:
    exported = cache_dir / "models" / f"{model_path.name}-{_fingerprint(model_path)}"
    file_name = f"onnx/model_qint8_{_quantization_config()}.onnx" if backend == "onnx-int8" else "onnx/model.onnx"
    return exported, file_name


def exported_onnx(model_path: Path, backend: str, cache_dir: Path) -> tuple[Path, str] | None:
    """(model folder, ONNX file) of the export for ``backend``, exporting once if needed; None if that fails."""
    _offline()
    exported, file_name = _export_target(model_path, backend, cache_dir)
    if not (exported / file_name).is_file() or not (exported / "tokenizer.json").is_file():
        try:
            log.info("exporting %s to ONNX in %s (once)", model_path.name, exported)
            _export(model_path, exported, _quantization_config())
        except Exception as exc:  # noqa: BLE001 - the caller falls back to sentence-transformers
            warnings.warn(f"ONNX export failed ({exc!r})", RuntimeWarning, stacklevel=2)
            return None
    return (exported, file_name) if (exported / file_name).is_file() else None


def load_sentence_transformer(model_path: Path, backend: str, cache_dir: Path) -> tuple["SentenceTransformer", str]:
    """Return (model, backend actually used); falls back to torch with a warning if ONNX fails."""
    _offline()
    from sentence_transformers import SentenceTransformer

    if backend != "torch":
        exported, file_name = _export_target(model_path, backend, cache_dir)
        try:
            if not (exported / file_name).is_file():
                log.info("exporting %s to ONNX in %s (once)", model_path.name, exported)
                _export(model_path, exported, _quantization_config())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = SentenceTransformer(
                    str(exported),
                    backend="onnx",
                    device="cpu",
                    local_files_only=True,
                    model_kwargs={"file_name": file_name, "provider": "CPUExecutionProvider", "session_options": session_options()},
                )
            return model, backend
        except Exception as exc:  # noqa: BLE001 - any export failure falls back to torch
            warnings.warn(f"ONNX export failed ({exc!r}); falling back to the torch backend", RuntimeWarning, stacklevel=2)
    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    return model, "torch"

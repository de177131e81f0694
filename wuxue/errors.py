"""Domain errors with stable codes and Chinese messages.

The core raises these; the CLI prints them and the HTTP edge maps ``code`` to a
status. Codes are part of the API contract: never rename one.
"""

from __future__ import annotations


class WuxueError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``message`` is for people (Chinese)."""

    code: str = "internal_error"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, str]:
        data = {"code": self.code, "message": self.message}
        if self.detail:
            data["detail"] = self.detail
        return data


class IngestError(WuxueError):
    """A file could not be turned into a document; ``filename`` names it."""

    code = "ingest_failed"

    def __init__(self, message: str, *, filename: str = "", detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.filename = filename

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        if self.filename:
            data["filename"] = self.filename
        return data


class UnsupportedTypeError(IngestError):
    code = "unsupported_type"


class EncryptedPdfError(IngestError):
    code = "encrypted_pdf"


class NoTextLayerError(IngestError):
    code = "no_text_layer"


class NoTextRecognizedError(IngestError):
    """OCR ran on an image or scan and found no text."""

    code = "no_text_recognized"


class OcrUnavailableError(IngestError):
    """The OCR package is not installed, so a scan cannot be read."""

    code = "ocr_unavailable"


class ToolMissingError(IngestError):
    """A format needs a system tool (antiword for .doc) that is not installed."""

    code = "tool_missing"


class CorruptFileError(IngestError):
    code = "corrupt_file"


class EncodingUnknownError(IngestError):
    code = "encoding_unknown"


class EmptyDocumentError(IngestError):
    code = "empty_document"


class FileTooLargeError(IngestError):
    code = "file_too_large"


class DuplicateDocumentError(IngestError):
    code = "duplicate_document"


class SourceNotFoundError(IngestError):
    code = "file_not_found"


class ManifestError(IngestError):
    code = "invalid_manifest"


class IndexNotReadyError(WuxueError):
    code = "index_not_ready"


class IndexMismatchError(WuxueError):
    code = "index_mismatch"


class UnknownDocumentError(WuxueError):
    code = "unknown_document"


class InvalidQuestionError(WuxueError):
    code = "invalid_question"


class ModelNotFoundError(WuxueError):
    code = "model_not_found"


class ParseTimeoutError(IngestError):
    code = "parse_timeout"


class DataDirNotWritableError(WuxueError):
    """The data directory is read-only, full or not ours: nothing can be stored or indexed."""

    code = "data_dir_not_writable"


def brief(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message: errors never echo unbounded input back."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字符）"

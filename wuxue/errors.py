"""Domain errors with stable codes and Chinese messages.

Every domain error is defined here and nowhere else: the core (and the service's
routers) raise these, the CLI prints them and the HTTP edge maps each CLASS to a
status (``wuxue.service.errors.STATUS``; a test checks every class here is mapped).
Codes are part of the API contract: never rename one.
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


class UnknownChunkError(WuxueError):
    code = "unknown_chunk"


class UnknownQueryError(WuxueError):
    """Feedback names a query id the query log does not hold."""

    code = "unknown_query"


# --- document history ---------------------------------------------------------------------------


class UnknownVersionError(WuxueError):
    code = "unknown_version"


class StillIndexedError(WuxueError):
    code = "still_indexed"


class InvalidKindError(WuxueError):
    """An upload names a document kind the manifest does not know."""

    code = "invalid_kind"


# --- users and login ----------------------------------------------------------------------------


class AuthError(WuxueError):
    code = "unauthorized"


class ForbiddenError(WuxueError):
    code = "forbidden"


class UserExistsError(WuxueError):
    code = "user_exists"


class UnknownUserError(WuxueError):
    code = "unknown_user"


class UnknownRoleError(WuxueError):
    code = "invalid_role"


class WeakPasswordError(WuxueError):
    code = "weak_password"


class TooManyAttemptsError(WuxueError):
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds until the lockout really ends (sent as Retry-After)


# --- jobs ---------------------------------------------------------------------------------------


class UnknownJobError(WuxueError):
    code = "unknown_job"


class QueueFullError(WuxueError):
    code = "queue_full"


# --- quiz ---------------------------------------------------------------------------------------


class InvalidQuizSpecError(WuxueError):
    code = "invalid_quiz_spec"


class UnknownQuizError(WuxueError):
    code = "unknown_quiz"


class UnknownQuizItemError(WuxueError):
    code = "unknown_quiz_item"


class QuizSourceChangedError(WuxueError):
    code = "quiz_source_changed"


class NoReplacementError(WuxueError):
    """No other question can be drawn for an item (the corpus offers nothing new)."""

    code = "no_replacement"


class InvalidQuizEditError(WuxueError):
    code = "invalid_quiz_edit"


class ExportFormatError(WuxueError):
    code = "unknown_export_format"


class AnswerModeError(WuxueError):
    code = "invalid_answers_mode"


def brief(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message: errors never echo unbounded input back."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字符）"

"""What each kind of job carries, typed once for the three places that meet it: the route or upload desk that
enqueues it, the runner's handler that does it, and the catalog and audit that name its document.

The queue stores a payload as JSON (``Job.payload``); ``payload_of`` reads it back as the model of its kind, so a
field renamed in one place fails in every place at once instead of becoming a silent ``KeyError`` at run time.
"""

from __future__ import annotations

from typing import ClassVar, Union

from pydantic import BaseModel, ConfigDict

from wuxue.ingest.manifest import ManifestEntry

ALL_DOCUMENTS = "全部文档"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")  # rows queued by an older release still read
    kind: ClassVar[str]

    def document_id(self) -> str | None:
        """The document the job works on, when it names one."""
        return getattr(self, "doc_id", None)

    def target(self) -> str:
        """How the job's document is named in the audit: its id, or 全部文档."""
        return self.document_id() or ALL_DOCUMENTS


class IngestPayload(_Payload):
    kind: ClassVar[str] = "ingest"
    content_hash: str  # the stored source the job reads
    filename: str
    entry: ManifestEntry  # what the admin typed (title, doc_id chosen at acceptance, kind…)
    note: str = ""

    def document_id(self) -> str | None:
        return self.entry.doc_id

    def target(self) -> str:
        return self.entry.doc_id or self.filename


class UpdateMetadataPayload(_Payload):
    kind: ClassVar[str] = "update_metadata"
    doc_id: str
    changes: dict[str, str]


class RestorePayload(_Payload):
    kind: ClassVar[str] = "restore"
    doc_id: str
    version: int


class RemovePayload(_Payload):
    kind: ClassVar[str] = "remove"
    doc_id: str


class ReindexPayload(_Payload):
    kind: ClassVar[str] = "reindex"
    full: bool = False


JobPayload = Union[IngestPayload, UpdateMetadataPayload, RestorePayload, RemovePayload, ReindexPayload]
PAYLOADS: dict[str, type[_Payload]] = {p.kind: p for p in (IngestPayload, UpdateMetadataPayload, RestorePayload,
                                                          RemovePayload, ReindexPayload)}


def payload_of(job: object) -> JobPayload:
    """A queued job's payload as the model of its kind (``job`` has ``kind`` and ``payload``)."""
    kind, data = getattr(job, "kind"), getattr(job, "payload")
    return PAYLOADS[kind].model_validate(data)  # type: ignore[return-value]


def as_job(payload: JobPayload) -> tuple[str, dict[str, object]]:
    """(kind, JSON-able dict): what the queue stores."""
    return payload.kind, payload.model_dump(mode="json")

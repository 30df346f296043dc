"""Ingest stage: find inputs and read them into raw documents with content-derived ids."""

from storyline.ingest.readers import (
    DEFAULT_MAX_ARTICLE_BYTES,
    InputFile,
    content_id,
    document_from_record,
    expected_documents,
    find_files,
    read_file,
    read_upload,
)

__all__ = ["DEFAULT_MAX_ARTICLE_BYTES", "InputFile", "content_id", "document_from_record", "expected_documents", "find_files", "read_file", "read_upload"]

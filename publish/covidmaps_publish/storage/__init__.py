"""Storage backends of the public release tree (see ``base.py``)."""

from __future__ import annotations

from .base import POINTER_KEY, InvalidKeyError, Storage, blob_key, check_key, release_key

__all__ = ["POINTER_KEY", "InvalidKeyError", "Storage", "blob_key", "check_key", "release_key",
           "open_storage"]


def open_storage(url_or_dir: str, **options: object) -> Storage:
    """A backend from a data directory path or an ``s3://bucket/prefix`` URL."""
    if url_or_dir.startswith("s3://"):
        from .s3 import S3Storage  # written by the S3 backend's owner

        return S3Storage.from_url(url_or_dir, **options)  # type: ignore[no-any-return]
    from .local import LocalStorage

    return LocalStorage(url_or_dir, **options)  # type: ignore[arg-type]

"""The server's document blob store, content-addressed by SHA-256: a private folder, or S3-compatible storage."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from app.fsutil import secure_mkdir, write_atomic

_HEX64 = re.compile(r"[0-9a-f]{64}")


class BlobMissing(LookupError):
    """No blob with that hash is stored."""


class BlobCorrupt(RuntimeError):
    """A stored blob no longer hashes to its name: never serve it."""


def _checked_name(sha256: str) -> str:
    # The name becomes a path or an object key: only a hash, nothing that could climb out of the store.
    if not _HEX64.fullmatch(sha256):
        raise ValueError("a blob is named by a lower-case SHA-256")
    return sha256


def _verified(sha256: str, data: bytes) -> bytes:
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256):
        raise BlobCorrupt(sha256)
    return data


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...


class FolderBlobStore:
    """Blobs as files ``<root>/<ab>/<sha256>``: each 0600 in 0700 folders, written atomically."""

    def __init__(self, root: str | Path):
        self.root = secure_mkdir(Path(root))

    def _path(self, sha256: str) -> Path:
        name = _checked_name(sha256)
        return self.root / name[:2] / name

    def put(self, sha256: str, data: bytes) -> None:
        _verified(sha256, data)
        path = self._path(sha256)
        if path.exists():
            return  # same name, same bytes: content-addressed
        secure_mkdir(path.parent)
        write_atomic(path, data)

    def get(self, sha256: str) -> bytes:
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError as err:
            raise BlobMissing(sha256) from err
        return _verified(sha256, data)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()


class S3BlobStore:
    """Blobs as objects ``<prefix><sha256>`` in one bucket of S3-compatible storage (boto3).

    Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile,
    an instance role): never from the server's own settings file.
    """

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 client=None):
        if client is None:
            import boto3  # the server extra; only needed when S3 is configured

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region or "us-east-1")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, sha256: str) -> str:
        return self.prefix + _checked_name(sha256)

    def put(self, sha256: str, data: bytes) -> None:
        _verified(sha256, data)
        # The SHA-256 travels with the object, so the storage checks the bytes it keeps.
        self.client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=data,
                               ChecksumAlgorithm="SHA256", ContentType="application/octet-stream")

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise BlobMissing(sha256) from err
            raise
        return _verified(sha256, response["Body"].read())

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True


def blob_store(data_dir: Path, blob_url: str | None, *, s3_endpoint_url: str | None = None) -> BlobStore:
    """The store the settings name: ``None`` is the folder ``<data_dir>/blobs``; ``s3://bucket/prefix`` is S3."""
    if not blob_url:
        return FolderBlobStore(Path(data_dir) / "blobs")
    parsed = urlparse(blob_url)
    if parsed.scheme == "s3" and parsed.netloc:
        prefix = parsed.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return S3BlobStore(parsed.netloc, prefix=prefix, endpoint_url=s3_endpoint_url)
    if parsed.scheme in ("", "file"):
        return FolderBlobStore(Path(parsed.path))
    raise ValueError("blob storage must be a folder or s3://bucket/prefix")

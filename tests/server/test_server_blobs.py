"""The document blob store: content-addressed, private folder by default, S3 against a local moto_server."""

from __future__ import annotations

import hashlib
import os
import stat

import boto3
import pytest

from app.server.blobs import BlobCorrupt, BlobMissing, FolderBlobStore, S3BlobStore, blob_store
from tests.fakes.s3_server import moto_s3

DATA = b"%PDF-1.4\n" + os.urandom(3000) + b"\n%%EOF\n"
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="module")
def s3_endpoint():
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    with moto_s3() as url:
        yield url


@pytest.fixture
def s3_store(s3_endpoint, request):
    bucket = "usulkan-" + hashlib.sha256(request.node.name.encode()).hexdigest()[:12]
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    return blob_store("/nonexistent", f"s3://{bucket}/documents", s3_endpoint_url=s3_endpoint)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_folder_store_is_private_and_content_addressed(tmp_path):
    old = os.umask(0o022)
    try:
        store = blob_store(tmp_path, None)
        store.put(SHA, DATA)
    finally:
        os.umask(old)
    path = tmp_path / "blobs" / SHA[:2] / SHA
    assert path.read_bytes() == DATA
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(tmp_path / "blobs") == 0o700
    assert store.get(SHA) == DATA and store.exists(SHA)
    store.put(SHA, DATA)  # the same again is a no-op


def test_folder_store_refuses_bytes_under_another_name_and_detects_rot(tmp_path):
    store = FolderBlobStore(tmp_path / "b")
    with pytest.raises(BlobCorrupt):
        store.put("0" * 64, DATA)
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
    store.put(SHA, DATA)
    (tmp_path / "b" / SHA[:2] / SHA).write_bytes(DATA + b"!")
    with pytest.raises(BlobCorrupt):
        store.get(SHA)
    with pytest.raises(BlobMissing):
        store.get("1" * 64)
    assert not store.exists("1" * 64)


def test_s3_store_round_trip_against_a_real_s3_api(s3_store, s3_endpoint):
    assert isinstance(s3_store, S3BlobStore)
    assert not s3_store.exists(SHA)
    s3_store.put(SHA, DATA)
    assert s3_store.exists(SHA)
    assert s3_store.get(SHA) == DATA
    # Really in the bucket, under the prefix, named by the hash.
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]]
    assert keys == [f"documents/{SHA}"]
    with pytest.raises(BlobMissing):
        s3_store.get("2" * 64)
    with pytest.raises(BlobCorrupt):
        s3_store.put("3" * 64, DATA)


def test_s3_store_detects_an_object_changed_behind_its_back(s3_store, s3_endpoint):
    s3_store.put(SHA, DATA)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.put_object(Bucket=s3_store.bucket, Key=f"documents/{SHA}", Body=b"changed")
    with pytest.raises(BlobCorrupt):
        s3_store.get(SHA)


def test_unknown_blob_url_is_refused(tmp_path):
    with pytest.raises(ValueError):
        blob_store(tmp_path, "ftp://example/blobs")


def test_the_blob_store_is_chosen_by_the_environment(monkeypatch, tmp_path):
    from app.server.config import Settings

    monkeypatch.setenv("USULKAN_SERVER_BLOB_URL", "s3://dinsos-docs/usulkan")
    monkeypatch.setenv("USULKAN_SERVER_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    settings = Settings.from_env(data_dir=tmp_path)
    assert (settings.blob_url, settings.s3_endpoint_url) == ("s3://dinsos-docs/usulkan", "http://127.0.0.1:9000")
    monkeypatch.delenv("USULKAN_SERVER_BLOB_URL")
    assert isinstance(blob_store(tmp_path, Settings.from_env(data_dir=tmp_path).blob_url), FolderBlobStore)

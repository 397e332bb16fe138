"""The whole document path with blobs in S3-compatible storage (a local moto_server): upload, then the console."""

from __future__ import annotations

import hashlib
import os
import uuid

import boto3
import pytest
from fastapi.testclient import TestClient

from app.server.app import create_app
from app.server.blobs import S3BlobStore
from app.server.config import Settings
from app.server.context import open_server
from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.documents import ref_for, seal_document, with_documents
from bench.server_world import NOW, enrol, nik, proposal
from console_helpers import signed_in, staff
from tests.fakes.s3_server import moto_s3

PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(200_000) + b"\xff\xd9"


@pytest.fixture
def s3_ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with moto_s3() as endpoint:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="dinsos-docs")
        ctx = open_server(Settings(data_dir=tmp_path / "server", blob_url="s3://dinsos-docs/usulkan",
                                   s3_endpoint_url=endpoint), clock=lambda: NOW)
        yield ctx, endpoint
        ctx.close()


def test_an_uploaded_document_lands_in_the_bucket_and_the_console_serves_it(s3_ctx):
    ctx, endpoint = s3_ctx
    assert isinstance(ctx.blobs, S3BlobStore)
    kel = enrol(ctx, "a")
    ref = ref_for(PHOTO, kind="house_photo", media_type="image/jpeg")
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", route="muskel",
                            payload=with_documents(proposal(nik(1), 1), [ref]))
    client = TestClient(create_app(context=ctx))
    assert client.post("/v1/batches", content=kel.batch([item])[0],
                       headers={"Content-Type": "application/octet-stream"}).status_code == 200
    sealed = seal_document(PHOTO, ref, keys.public_bytes(ctx.keys.x25519.public_key()), office_id=kel.office_id)
    answer = client.put(f"/v1/offices/{kel.office_id}/documents/{ref.sha256}", content=sealed,
                        headers={"Authorization": f"Bearer {kel.feed_token}",
                                 "Content-Range": f"bytes 0-{len(sealed) - 1}/{len(sealed)}"})
    assert answer.status_code == 200 and answer.json()["stored"] is True
    body = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").get_object(
        Bucket="dinsos-docs", Key=f"usulkan/{ref.sha256}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == ref.sha256
    assert not (ctx.settings.data_dir / "blobs").exists()  # nothing in the folder backend
    staff(ctx, "vera", "verifier")
    assert signed_in(ctx, "vera").get(f"/console/items/{item.item_id}/documents/{ref.sha256}").content == PHOTO

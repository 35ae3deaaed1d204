"""A local S3-compatible server for the object-storage tests: moto's standalone server, started once per test
session on a free loopback port, and a fixture that points the product's file storage at a fresh bucket on it
(or leaves the local folder, for the same test run both ways)."""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request in every failure report
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    """The bucket the storage writes to, read with a client of its own (not through the product)."""

    name: str
    client: object

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def s3_options(endpoint: str, bucket: str) -> dict:
    """The STORAGES["default"] that lbpb.settings builds from STORAGE_S3_* for this server."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            **CREDENTIALS,
            "location": "",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": "path",
        },
    }


@pytest.fixture(params=["local", "s3"])
def file_storage(request, settings, tmp_path):
    """The product's file storage for one test: the local folder, then a fresh bucket on the moto server.
    Returns the Bucket, or None for the local folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "local":
        return None
    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    name = f"lbpb-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": s3_options(endpoint, name)}
    return Bucket(name, client)


def local_files(root) -> list[str]:
    """Files left on the local folder (scratch folders may stay, empty)."""
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []

"""A data export written to a scratch file, stored on the local folder or uploaded to S3-compatible object storage
(moto's standalone server, tests/s3.py), and downloaded as a stream of the stored bytes."""

import hashlib

import pytest
from django.urls import reverse

from exports import services
from exports.models import DataExport
from tests.s3 import local_files

pytestmark = pytest.mark.django_db


def test_an_export_file_is_stored_then_downloaded_from_the_file_storage(file_storage, lbpb, persona, client, settings):
    user = persona("data_manager")
    export = DataExport.objects.create(study=lbpb, requested_by=user, format="parquet", all_sites=True)
    export = services.export_run(export_id=export.pk)
    assert export.status == "done", export.error
    client.force_login(user)
    response = client.get(reverse("exports:export-download", args=[export.pk]))
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert body[:4] == b"PAR1" and len(body) == export.file_size == int(response["Content-Length"])
    assert hashlib.sha256(body).hexdigest() == export.sha256
    if file_storage is None:
        assert local_files(settings.MEDIA_ROOT) == [export.file_path]
    else:
        assert file_storage.keys() == [export.file_path] and file_storage.read(export.file_path) == body
        assert local_files(settings.MEDIA_ROOT) == []  # the scratch file went once uploaded
    services.exports_expire(now=export.expires_at.replace(year=export.expires_at.year + 1))
    assert file_storage is None or file_storage.keys() == []
    assert local_files(settings.MEDIA_ROOT) == []

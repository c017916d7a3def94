"""Issue 14, item 5: photos and signatures live in an image store (a folder, or an S3-compatible object
store), the database keeps each image's key and size. The S3 store is tested against moto's S3 server
started on this machine (`moto_server`, requirements-dev.txt)."""

import hashlib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Payment
from kotaku_pwa.storage import BucketStore, FolderStore, Missing, open_store

from .conftest import Auth
from .factories import make_user
from .test_payments import ksm_named, payment, worker_of

CREDENTIALS = {
    "aws_access_key_id": "kotaku-test",
    "aws_secret_access_key": "kotaku-test",
    "region_name": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 in server mode on a free port of this machine, for the whole session."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    """A new bucket of the S3 server, and a store on it (credentials from the environment, as in use)."""
    for name, value in (("AWS_ACCESS_KEY_ID", "kotaku-test"), ("AWS_SECRET_ACCESS_KEY", "kotaku-test")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"kotaku-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS).create_bucket(Bucket=name)
    return open_store(f"s3://{name}/gambar", s3_endpoint)


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    return (
        FolderStore(tmp_path / "images") if request.param == "folder" else request.getfixturevalue("bucket")
    )


def test_a_store_keeps_bytes_under_their_sha256(store):
    data = b"\x89PNG\r\n\x1a\n" + b"tanda tangan"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.get(key) == data
    assert store.exists(key)
    assert store.put(data) == key  # a resend: the same key, one object
    assert store.sizes() == {key: len(data)}
    other = store.put(b"\xff\xd8\xff" + b"foto")
    assert set(store.sizes()) == {key, other}
    store.delete(key)
    assert not store.exists(key) and set(store.sizes()) == {other}


def test_a_missing_or_damaged_object_is_never_returned(store):
    absent = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(Missing):
        store.get(absent)
    assert not store.exists(absent)
    key = store.put(b"asli")
    if isinstance(store, FolderStore):
        (store.root / key[:2] / key).write_bytes(b"rusak")
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + f"{key[:2]}/{key}", Body=b"rusak")
    with pytest.raises(Missing):
        store.get(key)  # bytes that no longer match their key
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")  # a key is 64 hex digits, never a path


def test_the_configuration_names_the_store(tmp_path, s3_endpoint):
    assert isinstance(open_store(str(tmp_path)), FolderStore)
    bucket = open_store("s3://kotaku-gambar/produksi/", s3_endpoint)
    assert isinstance(bucket, BucketStore)
    assert (bucket.bucket, bucket.prefix) == ("kotaku-gambar", "produksi/")
    assert open_store("s3://kotaku-gambar", s3_endpoint).prefix == ""


@pytest.fixture(params=["folder", "s3"])
def app_store(request, app, monkeypatch):
    """The app's image store: its folder, or a bucket of the S3 server."""
    if request.param == "s3":
        monkeypatch.setitem(app.extensions, "image_store", request.getfixturevalue("bucket"))
    return app.extensions["image_store"]


def test_a_synced_signature_is_in_the_store_and_the_row_keeps_key_and_size(
    app_store, demo, auth, client, app
):
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    record = payment(ksm, worker_of(ksm, "Baiq Fitriani"))
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "created"
    row = db.session.get(Payment, result["id"])
    image = app_store.get(row.signature_key)
    assert image.startswith(b"\x89PNG")
    assert (row.signature_key, row.signature_size) == (hashlib.sha256(image).hexdigest(), len(image))
    assert row.photo_key is None and row.photo_size is None
    assert app_store.sizes()[row.signature_key] == len(image)

    url = f"/payments/payment/{row.id}/signature.png"
    served = client.get(url)
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", image)
    assert served.headers["ETag"] == f'"{row.signature_key}"'
    assert client.get(url, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    # The same record again (a lost reply) is a duplicate: no second row.
    assert auth.sync([record]).get_json()["results"][0]["status"] == "duplicate"
    assert _rows(record) == 1

    # Scope: a treasurer of another KSM gets a 404, as if there were no such payment.
    other = make_user("bendahara", username="bendahara-pagutan", ksm=ksm_named("KSM Pagutan 1"))
    db.session.commit()
    stranger = app.test_client()
    Auth(stranger).login(other.username, "rahasia-uji-123")
    assert stranger.get(url).status_code == 404


def test_a_store_that_fails_leaves_no_row_and_the_resend_is_stored_once(demo, auth, app, monkeypatch):
    """Exactly once: the image is put before the row is written; when the put fails the batch fails
    whole (the phone keeps the record and sends it again), and the resend is stored once."""
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    record = payment(ksm, worker_of(ksm, "Baiq Fitriani"))
    store = app.extensions["image_store"]

    def unreachable(data):
        raise ConnectionError("object store unreachable")

    monkeypatch.setattr(store, "put", unreachable)
    failed = auth.sync([record])
    assert failed.status_code == 500
    assert _rows(record) == 0
    monkeypatch.undo()
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "created"
    row = db.session.get(Payment, result["id"])
    assert store.exists(row.signature_key)
    assert _rows(record) == 1


def _rows(record):
    return db.session.scalar(db.select(db.func.count()).select_from(Payment).filter_by(uuid=record["uuid"]))


def test_a_row_whose_image_is_gone_answers_404_and_is_logged(demo, auth, client, app, caplog):
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    signature = _unique_png()  # the session's store is shared: delete nothing another test holds
    [result] = auth.sync([payment(ksm, worker_of(ksm, "Baiq Fitriani"), signature=signature)]).get_json()[
        "results"
    ]
    row = db.session.get(Payment, result["id"])
    app.extensions["image_store"].delete(row.signature_key)
    assert client.get(f"/payments/payment/{row.id}/signature.png").status_code == 404
    assert "flask images check" in caplog.text


def _unique_png():
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("L", (8, 1), uuid.uuid4().bytes[:8]).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_images_check_finds_every_key_or_names_the_missing(app_store, demo, auth, app):
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    record = payment(ksm, worker_of(ksm, "Baiq Fitriani"), signature=_unique_png())
    [result] = auth.sync([record]).get_json()["results"]
    key = db.session.get(Payment, result["id"]).signature_key
    runner = app.test_cli_runner()
    passed = runner.invoke(args=["images", "check"])
    assert passed.exit_code == 0, passed.output
    assert "Semua gambar yang disebut basis data ada di penyimpanan." in passed.output
    image = app_store.get(key)
    app_store.delete(key)
    failed = runner.invoke(args=["images", "check"])
    assert failed.exit_code == 1 and f"HILANG: {key}" in failed.output
    app_store.put(image)  # restored from a backup
    assert runner.invoke(args=["images", "check"]).exit_code == 0

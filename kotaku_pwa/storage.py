"""Photos and signatures, kept out of the database behind one interface (docs/architecture.md, "Images").

A store holds bytes under a key that is their SHA-256: `put(bytes) -> key`, `get(key) -> bytes`,
`exists(key)`, `delete(key)`, and `sizes()` (every object, for `flask images check`). Two stores:
a folder (the default, `instance/images`) and any S3-compatible object store (`KOTAKU_IMAGE_STORE=
s3://bucket/prefix`, README "Configuration"). Both name an object `ab/abcdef…` (its key under a folder of
its first two characters), so a folder copied into a bucket, or a bucket into a folder, is a store.

The database keeps each image's key and size in two columns (`signature_key`, `signature_size`...).
Exactly once: a record kind puts its image while it builds the row (`stored`), before the batch's
INSERT and commit, so a committed row never names a missing object. A batch rolled back leaves its
images behind as unreferenced objects: harmless, since the same bytes get the same key, a resend
finds them already there, and nothing else can take their name.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

import click
from flask import Response, abort, current_app, request

from .images import mimetype_of

KEY = re.compile(r"[0-9a-f]{64}")
# An image never changes under its key: a browser may keep it; `private`, as it is a worker's.
CACHE = {"Cache-Control": "private, max-age=86400"}


class Missing(LookupError):
    """No intact object under this key (never stored, deleted, or its bytes no longer match it)."""


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def name_of(key: str) -> str:
    """The object's name in a folder or a bucket: `ab/abcdef…` (256 folders, not one of millions)."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"not an image key: {key!r}")
    return f"{key[:2]}/{key}"


def _intact(key, data):
    if key_of(data) != key:
        raise Missing(f"{key}: the stored bytes do not match their key")
    return data


class FolderStore:
    """Images as files under one folder: written to a temporary file, flushed to disk, then renamed,
    so a file under its final name is always whole."""

    def __init__(self, root):
        self.root = Path(root)

    def __repr__(self):
        return f"<FolderStore {self.root}>"

    def put(self, data: bytes) -> str:
        key = key_of(data)
        path = self.root / name_of(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        # The file and its name on disk before the row naming it can commit (a few ms an image).
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return key

    def get(self, key: str) -> bytes:
        try:
            return _intact(key, (self.root / name_of(key)).read_bytes())
        except FileNotFoundError:
            raise Missing(key) from None

    def exists(self, key: str) -> bool:
        return (self.root / name_of(key)).is_file()

    def delete(self, key: str) -> None:
        (self.root / name_of(key)).unlink(missing_ok=True)

    def sizes(self) -> dict[str, int]:
        """{key: size} of every object in the store."""
        return {
            path.name: path.stat().st_size
            for path in self.root.glob("??/*")
            if KEY.fullmatch(path.name) and path.parent.name == path.name[:2]
        }


class BucketStore:
    """Images as objects of an S3-compatible store (AWS S3, MinIO, SeaweedFS, Ceph, a cloud's own).

    Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the
    service's environment, or the machine's role), never from the app's configuration. Checksums are
    sent only where S3 requires them (several S3-compatible stores refuse the newer ones): `get`
    checks every object against its key anyway."""

    def __init__(self, bucket, prefix="", endpoint_url=None, client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or _s3_client(endpoint_url)

    def __repr__(self):
        return f"<BucketStore s3://{self.bucket}/{self.prefix}>"

    def put(self, data: bytes) -> str:
        key = key_of(data)  # a second put of the same bytes writes the same object again: harmless
        kind = mimetype_of(data)
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=kind)
        return key

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise Missing(key) from None
        return _intact(key, answer["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def sizes(self) -> dict[str, int]:
        found = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        ):
            for item in page.get("Contents", []):
                key = item["Key"].rsplit("/", 1)[-1]
                if KEY.fullmatch(key) and item["Key"] == self._name(key):
                    found[key] = item["Size"]
        return found

    def _name(self, key):
        return self.prefix + name_of(key)


def _s3_client(endpoint_url):
    import boto3
    from botocore.config import Config

    config = Config(
        # Another server than AWS: bucket names in the path, not the host name (MinIO, SeaweedFS).
        s3={"addressing_style": "path"} if endpoint_url else {},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
    )
    return boto3.client("s3", endpoint_url=endpoint_url or None, config=config)


def open_store(location: str, endpoint_url=None):
    """The store a configuration names: `s3://bucket/prefix`, or a folder."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return BucketStore(bucket, prefix, endpoint_url)
    return FolderStore(location)


def init_app(app):
    app.extensions["image_store"] = open_store(app.config["IMAGE_STORE"], app.config["S3_ENDPOINT_URL"])


def store():
    """The app's image store."""
    return current_app.extensions["image_store"]


def stored(name: str, data: bytes | None) -> dict:
    """The columns `<name>_key` and `<name>_size` of a new row for an image (None, None without one),
    the image put in the store first: a row never names an object that is not there."""
    if data is None:
        return {f"{name}_key": None, f"{name}_size": None}
    return {f"{name}_key": store().put(data), f"{name}_size": len(data)}


def answer(key: str, make=None, variant: str = "") -> Response:
    """The image under `key` (or what `make(key)` makes of it: a thumbnail) as an HTTP answer. Its
    ETag is the key, as the bytes under a key never change: a phone that holds it gets a 304 and
    nothing is read from the store."""
    etag = key + variant
    if etag in request.if_none_match:
        response = Response(status=304, headers=CACHE)
        response.set_etag(etag)
        return response
    try:
        data = make(key) if make else store().get(key)
    except Missing as missing:
        current_app.logger.error(
            "image missing from the store %r: %s (run `flask images check`)", store(), missing
        )
        abort(404)
    if data is None:
        abort(404)
    response = Response(data, mimetype=mimetype_of(data), headers=CACHE)
    response.set_etag(etag)
    return response


def columns():
    """(table, image name) of every image a row keeps, in its columns `<name>_key` and `<name>_size`."""
    from .models import Meeting, Payment, ProgressReport, Spending

    return [
        (Payment, "signature"),
        (Payment, "photo"),
        (Spending, "receipt_photo"),
        (Meeting, "photo"),
        (ProgressReport, "photo"),
    ]


def referenced() -> dict[str, int]:
    """{key: size} of every image a row of the database names."""
    from . import db

    found = {}
    for model, name in columns():
        key, size = getattr(model, f"{name}_key"), getattr(model, f"{name}_size")
        found.update(db.session.execute(db.select(key, size).where(key.isnot(None))).all())
    return found


@click.group("images")
def images_cli():
    """Photos and signatures in the image store."""


@images_cli.command("check")
def check_command():
    """Every image the database names is in the store, whole (exit 1 otherwise)."""
    wanted, held = referenced(), store().sizes()
    missing = sorted(key for key in wanted if key not in held)
    damaged = sorted(key for key in wanted if key in held and held[key] != wanted[key])
    unreferenced = len(set(held) - set(wanted))
    click.echo(
        f"Penyimpanan gambar {store()!r}: {len(held)} objek; basis data menyebut {len(wanted)} gambar."
    )
    if unreferenced:
        click.echo(f"{unreferenced} objek tidak disebut basis data (batch yang dibatalkan; tidak berbahaya).")
    for key in missing[:20]:
        click.echo(f"HILANG: {key}")
    for key in damaged[:20]:
        click.echo(f"UKURAN BERBEDA: {key}")
    if missing or damaged:
        raise click.ClickException(f"{len(missing)} gambar hilang, {len(damaged)} gambar berbeda ukurannya.")
    click.echo("Semua gambar yang disebut basis data ada di penyimpanan.")

"""images out of the database: each image's key and size, the images moved to the image store

Revision ID: 8d3c1f5a2b64
Revises: 7fd9ddcd0dcd
Create Date: 2026-12-02 02:30:00.000000

The BLOB columns become `<name>_key` (the SHA-256 of the bytes, their name in the store) and
`<name>_size`; every image is put in the app's image store (KOTAKU_IMAGE_STORE, kotaku_pwa/storage.py)
before its row names it. Meeting versions kept by corrections (record_version) held the photo as
base64 in their JSON: they name it by key too. Columns are added and dropped in place (ALTER TABLE
... DROP COLUMN, SQLite 3.35 and later), not by rebuilding the tables: a rebuild drops the old table,
and with foreign keys on, SQLite would cascade that to a meeting's attendance list. The downgrade
puts the images back in the database; the store keeps its objects (an upgrade again finds them there).
"""
import base64

import sqlalchemy as sa
from alembic import op

from kotaku_pwa.dashboard.rollups import drop_triggers, install_triggers
from kotaku_pwa.storage import store

# revision identifiers, used by Alembic.
revision = '8d3c1f5a2b64'
down_revision = '7fd9ddcd0dcd'
branch_labels = None
depends_on = None

# (table, image name): the BLOB column `<name>`, and its columns `<name>_key` and `<name>_size` after.
IMAGES = [
    ("payment", "signature"),
    ("payment", "photo"),
    ("spending", "receipt_photo"),
    ("meeting", "photo"),
    ("progress_report", "photo"),
]
ROWS_AT_ONCE = 100  # photos are up to 200 KB: a few tens of MB in memory at most


def upgrade():
    bind = op.get_bind()
    # The rollup triggers name payment.signature and payment.photo: set up again, naming the keys.
    drop_triggers(bind)
    for table, name in IMAGES:
        op.add_column(table, sa.Column(f"{name}_key", sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column(f"{name}_size", sa.Integer(), nullable=True))
        _move(bind, table, name, out=True)
        op.drop_column(table, name)
    _meeting_versions(bind, out=True)
    install_triggers(bind)


def downgrade():
    bind = op.get_bind()
    drop_triggers(bind)
    _meeting_versions(bind, out=False)
    for table, name in reversed(IMAGES):
        op.add_column(table, sa.Column(name, sa.LargeBinary(), nullable=True))
        _move(bind, table, name, out=False)
        op.drop_column(table, f"{name}_size")
        op.drop_column(table, f"{name}_key")
    install_triggers(bind)


def _move(bind, table, name, out):
    """Each image of the column to the store (out) or back into the row, a few rows at a time."""
    key, size = f"{name}_key", f"{name}_size"
    t = sa.table(table, sa.column("id"), sa.column(name, sa.LargeBinary), sa.column(key), sa.column(size))
    source = t.c[name] if out else t.c[key]
    values = {key: sa.bindparam("key"), size: sa.bindparam("size")} if out else {name: sa.bindparam("data")}
    change = t.update().where(t.c.id == sa.bindparam("row_id")).values(values)
    last = 0
    while True:
        rows = bind.execute(
            sa.select(t.c.id, source)
            .where(source.isnot(None), t.c.id > last)
            .order_by(t.c.id)
            .limit(ROWS_AT_ONCE)
        ).all()
        if not rows:
            return
        if out:
            params = [{"row_id": i, "key": store().put(bytes(v)), "size": len(v)} for i, v in rows]
        else:
            params = [{"row_id": i, "data": store().get(v)} for i, v in rows]
        bind.execute(change, params)
        last = rows[-1][0]


def _meeting_versions(bind, out):
    """The photo of each superseded meeting version: base64 in its JSON ↔ a key in the store."""
    versions = sa.table("record_version", sa.column("id"), sa.column("kind"), sa.column("data", sa.JSON))
    for version_id, data in bind.execute(
        sa.select(versions.c.id, versions.c.data).where(versions.c.kind == "meeting")
    ).all():
        if out and "photo" in data:
            photo = data.pop("photo")
            image = base64.b64decode(photo) if photo else None
            data["photo_key"] = store().put(image) if image else None
            data["photo_size"] = len(image) if image else None
        elif not out and "photo_key" in data:
            key = data.pop("photo_key")
            data.pop("photo_size", None)
            data["photo"] = base64.b64encode(store().get(key)).decode() if key else None
        else:
            continue
        bind.execute(versions.update().where(versions.c.id == version_id).values(data=data))

"""page_version: how many transactions wrote to each kota's data, for the pages a process remembers

Revision ID: 3b7e9c2d4a10
Revises: fb6dc07fa896
Create Date: 2026-12-03 13:30:00.000000

One counter per kota, and kota_id 0 for writes of no one kota (kotaku_pwa/remembered_pages.py). The
table starts empty: a missing counter counts as 0, and the first write adds it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e9c2d4a10'
down_revision = 'fb6dc07fa896'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_version',
    sa.Column('kota_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('kota_id', name=op.f('pk_page_version'))
    )


def downgrade():
    op.drop_table('page_version')

"""overpaid_period, hok_period and ksm_workers rollups (kelebihan bayar per worker and pay period;
HOK per KSM pay period; workers and women per KSM) for the dashboard at a national season

Revision ID: fb6dc07fa896
Revises: 8d3c1f5a2b64
Create Date: 2026-12-02 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fb6dc07fa896'
down_revision = '8d3c1f5a2b64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hok_period',
    sa.Column('ksm_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ksm_id'], ['ksm.id'], name=op.f('fk_hok_period_ksm_id_ksm')),
    sa.PrimaryKeyConstraint('ksm_id', 'period_start', 'category', name=op.f('pk_hok_period'))
    )
    op.create_table('ksm_workers',
    sa.Column('ksm_id', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('women', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ksm_id'], ['ksm.id'], name=op.f('fk_ksm_workers_ksm_id_ksm')),
    sa.PrimaryKeyConstraint('ksm_id', name=op.f('pk_ksm_workers'))
    )
    op.create_table('overpaid_period',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('ksm_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ksm_id'], ['ksm.id'], name=op.f('fk_overpaid_period_ksm_id_ksm')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], name=op.f('fk_overpaid_period_worker_id_worker')),
    sa.PrimaryKeyConstraint('worker_id', 'period_start', 'period_end', name=op.f('pk_overpaid_period'))
    )
    # The rollups start as a recount of what is stored; the triggers that keep them are installed by
    # migrations/env.py once every migration has run (dashboard/rollups.py).
    length = "CASE k.pay_period WHEN 'daily' THEN 1 WHEN 'weekly' THEN 7 WHEN 'biweekly' THEN 14 ELSE 7 END"
    if op.get_bind().dialect.name == "sqlite":
        days = "CAST(julianday(h.work_date) - julianday(k.start_date) AS INTEGER)"
        start = f"date(k.start_date, printf('%+d days', {days} / {length} * {length}))"
    else:
        start = f"k.start_date + (h.work_date - k.start_date) / {length} * {length}"
    op.execute(
        "INSERT INTO hok_period (ksm_id, period_start, category, present) "
        f"SELECT h.ksm_id, {start}, h.category, sum(h.present) FROM hok_daily h JOIN ksm k ON k.id = h.ksm_id "
        f"GROUP BY h.ksm_id, {start}, h.category"
    )
    op.execute(
        "INSERT INTO ksm_workers (ksm_id, workers, women) "
        "SELECT ksm_id, count(*), sum(CASE WHEN gender = 'P' THEN 1 ELSE 0 END) FROM worker GROUP BY ksm_id"
    )
    op.execute(
        "INSERT INTO overpaid_period (ksm_id, worker_id, period_start, period_end, amount) SELECT * FROM ("
        "SELECT p.ksm_id, p.worker_id, p.period_start, p.period_end, sum(p.amount) - max(p.daily_rate) * ("
        "SELECT count(*) FROM attendance a WHERE a.worker_id = p.worker_id AND a.present "
        "AND a.work_date BETWEEN p.period_start AND p.period_end) AS amount FROM payment p "
        "WHERE NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = p.id) "
        "GROUP BY p.ksm_id, p.worker_id, p.period_start, p.period_end) o WHERE o.amount > 0"
    )


def downgrade():
    from kotaku_pwa.dashboard.rollups import drop_triggers, install_triggers

    drop_triggers(op.get_bind())
    op.drop_table('overpaid_period')
    op.drop_table('ksm_workers')
    op.drop_table('hok_period')
    install_triggers(op.get_bind())  # the rollups that remain

"""Announcement channels and their outbox: one row per channel, round and event

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'channel',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=300), nullable=False),
        sa.Column('chat_id', sa.String(length=100), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tested_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('test_error', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('telegram', 'discord', 'slack', 'webhook')", name=op.f('ck_channel_known_kind')),
        sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_channel_series_id_series'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel')),
    )
    op.create_index(op.f('ix_channel_series_id'), 'channel', ['series_id'], unique=False)
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=20), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('delivery_id', sa.String(length=36), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_announcement_channel_id_channel'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_announcement_round_id_round'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
        sa.UniqueConstraint('channel_id', 'round_id', 'event', name=op.f('uq_announcement_channel_id')),
        sa.UniqueConstraint('delivery_id', name=op.f('uq_announcement_delivery_id')),
    )
    op.create_index(op.f('ix_announcement_due_at'), 'announcement', ['due_at'], unique=False)
    op.create_index(op.f('ix_announcement_round_id'), 'announcement', ['round_id'], unique=False)


def downgrade():
    op.drop_table('announcement')
    op.drop_table('channel')

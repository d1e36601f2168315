"""stories, near-duplicates and merged events

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSONT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('stories',
    sa.Column('story_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('n_docs', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('story_id')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_first_day'), ['first_day'], unique=False)

    op.create_table('merged_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plover_type', sa.String(length=32), nullable=True),
    sa.Column('acled_event_type', sa.String(length=128), nullable=True),
    sa.Column('acled_sub_event_type', sa.String(length=128), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('date_value', sa.String(length=32), nullable=True),
    sa.Column('location_name', sa.Text(), nullable=True),
    sa.Column('geonameid', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('admin1', sa.String(length=16), nullable=True),
    sa.Column('actor1', sa.Text(), nullable=True),
    sa.Column('actor2', sa.Text(), nullable=True),
    sa.Column('dead', sa.Integer(), nullable=True),
    sa.Column('injured', sa.Integer(), nullable=True),
    sa.Column('arrested', sa.Integer(), nullable=True),
    sa.Column('source_count', sa.Integer(), nullable=False),
    sa.Column('outlets', JSONT, nullable=False),
    sa.Column('disagreements', JSONT, nullable=False),
    sa.Column('story_id', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('merged_events', schema=None) as batch_op:
        batch_op.create_index('ix_merged_type_date', ['plover_type', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_merged_events_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_merged_events_story_id'), ['story_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('minhash', sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_story_id'), ['story_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_merged_event_id'), ['merged_event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_merged_event_id'))
        batch_op.drop_column('merged_event_id')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_story_id'))
        batch_op.drop_column('minhash')
        batch_op.drop_column('duplicate_of')
        batch_op.drop_column('story_id')
    op.drop_table('merged_events')
    op.drop_table('stories')

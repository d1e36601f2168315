"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2024-12-10
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('doc_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('outlet', sa.String(length=255), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published', sa.String(length=64), nullable=True),
    sa.Column('published_date', sa.Date(), nullable=True),
    sa.Column('pipeline_version', sa.String(length=64), nullable=True),
    sa.Column('text_norm', sa.Text(), nullable=False),
    sa.Column('record', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_hash'),
    sa.UniqueConstraint('doc_id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_published_date'), ['published_date'], unique=False)

    op.create_table('ingest_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=255), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('doc_id', 'error', name='uq_ingest_errors_doc_error')
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('machine_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('plover_type', sa.String(length=32), nullable=True),
    sa.Column('plover_mode', sa.String(length=64), nullable=True),
    sa.Column('acled_event_type', sa.String(length=128), nullable=True),
    sa.Column('acled_sub_event_type', sa.String(length=128), nullable=True),
    sa.Column('disorder_type', sa.String(length=128), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('date_value', sa.String(length=32), nullable=True),
    sa.Column('time_precision', sa.Integer(), nullable=True),
    sa.Column('location_name', sa.Text(), nullable=True),
    sa.Column('geonameid', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('admin1', sa.String(length=16), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('geo_precision', sa.Integer(), nullable=True),
    sa.Column('actor1', sa.Text(), nullable=True),
    sa.Column('actor1_country', sa.String(length=8), nullable=True),
    sa.Column('actor1_sector', sa.String(length=16), nullable=True),
    sa.Column('actor2', sa.Text(), nullable=True),
    sa.Column('actor2_country', sa.String(length=8), nullable=True),
    sa.Column('actor2_sector', sa.String(length=16), nullable=True),
    sa.Column('actors_search', sa.Text(), nullable=False),
    sa.Column('dead', sa.Integer(), nullable=True),
    sa.Column('injured', sa.Integer(), nullable=True),
    sa.Column('arrested', sa.Integer(), nullable=True),
    sa.Column('anchor_quote', sa.Text(), nullable=True),
    sa.Column('anchor_norm', sa.Text(), nullable=False),
    sa.Column('anchor_start', sa.Integer(), nullable=True),
    sa.Column('anchor_end', sa.Integer(), nullable=True),
    sa.Column('sentence_index', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('machine_record', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('record', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('pipeline_version', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_acled_date', ['acled_sub_event_type', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_acled_event_type'), ['acled_event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_admin1'), ['admin1'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_date'), ['date'], unique=False)
        batch_op.create_index('ix_events_doc_key', ['document_id', 'machine_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_events_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_plover_type'), ['plover_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_status'), ['status'], unique=False)
        batch_op.create_index('ix_events_type_date', ['plover_type', 'date'], unique=False)

    op.create_table('corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_event_id'), ['event_id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_event_id'))

    op.drop_table('corrections')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_type_date')
        batch_op.drop_index(batch_op.f('ix_events_status'))
        batch_op.drop_index(batch_op.f('ix_events_plover_type'))
        batch_op.drop_index('ix_events_lat_lon')
        batch_op.drop_index(batch_op.f('ix_events_document_id'))
        batch_op.drop_index('ix_events_doc_key')
        batch_op.drop_index(batch_op.f('ix_events_date'))
        batch_op.drop_index(batch_op.f('ix_events_country'))
        batch_op.drop_index(batch_op.f('ix_events_admin1'))
        batch_op.drop_index(batch_op.f('ix_events_acled_event_type'))
        batch_op.drop_index('ix_events_acled_date')

    op.drop_table('events')
    op.drop_table('ingest_errors')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_published_date'))

    op.drop_table('documents')


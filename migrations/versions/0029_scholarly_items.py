"""scholarly items (articles, abstracts, talks, grants, roles) and their authors in printed order

Revision ID: 0029_scholarly_items
Revises: 0026_feeds
Create Date: 2026-12-03 13:02:05.470229

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_scholarly_items'
down_revision = '0026_feeds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scholarly_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('article', 'review', 'case_report', 'chapter', 'abstract', 'poster', 'podium', 'grand_rounds', 'workshop', 'qi_project', 'irb_protocol', 'grant', 'role', name='scholarly_item_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('in_preparation', 'submitted', 'accepted', 'published', 'presented', name='scholarly_item_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('normalized_title', sa.String(length=500), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('volume', sa.String(length=40), nullable=False),
    sa.Column('issue', sa.String(length=40), nullable=False),
    sa.Column('pages', sa.String(length=40), nullable=False),
    sa.Column('doi', sa.String(length=200), nullable=False),
    sa.Column('pmid', sa.String(length=12), nullable=False),
    sa.Column('visibility', sa.Enum('members', 'connected', 'private', name='scholarly_item_visibility', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=True),
    sa.Column('collaboration_id', sa.Integer(), nullable=True),
    sa.Column('presented_at_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['collaboration_id'], ['opportunity.id'], name=op.f('fk_scholarly_item_collaboration_id_opportunity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorship.id'], name=op.f('fk_scholarly_item_mentorship_id_mentorship'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_scholarly_item_owner_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['presented_at_id'], ['opportunity.id'], name=op.f('fk_scholarly_item_presented_at_id_opportunity'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scholarly_item'))
    )
    with op.batch_alter_table('scholarly_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scholarly_item_collaboration_id'), ['collaboration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_doi'), ['doi'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_mentorship_id'), ['mentorship_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_normalized_title'), ['normalized_title'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_scholarly_item_owner_published', ['owner_id', 'published_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_pmid'), ['pmid'], unique=False)
        batch_op.create_index(batch_op.f('ix_scholarly_item_presented_at_id'), ['presented_at_id'], unique=False)

    op.create_table('scholarly_author',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('confirmation', sa.Enum('pending', 'confirmed', 'declined', name='scholarly_author_confirmation', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['scholarly_item.id'], name=op.f('fk_scholarly_author_item_id_scholarly_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['user.id'], name=op.f('fk_scholarly_author_member_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scholarly_author')),
    sa.UniqueConstraint('item_id', 'position', name=op.f('uq_scholarly_author_item_id_position'))
    )
    with op.batch_alter_table('scholarly_author', schema=None) as batch_op:
        batch_op.create_index('ix_scholarly_author_member_confirmation', ['member_id', 'confirmation'], unique=False)

    op.create_table('scholarly_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_scholarly_import_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scholarly_import'))
    )
    with op.batch_alter_table('scholarly_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scholarly_import_owner_id'), ['owner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('scholarly_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scholarly_import_owner_id'))

    op.drop_table('scholarly_import')
    with op.batch_alter_table('scholarly_author', schema=None) as batch_op:
        batch_op.drop_index('ix_scholarly_author_member_confirmation')

    op.drop_table('scholarly_author')
    with op.batch_alter_table('scholarly_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scholarly_item_presented_at_id'))
        batch_op.drop_index(batch_op.f('ix_scholarly_item_pmid'))
        batch_op.drop_index('ix_scholarly_item_owner_published')
        batch_op.drop_index(batch_op.f('ix_scholarly_item_owner_id'))
        batch_op.drop_index(batch_op.f('ix_scholarly_item_normalized_title'))
        batch_op.drop_index(batch_op.f('ix_scholarly_item_mentorship_id'))
        batch_op.drop_index(batch_op.f('ix_scholarly_item_doi'))
        batch_op.drop_index(batch_op.f('ix_scholarly_item_collaboration_id'))

    op.drop_table('scholarly_item')

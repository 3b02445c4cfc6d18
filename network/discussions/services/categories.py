"""Discussion categories, which administrators create, change, order and delete. Every cohort has its
private category: a new cohort gets one at once (the ``cohort_created`` signal), and the discussion index
opens any that are missing. Narrowing who sees a category withdraws its notifications from those who no
longer do."""

from __future__ import annotations

from sqlalchemy import func, select

from network.audit.models import record
from network.discussions.models import Category, CategoryVisibility, Thread
from network.discussions.services.errors import DiscussionError
from network.discussions.services.publishing import withdraw_unseen_notifications
from network.extensions import db
from network.members.models import User
from network.programs.models import Cohort, Program
from network.signals import cohort_created
from network.text.slugs import slugify


def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    """A slug made from ``name`` that no other category has ("-2", "-3"... added when taken)."""
    base = slugify(name, 70, "category")
    slug, n = base, 2
    while True:
        clash = db.session.scalar(select(Category.id).where(Category.slug == slug))
        if clash is None or clash == exclude_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


def save_category(actor: User | None, category: Category | None, *, name: str, description: str,
                  visibility: CategoryVisibility, cohort_id: int | None, holds_phi_matches: bool) -> Category:
    """Create or change a category (admins)."""
    if visibility != CategoryVisibility.COHORT:
        cohort_id = None
    elif cohort_id is None:
        raise DiscussionError("Choose the cohort that may see this category.")
    if cohort_id is not None:
        other = db.session.scalar(select(Category.id).where(Category.cohort_id == cohort_id))
        if other is not None and (category is None or other != category.id):
            raise DiscussionError("That cohort already has its private category.")
    created = category is None
    narrowed = not created and (category.visibility, category.cohort_id) != (visibility, cohort_id)
    if created:
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), 0))) + 1
        category = Category(slug=_unique_slug(name), position=position)
        db.session.add(category)
    category.name, category.description = name, description
    category.visibility, category.cohort_id, category.holds_phi_matches = visibility, cohort_id, holds_phi_matches
    db.session.flush()
    record(actor.id if actor else None, "category.create" if created else "category.update", "category",
           category.id, name=name, visibility=str(visibility), cohort_id=cohort_id)
    if narrowed:
        for thread in db.session.scalars(select(Thread).where(Thread.category_id == category.id)):
            withdraw_unseen_notifications(thread)
    return category


def move_category(actor: User, category: Category, direction: int) -> None:
    """Swap a category with its neighbour above (-1) or below (+1)."""
    ordered = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    index = ordered.index(category)
    other = index + direction
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    record(actor.id, "category.reorder", "category", category.id, direction=direction)


def delete_category(actor: User, category: Category) -> None:
    """Delete a category that holds no thread."""
    if db.session.scalar(select(func.count()).select_from(Thread).where(Thread.category_id == category.id)):
        raise DiscussionError("Only an empty category can be deleted: move its threads first.")
    record(actor.id, "category.delete", "category", category.id, name=category.name)
    db.session.delete(category)


def ensure_cohort_categories() -> int:
    """Give every cohort its private category; returns how many were created."""
    missing = db.session.execute(
        select(Cohort, Program).join(Program, Program.id == Cohort.program_id)
        .where(~select(Category.id).where(Category.cohort_id == Cohort.id).exists())
        .order_by(Cohort.id)
    ).all()
    for cohort, program in missing:
        save_category(None, None, name=f"{program.name}: {cohort.name}",
                      description=f"Private to the fellows and faculty of {program.name}, {cohort.name}.",
                      visibility=CategoryVisibility.COHORT, cohort_id=cohort.id, holds_phi_matches=False)
    return len(missing)


@cohort_created.connect
def _open_cohort_category(cohort: Cohort, **_) -> None:
    """A new class gets its private discussion category at once."""
    ensure_cohort_categories()


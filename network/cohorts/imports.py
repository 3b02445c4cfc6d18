"""Staging and importing a roster: one query for existing emails, bulk inserts, mails queued in bulk.

Every valid new row becomes an invitation, existing members included: a roster file never places anyone
in a cohort (only the member accepting, or an administrator, does)."""

from __future__ import annotations

from sqlalchemy import select

from network.audit.models import record
from network.cohorts import queries, roster, services
from network.cohorts.models import ImportStatus, RosterImport
from network.extensions import db
from network.members.models import User
from network.programs.models import Cohort
from network.taxonomy.models import Specialty
from network.types import utcnow


def background_lookup() -> dict[str, int]:
    """Training backgrounds by lower-case name, abbreviation and slug (retired ones excluded)."""
    lookup = {}
    for term_id, slug, name in db.session.execute(
            select(Specialty.id, Specialty.slug, Specialty.name).where(Specialty.retired_at.is_(None))):
        lookup[slug.lower()] = term_id
        lookup[name.lower()] = term_id
        if name.endswith(")") and "(" in name:  # "Physical medicine and rehabilitation (PM&R)" answers to "PM&R"
            lookup[name[name.rindex("(") + 1:-1].strip().lower()] = term_id
    return lookup


def _classify(rows: list[roster.RosterRow], cohort: Cohort) -> None:
    """Each row's outcome against the members and the cohort as they are now (three queries)."""
    emails = [r.email for r in rows if r.outcome != roster.ERROR]
    members = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()) \
        if emails else {}
    roster.classify(rows, members, queries.roster_emails(cohort), queries.live_invitation_emails(cohort))


def stage(cohort: Cohort, data: bytes, filename: str, actor: User) -> RosterImport:
    """Check the file and keep its rows for the preview (raises ``roster.RosterFileError``)."""
    rows = roster.read_roster(data, filename, background_lookup())
    _classify(rows, cohort)
    staged = RosterImport(cohort_id=cohort.id, uploaded_by_id=actor.id, filename=filename[:200],
                          rows=[r.as_dict() for r in rows])
    db.session.add(staged)
    db.session.flush()
    return staged


def run_import(staged: RosterImport, cohort: Cohort, actor: User) -> dict:
    """Import the staged rows that are still valid; returns the summary (also kept on the import)."""
    if staged.status != ImportStatus.PREVIEWED:
        raise services.InvitationError("This file was imported already.")
    services.ensure_open(cohort)
    rows = [roster.RosterRow(**row) for row in staged.rows]
    _classify(rows, cohort)  # again: someone may have joined or been invited since the preview
    to_invite = [r for r in rows if r.outcome == roster.INVITE]
    if to_invite:
        # Existing members too: they join only by accepting, so nobody is placed in a cohort by a file.
        services.invite_many(cohort, [{"email": r.email, "name": r.name, "role": r.role,
                                       "training_background_id": r.background_id} for r in to_invite], actor,
                             existing={r.email for r in to_invite if r.member})
    roster.mark_invited(rows)
    staged.rows = [r.as_dict() for r in rows]
    members_invited = sum(1 for r in to_invite if r.member)
    staged.summary = {"invited": len(to_invite), "members_invited": members_invited,
                      "skipped": [{"line": r.line, "email": r.email, "reason": r.reason or " ".join(r.problems)}
                                  for r in rows if r.outcome in (roster.SKIP, roster.ERROR)]}
    staged.status, staged.imported_at = ImportStatus.IMPORTED, utcnow()
    record(actor.id, "cohort.import", "cohort", cohort.id, program_id=cohort.program_id,
           invited=len(to_invite), members_invited=members_invited, skipped=len(staged.summary["skipped"]),
           file=staged.filename)
    return staged.summary


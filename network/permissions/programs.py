"""Running programs and cohorts, and taking part in their matching rounds.

One rule for running a program: admins run every program, faculty the programs whose staff they are
(``ProgramStaff``). Being a cohort's faculty advisor makes a member of the cohort (its category, its
matching rounds' mentor pool), never a manager of it. Programs, cohorts, rounds and their participants
are passed in; only their plain attributes are read.
"""

from __future__ import annotations

from sqlalchemy import null, select, true

from network.extensions import db
from network.members.models import MemberStatus, Role
from network.permissions.members import administers, can_place_in_cohort, can_verify_members, has_role, is_member
from network.programs.models import Cohort, CohortMembership, ProgramStaff

#: The roles that mentor, in matching rounds and outside them.
MENTOR_ROLES = (Role.ALUMNI, Role.FACULTY)


def _runs_programs(user) -> bool:
    """Only verified faculty can be a program's staff (admins run every program without being its staff)."""
    return has_role(user, Role.FACULTY)


def _load_program_ties(user) -> None:
    """Read ``user``'s cohorts (role, program) and, for faculty, the programs they are staff of, in one
    query, and cache both on the loaded user: the pages that ask one usually ask the other."""
    statement = (select(CohortMembership.cohort_id, CohortMembership.role, Cohort.program_id)
                 .join(Cohort, Cohort.id == CohortMembership.cohort_id)
                 .where(CohortMembership.user_id == user.id))
    staff = _runs_programs(user)
    if staff:  # staff rows come back with no cohort and no role
        statement = statement.union_all(select(null(), null(), ProgramStaff.program_id)
                                        .where(ProgramStaff.user_id == user.id))
    rows = db.session.execute(statement).all()
    user._cohort_roles = {cohort_id: (str(role), program_id) for cohort_id, role, program_id in rows
                          if cohort_id is not None}
    if staff:
        user._managed_program_ids = frozenset(program_id for cohort_id, _, program_id in rows if cohort_id is None)


def managed_program_ids(user) -> frozenset[int]:
    """The ids of the programs ``user`` is staff of (none unless faculty), read once per loaded user."""
    if getattr(user, "_managed_program_ids", None) is None:
        if _runs_programs(user):
            _load_program_ties(user)
        else:
            user._managed_program_ids = frozenset()
    return user._managed_program_ids


def cohort_roles(user) -> dict[int, tuple[str, int]]:
    """``{cohort_id: (role in cohort, program_id)}`` for ``user``, read once per loaded user."""
    if getattr(user, "_cohort_roles", None) is None:
        _load_program_ties(user)
    return user._cohort_roles


def can_be_program_staff(member) -> bool:
    """Who may be given a role in a program's staff: verified faculty (and administrators)."""
    return member.role in (Role.FACULTY, Role.ADMIN) and member.status == MemberStatus.VERIFIED


def runs_every_program(user) -> bool:
    """Administrators run every program without being its staff."""
    return administers(user)


def can_list_programs(user) -> bool:
    """The programs pages (a program, its cohorts, rosters, invitations) are for faculty and administrators;
    which program each may open is ``can_manage_program``'s answer."""
    return has_role(user, Role.FACULTY, Role.ADMIN)


def shows_programs_menu(user) -> bool:
    """The navigation's Programs item: faculty (administrators reach programs through the admin wing)."""
    return can_list_programs(user) and not administers(user)


def can_manage_program(user, program) -> bool:
    """Admins manage every program; faculty only the programs they are staff of."""
    if program is None or not is_member(user):
        return False
    return runs_every_program(user) or program.id in managed_program_ids(user)


def can_manage_cohort(user, cohort) -> bool:
    """A cohort is managed by whoever manages its program (its roster, invitations, dashboard, exports)."""
    if cohort is None or not is_member(user):
        return False
    return runs_every_program(user) or cohort.program_id in managed_program_ids(user)


def managed_programs(user, program_id):
    """``can_manage_program`` as a SQL condition on a program id column (``Program.id``, ``Cohort.program_id``)."""
    return true() if runs_every_program(user) else program_id.in_(managed_program_ids(user))


def manages_any_program(user) -> bool:
    """Admins, and faculty who are staff of at least one program."""
    return runs_every_program(user) or bool(is_member(user) and managed_program_ids(user))


def can_read_audit_log(user) -> bool:
    """Administrators read the whole log; faculty the entries of the programs they run."""
    return has_role(user, Role.ADMIN, Role.FACULTY)


def can_place_on_verification(user, cohort) -> bool:
    """Place a member in ``cohort`` as they are verified: only someone who may verify members, may place
    members in cohorts without an invitation, and manages that cohort's program."""
    return can_verify_members(user) and can_place_in_cohort(user) and can_manage_cohort(user, cohort)


# -- matching rounds -------------------------------------------------------------

def can_open_rounds(user) -> bool:
    """Opening a round is for those who run a program (for its cohorts, ``can_manage_cohort``)."""
    return manages_any_program(user)


def can_manage_round(user, matching_round) -> bool:
    """A round's managers (preview, runs, overrides, publish, export): admins, and faculty who run the
    program of every cohort in it."""
    if not is_member(user) or matching_round is None:
        return False
    if runs_every_program(user):
        return True
    managed = managed_program_ids(user)
    return bool(matching_round.cohorts) and all(cohort.program_id in managed for cohort in matching_round.cohorts)


def may_mentor_in_rounds(user) -> bool:
    """Alumni and faculty mentor in rounds (of the programs they belong to: ``can_join_pool``)."""
    return has_role(user, *MENTOR_ROLES)


def sees_other_rounds(user) -> bool:
    """Whether any round beyond those the member takes part in may concern them: rounds they manage or may
    mentor in (fellows only ever see the rounds they were placed in)."""
    return administers(user) or may_mentor_in_rounds(user)


def can_join_pool(user, matching_round) -> bool:
    """Alumni and faculty who belong to a program in the round (any cohort of it) may offer to mentor."""
    if matching_round is None or not may_mentor_in_rounds(user):
        return False
    programs = {cohort.program_id for cohort in matching_round.cohorts}
    return any(program in programs for _, program in cohort_roles(user).values())


def can_view_round(user, matching_round, participant) -> bool:
    """A round is known to its managers, its participants (``participant``: the member's row in it, or
    None) and the mentors who may join its pool; for everyone else it does not exist."""
    return (can_manage_round(user, matching_round) or participant is not None
            or can_join_pool(user, matching_round))


def can_rank_mentors(user, participant) -> bool:
    """A fellow of the round ranks its pool."""
    return has_role(user, Role.FELLOW) and participant is not None and str(participant.side) == "fellow"


def can_review_fellows(user, participant) -> bool:
    """A mentor in the round's pool answers the fellows who listed them."""
    return may_mentor_in_rounds(user) and participant is not None and str(participant.side) == "mentor"


def can_change_pool_place(user, matching_round, participant) -> bool:
    """Join the pool (if one may), or change or give up one's place in it (mentors already in it)."""
    if not may_mentor_in_rounds(user):
        return False
    if participant is None:
        return can_join_pool(user, matching_round)
    return str(participant.side) == "mentor"

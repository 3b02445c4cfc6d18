"""Alumni outcome surveys: who runs a program's surveys, who reads their free text, who answers.

Running a survey (define, send, close, read the aggregate results) is running the program
(``can_manage_program``). The free text alumni write is for the program's director alone: not its
coordinators or faculty, nor site administrators unless they direct the program.
"""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.permissions.members import is_member
from network.permissions.programs import can_manage_program
from network.programs.models import ProgramRole, ProgramStaff


def can_run_surveys(user, program) -> bool:
    """Program staff (and administrators) define, send and close a program's surveys and read the aggregates."""
    return can_manage_program(user, program)


def can_read_survey_comments(user, program) -> bool:
    """Only the program's director reads what alumni wrote in the free-text answer."""
    if program is None or not is_member(user):
        return False
    return db.session.scalar(select(ProgramStaff.id).where(
        ProgramStaff.program_id == program.id, ProgramStaff.user_id == user.id,
        ProgramStaff.role == ProgramRole.DIRECTOR)) is not None


def can_answer_survey(user, invitation) -> bool:
    """An invitation is answered by the alumnus it was sent to, and by no one else."""
    return invitation is not None and is_member(user) and invitation.user_id == user.id

"""A mentorship's workspace, open to its two members only: the agreement, goals, the meeting log (logging,
correcting and deleting a meeting) and ending the mentorship."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.mentorship import services
from network.mentorship.forms import CompactForm, EndForm, GoalForm, MeetingEditForm, MeetingForm
from network.mentorship.models import Goal, Meeting, Mentorship, MentorshipStatus, every
from network.mentorship.queries.mentorships import meetings_visible_to, mentorship_for
from network.mentorship.routes.blueprint import bp
from network.permissions import can_change_meeting
from network.text.markdown import render_markdown


def _workspace_or_404(mentorship_id: int) -> Mentorship:
    """The mentorship if the signed-in member is one of its two members; 404 otherwise (even for admins).
    A change (any POST) holds the mentorship's row until it commits: changes to one mentorship take turns."""
    mentorship = mentorship_for(current_user, mentorship_id, lock=request.method == "POST")
    if mentorship is None:
        abort(404)
    return mentorship


#: Meeting notes as safe HTML (markdown, sanitised as posts are), kept per process under their own text:
#: a workspace lists up to 200 meetings, and an edit is a new text, so a kept copy is never stale.
notes_html = lru_cache(maxsize=2048)(render_markdown)


def _render_workspace(mentorship, status=200, **forms):
    compact = forms.get("compact") or CompactForm(prefix="compact", obj=mentorship)
    return render_template(
        "mentorship/workspace.html", mentorship=mentorship, today=date.today(), notes_html=notes_html, every=every,
        meetings=meetings_visible_to(mentorship, current_user),
        compact_form=compact, goal_form=forms.get("goal") or GoalForm(prefix="goal"),
        meeting_form=forms.get("meeting") or MeetingForm(prefix="meeting"),
        end_form=forms.get("end") or EndForm(prefix="end")), status


@bp.route("/<int:mentorship_id>")
def workspace(mentorship_id: int):
    """The mentorship's workspace: only its two members can open it."""
    return _render_workspace(_workspace_or_404(mentorship_id))


def _workspace_action(mentorship_id: int, form_name: str, form, apply, done: str, confirmation=None):
    """Validate ``form``, apply it and commit; ``confirmation(mentorship, form)`` may first ask the member."""
    mentorship = _workspace_or_404(mentorship_id)
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        if confirmation is not None and not confirmed() and mentorship.status == MentorshipStatus.ACTIVE:
            return confirmation(mentorship, form)
        try:
            apply(mentorship, form)
        except services.MentorshipError as exc:
            if mentorship.status == MentorshipStatus.ACTIVE:
                form.form_errors.append(str(exc))
            else:  # ended meanwhile (by the other member, or a second click): its forms are gone from the page
                flash(str(exc), "warning")
            return _render_workspace(mentorship, 409, **{form_name: form})
        db.session.commit()
        flash(done, "success")
        return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))
    return _render_workspace(mentorship, 400, **{form_name: form})


@bp.route("/<int:mentorship_id>/compact", methods=["POST"])
def compact(mentorship_id: int):
    """Agree how often to meet, for how long, and what each expects."""
    return _workspace_action(mentorship_id, "compact", CompactForm(prefix="compact"),
                             lambda m, f: services.update_compact(m, f.cadence_days.data, f.length_months.data,
                                                                  f.expectations.data or ""),
                             "The agreement is saved.")


@bp.route("/<int:mentorship_id>/goals", methods=["POST"])
def add_goal(mentorship_id: int):
    """Add a goal."""
    return _workspace_action(mentorship_id, "goal", GoalForm(prefix="goal"),
                             lambda m, f: services.add_goal(m, f.title.data, f.due_on.data), "The goal is added.")


@bp.route("/<int:mentorship_id>/goals/<int:goal_id>/toggle", methods=["POST"])
def toggle_goal(mentorship_id: int, goal_id: int):
    """Tick a goal done, or open it again."""
    mentorship = _workspace_or_404(mentorship_id)
    goal = db.get_or_404(Goal, goal_id)
    if goal.mentorship_id != mentorship.id:
        abort(404)
    try:
        services.toggle_goal(mentorship, goal)
    except services.MentorshipError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))
    db.session.commit()
    flash("Goal done. Well done!" if goal.done_at else "The goal is open again.", "success")
    return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))


@bp.route("/<int:mentorship_id>/meetings", methods=["POST"])
def log_meeting(mentorship_id: int):
    """Log a meeting."""
    return _workspace_action(
        mentorship_id, "meeting", MeetingForm(prefix="meeting"),
        lambda m, f: services.log_meeting(m, current_user, met_on=f.met_on.data, minutes=f.minutes.data,
                                          mode=f.mode.data, topics=f.topics.data or "", notes=f.notes.data or "",
                                          notes_private=f.notes_private.data),
        "The meeting is logged.")


def _meeting_to_change(mentorship_id: int, meeting_id: int) -> tuple[Mentorship, Meeting]:
    """The mentorship (404 unless the member is in it) and its meeting (404), if the member may change it
    (403: the other member's meeting, or the mentorship has ended)."""
    mentorship = _workspace_or_404(mentorship_id)
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.mentorship_id != mentorship.id:
        abort(404)
    if not can_change_meeting(current_user, meeting, mentorship):
        abort(403)
    return mentorship, meeting


@bp.route("/<int:mentorship_id>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(mentorship_id: int, meeting_id: int):
    """Correct a meeting I logged."""
    mentorship, meeting = _meeting_to_change(mentorship_id, meeting_id)
    form = MeetingEditForm(prefix="meeting", obj=meeting)
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            services.edit_meeting(mentorship, meeting, met_on=form.met_on.data, minutes=form.minutes.data,
                                  mode=form.mode.data, topics=form.topics.data or "", notes=form.notes.data or "",
                                  notes_private=form.notes_private.data)
        except services.MentorshipError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash("The meeting is saved.", "success")
            return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))
    status = 400 if form.is_submitted() else 200
    return render_template("mentorship/meeting_edit.html", mentorship=mentorship, meeting=meeting, form=form), status


@bp.route("/<int:mentorship_id>/meetings/<int:meeting_id>/delete", methods=["GET", "POST"])
def delete_meeting(mentorship_id: int, meeting_id: int):
    """Delete a meeting I logged, once I confirm."""
    mentorship, meeting = _meeting_to_change(mentorship_id, meeting_id)
    if not confirmed():
        return confirmation_page(
            title=f"Delete the meeting of {meeting.met_on:%d %B %Y}?",
            consequences="The meeting and its notes are deleted for both of you. This cannot be undone.",
            details=(" · ".join(part for part in (f"{meeting.minutes} min", meeting.mode.label, meeting.topics)
                                if part),),
            button="Delete the meeting", cancel=url_for("mentorship.workspace", mentorship_id=mentorship.id))
    try:
        services.delete_meeting(mentorship, meeting)
    except services.MentorshipError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash("The meeting is deleted.", "success")
    return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))


@bp.route("/<int:mentorship_id>/end", methods=["POST"])
def end(mentorship_id: int):
    """End the mentorship with an outcome and a rating, once the member confirms."""
    return _workspace_action(
        mentorship_id, "end", EndForm(prefix="end"),
        lambda m, f: services.end_mentorship(m, current_user, f.outcome.data == "completed", f.rating.data,
                                             f.comment.data or ""),
        "The mentorship has ended. Thank you for the rating.", confirmation=_confirm_end)


def _confirm_end(mentorship: Mentorship, form: EndForm):
    """What ending says before it happens: nothing is undone once the other member is told."""
    other = mentorship.mentor if current_user.id == mentorship.mentee_id else mentorship.mentee
    outcome = "completed" if form.outcome.data == "completed" else "ended early"
    return confirmation_page(
        title=f"End your mentorship with {other.name}?",
        consequences=f"The {mentorship.type.label.lower()} mentorship is marked {outcome} with your rating of "
                     f"{form.rating.data} of 5, and {other.name} is told by notification and mail. Your shared "
                     "goals, meetings and notes stay readable for both of you; the workspace takes no new ones. "
                     "This cannot be undone.",
        button="End the mentorship", cancel=url_for("mentorship.workspace", mentorship_id=mentorship.id))

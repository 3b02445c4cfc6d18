"""Mentoring: settings, recommendations, requests, the team page and the workspace."""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from network.access import permission_required
from network.confirmation import confirmation_page, confirmed
from network.extensions import db
from network.members.models import MemberStatus, User
from network.mentorship import lookups, services
from network.mentorship.forms import (
    CompactForm,
    DeclineForm,
    EndForm,
    GoalForm,
    MeetingEditForm,
    MeetingForm,
    MentorSettingsForm,
    RequestForm,
)
from network.mentorship.models import (
    DeclineReason,
    Goal,
    Meeting,
    MentoringType,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    every,
)
from network.permissions import can_ask_for_mentoring, can_change_meeting, can_look_for_mentors, can_offer_mentoring
from network.taxonomy.models import Interest, active_terms
from network.text.markdown import render_markdown

bp = Blueprint("mentorship", __name__)
log = logging.getLogger(__name__)


def _type_or_404(value: str | None) -> MentoringType:
    try:
        return MentoringType(value or "research")
    except ValueError:
        abort(404)


@bp.route("/")
def index():
    """My mentoring: a fellow's team of four slots; a mentor's mentees."""
    team = services.team_of(current_user) if can_look_for_mentors(current_user) else None
    mentees = db.session.scalars(
        select(Mentorship).where(Mentorship.mentor_id == current_user.id,
                                 Mentorship.status == MentorshipStatus.ACTIVE)
        .options(selectinload(Mentorship.mentee))
        .order_by(Mentorship.started_at.desc()).limit(100)).all()
    pending = db.session.scalar(select(db.func.count()).select_from(MentorshipRequest).where(
        MentorshipRequest.mentor_id == current_user.id, MentorshipRequest.status == RequestStatus.PENDING))
    return render_template("mentorship/index.html", team=team, mentees=mentees, pending=pending,
                           past=lookups.past_mentorships(current_user),
                           settings=services.settings_of(current_user), today=date.today())


@bp.route("/settings", methods=["GET", "POST"])
@permission_required(can_offer_mentoring)
def settings():
    """My mentoring settings: whether I take mentees, how many, for what."""
    current = services.settings_of(current_user)
    form = MentorSettingsForm(obj=None)
    form.topics.choices = [SelectChoice(t.id, t.name) for t in db.session.scalars(active_terms(Interest))]
    if request.method == "GET" and current is not None:
        form.accepting.data = current.accepting
        form.capacity.data = current.capacity
        form.types.data = current.types
        form.meeting_modes.data = current.meeting_modes
        form.availability.data = current.availability
        form.topics.data = [t.id for t in current.topics]
    elif request.method == "GET":
        form.accepting.data = True
    if form.validate_on_submit():
        topics = db.session.scalars(select(Interest).where(Interest.id.in_(form.topics.data or []))).all()
        try:
            services.save_settings(current_user, accepting=form.accepting.data, capacity=form.capacity.data,
                                   types=form.types.data or [], meeting_modes=form.meeting_modes.data or [],
                                   availability=form.availability.data or "", topics=topics)
        except services.MentorshipError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your mentoring settings are saved.", "success")
            return redirect(url_for("mentorship.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("mentorship/settings.html", form=form, current=current), status


@bp.route("/recommendations")
@permission_required(can_look_for_mentors)
def recommendations():
    """Mentors ranked for me and one kind of mentoring, each with the reason."""
    mentoring_type = _type_or_404(request.args.get("type"))
    results, current_mentor = services.recommendations(current_user, mentoring_type)
    cards = lookups.mentor_cards(current_user.id, [r.mentor_id for r in results])
    return render_template("mentorship/recommendations.html", mentoring_type=mentoring_type, results=results,
                           cards=cards, current_mentor=current_mentor, types=list(MentoringType))


@bp.route("/ask/<int:mentor_id>", methods=["GET", "POST"])
@permission_required(can_look_for_mentors)
def ask(mentor_id: int):
    """Ask one mentor for mentoring."""
    mentor = db.get_or_404(User, mentor_id)
    if mentor.status != MemberStatus.VERIFIED or mentor.deleted_at is not None:
        abort(404)
    settings = services.settings_of(mentor)
    if not can_ask_for_mentoring(current_user, mentor, open_to_mentees=settings is not None and settings.accepting):
        return render_template("mentorship/ask.html", form=None, mentor=mentor), 403
    form = RequestForm()
    offered, first_free = lookups.request_types(current_user, settings)
    form.type.choices = [SelectChoice(t.value, t.label) for t in offered]
    if request.method == "GET":
        asked = request.args.get("type")
        form.type.data = asked if asked in {t.value for t in offered} else (first_free or offered[0]).value
    status = 200
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            services.send_request(current_user, mentor, MentoringType(form.type.data), form.message.data)
        except services.MentorshipError as exc:
            form.form_errors.append(str(exc))
            status = 409
        else:
            db.session.commit()
            flash(f"Your request is on its way to {mentor.name}. You will hear back within 14 days.", "success")
            return redirect(url_for("mentorship.requests"))
    elif form.is_submitted():
        status = 400
    return render_template("mentorship/ask.html", form=form, mentor=mentor), status


@bp.route("/requests")
def requests():
    """Requests I sent and requests sent to me."""
    return _render_requests()


def _render_requests(declining: MentorshipRequest | None = None, decline_form: DeclineForm | None = None,
                     status: int = 200):
    """The requests page; ``declining`` is a request whose decline form comes back with ``decline_form``."""
    rows = db.session.scalars(
        select(MentorshipRequest)
        .where(or_(MentorshipRequest.mentee_id == current_user.id, MentorshipRequest.mentor_id == current_user.id))
        .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor))
        .order_by(MentorshipRequest.created_at.desc(), MentorshipRequest.id.desc()).limit(200)).all()
    incoming = [r for r in rows if r.mentor_id == current_user.id]
    outgoing = [r for r in rows if r.mentee_id == current_user.id]
    return render_template("mentorship/requests.html", incoming=incoming, outgoing=outgoing,
                           decline_form=decline_form or DeclineForm(), declining=declining), status


def _request_for(request_id: int, side: str) -> MentorshipRequest:
    """The request if the signed-in member is its ``side`` ("mentor" or "mentee"); 404 otherwise."""
    item = db.first_or_404(select(MentorshipRequest).where(MentorshipRequest.id == request_id)
                           .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor)))
    if getattr(item, f"{side}_id") != current_user.id:
        abort(404)
    return item


def _act(action, *args, done: str):
    """Run a request action, commit once, and say what happened (or why not, with 409)."""
    try:
        result = action(*args)
    except services.MentorshipError as exc:
        db.session.commit()  # an expiry noticed on the way is worth keeping
        flash(str(exc), "warning")
        return redirect(url_for("mentorship.requests")), None
    db.session.commit()
    flash(done, "success")
    return None, result


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
def accept(request_id: int):
    """Accept a request: the mentorship starts."""
    item = _request_for(request_id, "mentor")
    refused, mentorship = _act(services.accept_request, item, current_user,
                               done=f"You are now {item.mentee.name}'s {item.type.label.lower()} mentor.")
    if refused:
        return refused
    return redirect(url_for("mentorship.workspace", mentorship_id=mentorship.id))


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
def decline(request_id: int):
    """Decline a request with a reason."""
    item = _request_for(request_id, "mentor")
    form = DeclineForm()
    if not form.validate_on_submit() or form.holds_patient_identifiers():
        return _render_requests(item, form, 400)
    if item.status == RequestStatus.PENDING and not confirmed():
        reason = DeclineReason(form.reason.data).label.lower()
        return confirmation_page(
            title=f"Decline {item.mentee.name}'s request?",
            consequences=f"{item.mentee.name} is told at once, by notification and mail, that you declined their "
                         f"request for {item.type.label.lower()} mentoring ({reason}). This cannot be undone.",
            button="Decline the request", cancel=url_for("mentorship.requests"))
    refused, _ = _act(services.decline_request, item, DeclineReason(form.reason.data), form.note.data or "",
                      done=f"You declined {item.mentee.name}'s request; they are told.")
    return refused or redirect(url_for("mentorship.requests"))


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int):
    """Withdraw a request I sent."""
    item = _request_for(request_id, "mentee")
    if item.status == RequestStatus.PENDING and not confirmed():
        return confirmation_page(
            title=f"Withdraw your request to {item.mentor.name}?",
            consequences=f"{item.mentor.name} is told that you withdrew your request for "
                         f"{item.type.label.lower()} mentoring. To ask again you send a new request.",
            button="Withdraw the request", cancel=url_for("mentorship.requests"))
    refused, _ = _act(services.withdraw_request, item, done="Your request is withdrawn.")
    return refused or redirect(url_for("mentorship.requests"))


def _workspace_or_404(mentorship_id: int) -> Mentorship:
    try:
        return services.mentorship_for(current_user, mentorship_id)
    except services.NotFound:
        abort(404)


#: Meeting notes as safe HTML (markdown, sanitised as posts are), kept per process under their own text:
#: a workspace lists up to 200 meetings, and an edit is a new text, so a kept copy is never stale.
notes_html = lru_cache(maxsize=2048)(render_markdown)


def _render_workspace(mentorship, status=200, **forms):
    compact = forms.get("compact") or CompactForm(prefix="compact", obj=mentorship)
    return render_template(
        "mentorship/workspace.html", mentorship=mentorship, today=date.today(), notes_html=notes_html, every=every,
        meetings=services.meetings_visible_to(mentorship, current_user),
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
            form.form_errors.append(str(exc))
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


@bp.app_template_global()
def mentoring_ties(mentor_id: int) -> list[lookups.Tie]:
    """For a fellow's view of a mentor's profile: their waiting requests and active mentorships with the
    mentor, and whether the mentor is full (``templates/mentorship/_ask_to_mentor.html``)."""
    return lookups.ties_between(current_user.id, mentor_id)

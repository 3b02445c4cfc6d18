"""Finding a mentor and offering to be one: my mentoring (a fellow's team, a mentor's mentees), the mentor's
settings, the recommendations, asking a mentor, and the "Ask to mentor" ties on a mentor's profile."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from network.access import permission_required
from network.extensions import db
from network.members.models import MemberStatus, User
from network.mentorship import services
from network.mentorship.forms import MentorSettingsForm, RequestForm
from network.mentorship.models import MentoringType
from network.mentorship.queries import mentorships
from network.mentorship.queries import recommendations as ranking
from network.mentorship.routes.blueprint import bp
from network.permissions import can_ask_for_mentoring, can_look_for_mentors, can_offer_mentoring
from network.taxonomy.models import Interest, active_terms


def _type_or_404(value: str | None) -> MentoringType:
    try:
        return MentoringType(value or "research")
    except ValueError:
        abort(404)


@bp.route("/")
def index():
    """My mentoring: a fellow's team of four slots; a mentor's mentees."""
    team = mentorships.team_of(current_user) if can_look_for_mentors(current_user) else None
    return render_template("mentorship/index.html", team=team, mentees=mentorships.mentees_of(current_user),
                           pending=mentorships.waiting_requests(current_user),
                           past=mentorships.past_mentorships(current_user),
                           settings=mentorships.settings_of(current_user), today=date.today())


@bp.route("/settings", methods=["GET", "POST"])
@permission_required(can_offer_mentoring)
def settings():
    """My mentoring settings: whether I take mentees, how many, for what."""
    current = mentorships.settings_of(current_user)
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
    results, current_mentor = ranking.recommendations(current_user, mentoring_type)
    cards = ranking.mentor_cards(current_user.id, [r.mentor_id for r in results])
    return render_template("mentorship/recommendations.html", mentoring_type=mentoring_type, results=results,
                           cards=cards, current_mentor=current_mentor, types=list(MentoringType))


@bp.route("/ask/<int:mentor_id>", methods=["GET", "POST"])
@permission_required(can_look_for_mentors)
def ask(mentor_id: int):
    """Ask one mentor for mentoring."""
    mentor = db.get_or_404(User, mentor_id)
    if mentor.status != MemberStatus.VERIFIED or mentor.deleted_at is not None:
        abort(404)
    settings = mentorships.settings_of(mentor)
    if not can_ask_for_mentoring(current_user, mentor, open_to_mentees=settings is not None and settings.accepting):
        return render_template("mentorship/ask.html", form=None, mentor=mentor), 403
    form = RequestForm()
    offered, first_free = mentorships.request_types(current_user, settings)
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


@bp.app_template_global()
def mentoring_ties(mentor_id: int) -> list[mentorships.Tie]:
    """For a fellow's view of a mentor's profile: their waiting requests and active mentorships with the
    mentor, and whether the mentor is full (``templates/mentorship/_ask_to_mentor.html``)."""
    return mentorships.ties_between(current_user.id, mentor_id)

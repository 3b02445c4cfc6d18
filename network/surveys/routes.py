"""The surveys blueprint: staff define, send, close and read a program's survey; an alumnus follows the signed
link from their mail and answers. Every staff page is 404 for anyone who does not run the program, and an
alumnus's answers page is 404 for anyone but them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.access import permission_required
from network.cohorts.charts import render_bars, svg_response
from network.extensions import db
from network.permissions import can_answer_survey, can_list_programs, can_read_survey_comments, can_run_surveys
from network.profiles.queries import term_choices
from network.programs.models import Cohort, Program
from network.surveys import queries, results, services
from network.surveys.forms import AnswerForm, SendForm, SurveyForm
from network.surveys.models import MIN_GROUP, Survey
from network.taxonomy.models import BoardCertification, PracticeSetting

bp = Blueprint("surveys", __name__)

#: The results' charts: name → title.
CHARTS = {"satisfaction": "Satisfaction with training by class (mean, 1 to 5)",
          "settings": "Practice setting by class"}


def _program_or_404(program_id: int) -> Program:
    program = db.get_or_404(Program, program_id)
    if not can_run_surveys(current_user, program):
        abort(404)
    return program


def _survey_or_404(survey_id: int) -> Survey:
    """The survey if the viewer runs its program; 404 otherwise (others need not know it exists)."""
    survey = db.first_or_404(select(Survey).where(Survey.id == survey_id).options(joinedload(Survey.program)))
    if not can_run_surveys(current_user, survey.program):
        abort(404)
    return survey


def _refuse(message: str, back: str) -> Response:
    """A request the survey's state refuses (already open, already closed): 409, with the reason, back on its page
    (as a graduated class refuses new members)."""
    flash(message, "warning")
    refusal = redirect(back)
    refusal.status_code = 409
    return refusal


@bp.route("/programs/<int:program_id>/surveys")
@permission_required(can_list_programs)
def index(program_id: int):
    """The program's alumni surveys, with how many were invited and answered."""
    program = _program_or_404(program_id)
    return render_template("surveys/index.html", program=program, surveys=queries.surveys_of(program.id),
                           open_survey=services.open_survey_of(program.id), min_group=MIN_GROUP)


@bp.route("/programs/<int:program_id>/surveys/new", methods=["GET", "POST"])
@permission_required(can_list_programs)
def create(program_id: int):
    """Start the program's alumni outcome survey and choose when it goes out."""
    program = _program_or_404(program_id)
    form = SurveyForm()
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        try:
            survey = services.create_survey(program, current_user, title=form.title.data, intro=form.intro.data or "",
                                            at_one_year=form.at_one_year.data,
                                            at_three_years=form.at_three_years.data)
        except services.SurveyError as exc:
            return _refuse(str(exc), url_for("surveys.index", program_id=program.id))
        db.session.commit()
        flash("The survey is open. Send it to a graduated class now, or let the anniversaries send it.", "success")
        return redirect(url_for("surveys.show", survey_id=survey.id))
    status = 400 if form.is_submitted() else 200
    return render_template("surveys/new.html", program=program, form=form), status


def _send_form(classes) -> SendForm:
    form = SendForm()
    form.cohort_id.choices = [("", "Choose…")] + [(cohort.id, cohort.name) for cohort, *_ in classes]
    return form


@bp.route("/surveys/<int:survey_id>")
@permission_required(can_list_programs)
def show(survey_id: int):
    """A survey: its schedule, who was asked and answered per class, sending on demand, closing."""
    survey = _survey_or_404(survey_id)
    classes = queries.survey_classes(survey)
    return render_template("surveys/show.html", survey=survey, classes=classes, send_form=_send_form(classes),
                           min_group=MIN_GROUP)


@bp.route("/surveys/<int:survey_id>/send", methods=["POST"])
@permission_required(can_list_programs)
def send(survey_id: int):
    """Send the survey now to the alumni of one graduated class who have not had it yet."""
    survey = _survey_or_404(survey_id)
    classes = queries.survey_classes(survey)
    form = _send_form(classes)
    if not form.validate_on_submit():
        return render_template("surveys/show.html", survey=survey, classes=classes, send_form=form,
                               min_group=MIN_GROUP), 400
    cohort = db.session.get(Cohort, form.cohort_id.data)
    try:
        sent, skipped = services.send_to_class(survey, cohort, current_user)
    except services.SurveyError as exc:
        return _refuse(str(exc), url_for("surveys.show", survey_id=survey.id))
    db.session.commit()
    already = f" {skipped} had it already or are no longer members." if skipped else ""
    flash(f"Sent to {sent} {'alumnus' if sent == 1 else 'alumni'} of the {cohort.name}.{already}", "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/close", methods=["POST"])
@permission_required(can_list_programs)
def close(survey_id: int):
    """Close the survey: links expire and answers can no longer change."""
    survey = _survey_or_404(survey_id)
    try:
        services.close_survey(survey, current_user)
    except services.SurveyError as exc:
        return _refuse(str(exc), url_for("surveys.show", survey_id=survey.id))
    db.session.commit()
    flash("The survey is closed. Its results stay.", "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/results")
@permission_required(can_list_programs)
def results_page(survey_id: int):
    """The survey's results per graduating class (aggregates only); the free text for the director alone."""
    survey = _survey_or_404(survey_id)
    found = results.survey_results(survey.id)
    comments = results.comments(survey.id) if can_read_survey_comments(current_user, survey.program) else None
    charts = {name: url_for("surveys.chart", survey_id=survey.id, name=name) for name in CHARTS}
    return render_template("surveys/results.html", survey=survey, results=found, comments=comments,
                           chart_urls=charts, chart_titles=CHARTS)


@bp.route("/surveys/<int:survey_id>/charts/<name>.svg")
@permission_required(can_list_programs)
def chart(survey_id: int, name: str):
    """One results chart as an SVG image (the same figures are in the page's tables)."""
    survey = _survey_or_404(survey_id)
    if name not in CHARTS:
        abort(404)
    shown = [result for result in results.survey_results(survey.id) if result.shown]
    labels = [result.label for result in shown]
    if name == "satisfaction":
        svg = render_bars(CHARTS[name], labels, {"Mean satisfaction": [r.satisfaction_mean for r in shown]},
                          horizontal=True, value_range=(0, 5))
    else:
        options = [label for label, _ in shown[0].settings] if shown else []
        svg = render_bars(CHARTS[name], labels, {option: [dict(r.settings)[option] for r in shown]
                                                 for option in options}, stacked=True)
    return svg_response(svg)


@bp.route("/surveys/link/<token>")
def follow_link(token: str):
    """The signed link from the mail: once signed in as the alumnus it was sent to, on to their survey."""
    invitation = services.find_invitation(token)
    if not can_answer_survey(current_user, invitation):
        abort(404)
    if not invitation.survey.is_open:
        return render_template("surveys/closed.html", survey=invitation.survey), 410
    return redirect(url_for("surveys.answer", survey_id=invitation.survey_id))


@bp.route("/surveys/<int:survey_id>/answer", methods=["GET", "POST"])
def answer(survey_id: int):
    """The alumnus's own answers to a survey they were sent: answer, and change them until it closes."""
    invitation = services.invitation_of(survey_id, current_user.id)
    if not can_answer_survey(current_user, invitation):
        abort(404)
    survey = invitation.survey
    response = services.response_of(invitation)
    form = AnswerForm(obj=response)
    form.practice_setting_id.choices = term_choices(
        PracticeSetting, [response.practice_setting_id if response else None], blank="Other, or none of these")
    form.certification_id.choices = term_choices(BoardCertification, [response.certification_id if response else None])
    if form.is_submitted() and not survey.is_open:
        flash("This survey is closed: your answers can no longer be changed.", "warning")
        return render_template("surveys/answer.html", survey=survey, invitation=invitation, response=response,
                               form=form), 409
    if form.validate_on_submit() and not form.holds_patient_identifiers():
        services.save_response(
            invitation, practice_setting_id=form.practice_setting_id.data, position=form.position.data,
            certification_status=form.certification_status.data, certification_id=form.certification_id.data,
            certification_year=form.certification_year.data, academic_rank=form.academic_rank.data or None,
            publications=form.publications.data, presentations=form.presentations.data,
            satisfaction=form.satisfaction.data, comments=form.comments.data or "")
        db.session.commit()
        flash("Thank you: your answers are saved. You can change them until the survey closes.", "success")
        return redirect(url_for("surveys.answer", survey_id=survey.id))
    status = 400 if form.is_submitted() else 200
    return render_template("surveys/answer.html", survey=survey, invitation=invitation, response=response,
                           form=form), status

"""Direct messages: the list, a conversation, starting one, blocks, reports and their moderation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network import permissions
from network.access import role_required
from network.confirmation import confirmation_page, confirmed
from network.extensions import configured_limit, db, limiter, member_key
from network.integers import int_arg
from network.members.models import MemberStatus, Role, User
from network.messages import services
from network.messages.forms import MessageForm, MessagingSettingsForm, ReportForm, ResolveForm
from network.messages.models import Conversation, Message, MessageReport, WhoMayWrite

bp = Blueprint("messages", __name__)

PAGE_SIZE = 30
CONVERSATIONS_PER_PAGE = 30

#: Sending is limited per member (colleagues share hospital networks), one budget for new conversations
#: and replies together; the 429 page says why.
sending_limit = limiter.shared_limit(
    configured_limit("MESSAGE_RATE_LIMIT"), scope="message-send",
    key_func=member_key, methods=["POST"],
    error_message="you are sending messages faster than the network allows; nothing was sent: go back, "
                  "your text is still in the form")


@bp.app_context_processor
def unread_badges():
    """``unread_notifications()`` and ``unread_messages()`` for the navigation: one query for both,
    run only when a page asks."""
    cache: dict[str, tuple[int, int]] = {}

    def counts() -> tuple[int, int]:
        if "n" not in cache:
            cache["n"] = (services.unread_counts(current_user.id) if permissions.is_member(current_user)
                          else (0, 0))
        return cache["n"]

    return {"unread_notifications": lambda: counts()[0], "unread_messages": lambda: counts()[1]}


def _member_or_404(member_id: int | None) -> User:
    member = db.session.get(User, member_id) if member_id else None
    if member is None or member.status != MemberStatus.VERIFIED or member.deleted_at is not None:
        abort(404)
    return member


def _conversation_or_404(conversation_id: int) -> Conversation:
    """Only the two members may know a conversation exists: anyone else, admins too, gets 404."""
    conversation = db.get_or_404(Conversation, conversation_id,
                                 options=[joinedload(Conversation.low_member), joinedload(Conversation.high_member)])
    if not conversation.has_member(current_user.id):
        abort(404)
    return conversation


def _send(form: MessageForm, write):
    """Run ``write`` (the service call that sends the form's text) and commit: (what it wrote, None); or,
    refused, roll back and give (None, the refusal), its reason put on the form's text."""
    try:
        written = write()
    except services.MessagingError as refusal:
        db.session.rollback()
        form.body.errors = [str(refusal)]
        return None, refusal
    db.session.commit()
    return written, None


def _refused(recipient: User, refusal: services.NotAllowed):
    """The page for a sender who may not write to ``recipient`` (their choice or a block)."""
    return render_template("messages/refused.html", recipient=recipient, reason=str(refusal)), 403


@bp.route("/")
def index():
    """My conversations, most recent first, with unread counts."""
    page = max(1, int_arg("page", 1))
    rows = db.session.execute(services.conversations_of(current_user.id)
                              .limit(CONVERSATIONS_PER_PAGE + 1)
                              .offset((page - 1) * CONVERSATIONS_PER_PAGE)).all()
    return render_template("messages/index.html", rows=rows[:CONVERSATIONS_PER_PAGE], page=page,
                           more=len(rows) > CONVERSATIONS_PER_PAGE,
                           people=services.people_to_write(current_user.id))


@bp.route("/new", methods=["GET", "POST"])
@sending_limit
def compose():
    """Write to a member (``?to=<id>``); an existing conversation opens instead of a new one."""
    recipient = _member_or_404(int_arg("to"))
    existing = services.find_conversation(current_user.id, recipient.id)
    if existing is not None and request.method == "GET":
        return redirect(url_for("messages.show", conversation_id=existing.id))
    refusal = None if existing else services.start_refusal(current_user, recipient)
    if refusal:
        return render_template("messages/refused.html", recipient=recipient, reason=refusal), 403
    form = MessageForm()
    if form.validate_on_submit():
        message, refusal = _send(form, lambda: services.start(current_user, recipient, form.body.data,
                                                               form.confirm_no_phi.data))
        if refusal is None:
            flash(f"Message sent to {recipient.name}.", "success")
            return redirect(url_for("messages.show", conversation_id=message.conversation_id))
        if isinstance(refusal, services.NotAllowed):
            return _refused(recipient, refusal)
        if isinstance(refusal, services.PatientIdentifiers):
            return render_template("messages/compose.html", form=form, recipient=recipient, phi=refusal.found), 400
    status = 400 if form.is_submitted() else 200
    return render_template("messages/compose.html", form=form, recipient=recipient), status


@bp.route("/<int:conversation_id>")
def show(conversation_id: int):
    """A conversation, newest page of messages (``?before=<id>`` for older); opening it marks it read."""
    conversation = _conversation_or_404(conversation_id)
    return _render_conversation(conversation, MessageForm())


def _render_conversation(conversation: Conversation, form: MessageForm, status: int = 200, phi=None):
    before = int_arg("before")
    read_before = conversation.read_id(current_user.id)
    marking = before is None and status == 200
    if marking:
        services.mark_read(conversation, current_user.id)  # flushed with the next query, so the badge agrees
    query = select(Message).where(Message.conversation_id == conversation.id)
    if before is not None:
        query = query.where(Message.id < before)
    newest_first = db.session.scalars(query.order_by(Message.id.desc()).limit(PAGE_SIZE + 1)).all()
    older = newest_first[PAGE_SIZE - 1].id if len(newest_first) > PAGE_SIZE else None
    messages = list(reversed(newest_first[:PAGE_SIZE]))
    other = conversation.other(current_user.id)
    blocked = services.block_reason(current_user, other)
    names = {conversation.low_member_id: conversation.low_member.name,
             conversation.high_member_id: conversation.high_member.name}
    page = render_template("messages/show.html", conversation=conversation, other=other, messages=messages,
                           older=older, names=names, form=form, blocked=blocked, read_before=read_before,
                           phi=phi)
    if marking:
        # Committed after rendering: a commit expires every loaded row, and reloading them costs a query each.
        db.session.commit()
    return page, status


@bp.route("/<int:conversation_id>/send", methods=["POST"])
@sending_limit
def send(conversation_id: int):
    """Reply in a conversation."""
    conversation = _conversation_or_404(conversation_id)
    other = conversation.other(current_user.id)
    form = MessageForm()
    if form.validate_on_submit():
        _, refusal = _send(form, lambda: services.reply(current_user, other, conversation, form.body.data,
                                                        form.confirm_no_phi.data))
        if refusal is None:
            return redirect(url_for("messages.show", conversation_id=conversation.id, _anchor="latest"))
        if isinstance(refusal, services.NotAllowed):
            return _refused(other, refusal)
        if isinstance(refusal, services.PatientIdentifiers):
            return _render_conversation(conversation, form, 400, phi=refusal.found)
    return _render_conversation(conversation, form, 400)


@bp.route("/m/<int:message_id>/report", methods=["GET", "POST"])
def report(message_id: int):
    """Report a message I received to the moderators."""
    message = db.get_or_404(Message, message_id)
    if not message.conversation.has_member(current_user.id):
        abort(404)
    if message.sender_id == current_user.id:
        abort(403, "You can report only messages you received.")
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(current_user, message, form.reason.data)
        except services.MessagingError as exc:
            form.reason.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Thank you. The moderators will look at this message.", "success")
            return redirect(url_for("messages.show", conversation_id=message.conversation_id))
    status = 400 if form.is_submitted() else 200
    return render_template("messages/report.html", form=form, message=message), status


@bp.route("/block/<int:member_id>", methods=["POST"])
def block(member_id: int):
    """Block a member: neither of us can write to the other until I unblock them."""
    member = _member_or_404(member_id)
    if member.id == current_user.id:
        abort(400, "You cannot block yourself.")
    if services.block(current_user, member):
        db.session.commit()
    flash(f"You blocked {member.name}. Neither of you can write to the other.", "success")
    conversation = services.find_conversation(current_user.id, member.id)
    if conversation is not None:
        return redirect(url_for("messages.show", conversation_id=conversation.id))
    return redirect(url_for("messages.settings"))


@bp.route("/unblock/<int:member_id>", methods=["POST"])
def unblock(member_id: int):
    """Lift a block I set."""
    member = db.get_or_404(User, member_id)
    if services.unblock(current_user, member.id):
        db.session.commit()
        flash(f"You unblocked {member.name}.", "success")
    return redirect(url_for("messages.settings"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Who may start a conversation with me, and whom I blocked."""
    form = MessagingSettingsForm()
    if form.validate_on_submit():
        services.set_who_may_write(current_user.id, WhoMayWrite(form.who_may_write.data))
        db.session.commit()
        flash("Your message settings are saved.", "success")
        return redirect(url_for("messages.settings"))
    if not form.is_submitted():
        form.who_may_write.data = services.who_may_write(current_user.id).value
    status = 400 if form.is_submitted() else 200
    return (render_template("messages/settings.html", form=form, blocks=services.blocked_members(current_user.id)),
            status)


@bp.route("/reports")
@role_required(Role.ADMIN)
def reports():
    """Moderation: open reports with the reported message only (never the conversation around it)."""
    return render_template("messages/reports.html", reports=services.open_reports())


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
@role_required(Role.ADMIN)
def resolve(report_id: int):
    """Dismiss a report or remove the reported message (audited)."""
    entry = db.get_or_404(MessageReport, report_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400, "Choose dismiss or remove.")
    if form.action.data == "remove" and entry.message.removed_at is None and not confirmed():
        return confirmation_page(
            title=f"Remove {entry.message.sender.name}'s message?",
            consequences="Its text is hidden from both sides of the conversation for good, and every open report "
                         "on it is closed. The audit log records the removal.",
            button="Remove the message", cancel=url_for("messages.reports"))
    try:
        services.resolve(current_user, entry, form.action.data)
    except services.MessagingError as exc:
        abort(409, str(exc))
    db.session.commit()
    flash("The message is removed." if form.action.data == "remove" else "The report is dismissed.", "success")
    return redirect(url_for("messages.reports"))

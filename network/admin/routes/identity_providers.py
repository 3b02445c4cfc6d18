"""The identity providers pages of the admin wing: the institutions whose sign-in members may use, a new
one of either kind, one provider's settings with the values its IT office copies, turning one off and on.
The rules are those of ``flask identity-provider add`` (``network.identity.settings``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from network.access import role_required
from network.admin import queries
from network.admin.forms import IdentityProviderForm
from network.admin.routes.blueprint import bp
from network.confirmation import confirmation_page, confirmed
from network.errors import handle_http_error
from network.extensions import db
from network.forms import read_upload
from network.identity import registry
from network.identity.models import IdentityProvider, ProviderKind
from network.identity.overview import it_office_values
from network.identity.saml_metadata import MAX_METADATA_BYTES
from network.identity.saml_metadata import TOO_LARGE as METADATA_TOO_LARGE
from network.identity.settings import SettingsInvalid, check_settings
from network.integers import int_arg
from network.members.models import Role
from network.programs.models import Program


@bp.route("/identity-providers/")
@role_required(Role.ADMIN)
def identity_providers():
    """Every registered provider: its kind, program, whether it is on and how many members linked through it."""
    page = int_arg("page", 1)
    if page < 1:
        abort(404)
    rows = queries.identity_providers(page)
    if page > 1 and not rows.items:
        abort(404)
    return render_template("admin/identity_providers.html", rows=rows.items, total=rows.total, page=page,
                           pages=rows.pages, kinds=list(ProviderKind))


def _form(kind: ProviderKind, provider: IdentityProvider | None) -> IdentityProviderForm:
    form = IdentityProviderForm(obj=provider)
    programs = db.session.execute(select(Program.slug, Program.name).order_by(Program.name)).all()
    form.for_kind(kind, programs, editing=provider is not None)
    if provider is not None and request.method == "GET":
        form.program.data = provider.program.slug if provider.program else ""
        form.role_map.data = "\n".join(f"{value} = {role}" for value, role in provider.role_map.items())
        if "metadata_xml" in form:  # the stored XML stays unless new XML is given
            form.metadata_xml.data = ""
    return form


class _TooLarge(Exception):
    """The uploaded metadata file is over its limit (its message is on the field)."""


def _uploaded(form: IdentityProviderForm) -> str | None:
    """The uploaded metadata file's text, read up to its limit (None when no file was sent)."""
    upload = form.metadata_file.data if "metadata_file" in form else None
    if not upload or not getattr(upload, "filename", ""):
        return None
    data = read_upload(upload, MAX_METADATA_BYTES)
    if len(data) > MAX_METADATA_BYTES:
        form.metadata_file.errors = [METADATA_TOO_LARGE]
        raise _TooLarge
    return data.decode("utf-8", errors="replace")


def _metadata_source(form: IdentityProviderForm, provider: IdentityProvider | None) -> str:
    """What to read the metadata from: an uploaded file, pasted XML or the address; "" keeps the stored
    metadata on an edit when the address is unchanged and not to be read again."""
    uploaded = _uploaded(form)
    if uploaded is not None:
        return uploaded
    if "metadata_xml" in form and form.metadata_xml.data:
        return form.metadata_xml.data
    url = form.metadata_url.data or ""
    if provider is not None and url == provider.metadata_url and not form.reread.data:
        return ""
    return url


def _checked(form: IdentityProviderForm, kind: ProviderKind, provider: IdentityProvider | None):
    """The form's settings checked, or None with each problem on its field."""
    if not form.validate_on_submit():
        return None
    try:
        return check_settings(
            kind, name=form.name.data, slug=form.slug.data, metadata=_metadata_source(form, provider),
            client_id=form.client_id.data if "client_id" in form else "",
            client_secret=form.client_secret.data if "client_secret" in form else "",
            email_domains=form.email_domains.data, program=form.program.data or "",
            verifies_members=form.verifies_members.data, role_claim=form.role_claim.data,
            role_map=form.role_map.data, enabled=form.enabled.data, provider=provider)
    except SettingsInvalid as exc:
        for name, message in exc.errors.items():
            form.field_for(name).errors = [message]
        return None
    except _TooLarge:
        return None


def _form_page(form, kind: ProviderKind, provider: IdentityProvider | None):
    status = 400 if form.is_submitted() else 200
    if "metadata_file" in form and METADATA_TOO_LARGE in form.metadata_file.errors:
        status = 413
    copy = it_office_values(provider) if provider is not None else []
    return render_template("admin/identity_provider.html", form=form, kind=kind, provider=provider,
                           copy=copy), status


@bp.route("/identity-providers/new/<kind>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_identity_provider(kind: str):
    """Register a provider of ``kind`` (oidc or saml); its page then shows what its IT office copies."""
    if kind not in [k.value for k in ProviderKind]:
        abort(404)
    kind = ProviderKind(kind)
    form = _form(kind, None)
    settings = _checked(form, kind, None)
    if settings is None:
        return _form_page(form, kind, None)
    provider = registry.register(settings, current_user)
    db.session.commit()
    flash(f"{provider.name} is registered. Give its IT office the values below.", "success")
    return redirect(url_for("admin.identity_provider", provider_id=provider.id))


@bp.route("/identity-providers/<int:provider_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def identity_provider(provider_id: int):
    """A provider's settings, and the values its IT office copies to register this site."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    form = _form(provider.kind, provider)
    settings = _checked(form, provider.kind, provider)
    if settings is None:
        return _form_page(form, provider.kind, provider)
    changed = registry.update(provider, settings, current_user)
    db.session.commit()
    flash(f"{provider.name} is saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.identity_provider", provider_id=provider.id))


def _switch(provider_id: int, change, done: str):
    """Turn the provider off or on with ``change``, then say it is ``done``."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    back = url_for("admin.identity_provider", provider_id=provider.id)
    try:
        change(provider, current_user)
    except registry.RegistryError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(back), 409
    db.session.commit()
    flash(f"{provider.name} {done}.", "success")
    return redirect(back)


@bp.route("/identity-providers/<int:provider_id>/disable", methods=["POST"])
@role_required(Role.ADMIN)
def disable_identity_provider(provider_id: int):
    """Turn a provider off: its button goes, and no one signs in through it until it is turned on again."""
    if not confirmed():
        provider = db.get_or_404(IdentityProvider, provider_id)
        return confirmation_page(
            title=f"Turn off sign-in with {provider.name}?",
            consequences=f"The “Sign in with {provider.name}” button goes away and sign-ins under way through it "
                         "are refused. Members who linked it keep their accounts and sign in with a password or "
                         "a mailed link. You can turn it on again.",
            button="Turn off", cancel=url_for("admin.identity_provider", provider_id=provider.id))
    return _switch(provider_id, registry.disable, "is turned off")


@bp.route("/identity-providers/<int:provider_id>/enable", methods=["POST"])
@role_required(Role.ADMIN)
def enable_identity_provider(provider_id: int):
    """Turn a provider on again."""
    return _switch(provider_id, registry.enable, "is turned on: its button shows on the sign-in page")


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A metadata file over MAX_CONTENT_LENGTH is refused while the form is read, before the view runs, so
    it cannot show the form itself: it goes back to it, with the metadata limit. Other admin pages answer
    the plain 413 page."""
    if request.endpoint not in ("admin.new_identity_provider", "admin.identity_provider"):
        return handle_http_error(error)
    flash(f"{METADATA_TOO_LARGE} Nothing was saved.", "danger")
    return redirect(url_for(request.endpoint, **request.view_args), 303)

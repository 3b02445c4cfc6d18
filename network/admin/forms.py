"""Admin forms. They validate; they never save."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from network.forms import strip, strip_text
from network.identity import settings as provider_settings
from network.identity.models import ProviderKind
from network.identity.saml_metadata import MAX_METADATA_BYTES
from network.identity.saml_metadata import TOO_LARGE as METADATA_TOO_LARGE

REJECTION_REASON_MAX = 2000


class VerifyForm(FlaskForm):
    """Verify a pending member, and place them in one of their program's current cohorts if the admin
    chooses one. The route offers the cohorts (``set_cohorts``)."""

    cohort = SelectField("Place them in a cohort", choices=[], default="", validate_choice=False)
    submit = SubmitField("Verify")

    def set_cohorts(self, cohorts, role_label: str) -> None:
        self.cohort.choices = [SelectChoice("", "No cohort for now")] + [SelectChoice(str(c.id), c.name)
                                                                          for c in cohorts]
        self.cohort.description = (f"Optional: they join it as {role_label}, are told by notification and mail, "
                                   "and the placement is written to the audit log.")

    def validate_cohort(self, field):
        if field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError("Choose one of the program’s current cohorts, or “No cohort for now”.")

    def cohort_id(self) -> int | None:
        return int(self.cohort.data) if self.cohort.data else None


class RejectForm(FlaskForm):
    """Turning down a registration cannot be undone, so it asks why: the reason is mailed to the person."""

    reason = TextAreaField("Reason", filters=[strip_text],
                           validators=[DataRequired("Write why the registration is rejected: the person is "
                                                    "mailed your reason."),
                                       Length(max=REJECTION_REASON_MAX,
                                              message=f"Use at most {REJECTION_REASON_MAX} characters.")],
                           description="Mailed to them as you write it, and kept in the audit log. For example: "
                                       "“We could not find you on the roster of the program you named.”",
                           render_kw={"rows": 4, "maxlength": REJECTION_REASON_MAX})
    submit = SubmitField("Reject the registration")


class IdentityProviderForm(FlaskForm):
    """An identity provider's settings, as typed. The rules are ``network.identity.settings.check_settings``
    (shared with ``flask identity-provider add``); the route shows its errors on these fields. Fields of the
    other protocol are removed by ``for_kind``."""

    name = StringField("Name on the button", filters=[strip],
                       description="People see “Sign in with <name>”, such as “Northbridge Health”.",
                       render_kw={"maxlength": provider_settings.NAME_MAX, "autocomplete": "off"})
    slug = StringField("Address name", filters=[strip],
                       description="Lower-case letters, digits and hyphens, used in this provider’s addresses "
                                   "and in ?idp= links from a program’s page. Left empty, it is made from the name.",
                       render_kw={"maxlength": provider_settings.SLUG_MAX, "autocomplete": "off",
                                  "spellcheck": "false"})
    metadata_url = StringField("Discovery URL", filters=[strip], render_kw={"maxlength": provider_settings.URL_MAX,
                                                                           "inputmode": "url", "spellcheck": "false"})
    metadata_xml = TextAreaField("Or paste the metadata XML", filters=[strip_text],
                                 description="Instead of the address: the IdP’s metadata as its administrators "
                                             "sent it (an EntityDescriptor).", render_kw={"rows": 4})
    metadata_file = FileField("Or upload the metadata file",
                              description="An .xml file with the IdP’s metadata, instead of the address.",
                              # What the server reads, and its limit for the size check in app.js.
                              render_kw={"accept": ".xml,application/samlmetadata+xml,text/xml",
                                         "data-max-bytes": MAX_METADATA_BYTES,
                                         "data-too-large": "This file is {size}. " + METADATA_TOO_LARGE})
    reread = BooleanField("Read the metadata again from this address",
                          description="Tick it after the provider changed its keys or addresses.")
    client_id = StringField("Client ID", filters=[strip],
                            description="The application (client) id the provider issued for this site.",
                            render_kw={"maxlength": provider_settings.CLIENT_ID_MAX, "autocomplete": "off",
                                       "spellcheck": "false"})
    # A secret is never sent back to the browser: the field is empty on every page.
    client_secret = PasswordField("Client secret", render_kw={"maxlength": provider_settings.CLIENT_SECRET_MAX,
                                                              "autocomplete": "new-password"})
    email_domains = StringField("Allowed email domains", filters=[strip],
                                description="Separated by spaces, such as “northbridge.org nbhealth.org”: only "
                                            "people whose email ends in one of them sign in. Empty: any address.",
                                render_kw={"maxlength": provider_settings.DOMAINS_MAX, "spellcheck": "false"})
    program = SelectField("Program", choices=[], validate_choice=False,
                          description="People who arrive through this provider join it, as invited members do.")
    verifies_members = BooleanField("The institution vouches for its people: verify them at once",
                                    description="Left unticked, they wait for an administrator as after "
                                                "registering.")
    role_claim = StringField("Role claim or attribute", filters=[strip],
                             description="Such as “roles” (OpenID Connect) or “eduPersonAffiliation” (SAML). "
                                         "Empty: people choose their role once.",
                             render_kw={"maxlength": provider_settings.ROLE_CLAIM_MAX, "spellcheck": "false"})
    role_map = TextAreaField("Role mapping", filters=[strip_text],
                             description="One “value = role” a line; roles are fellow, alumni or faculty. "
                                         "For example “faculty = faculty” and “student = fellow”.",
                             render_kw={"rows": 3, "spellcheck": "false"})
    enabled = BooleanField("Turned on: show the “Sign in with …” button", default=True)
    submit = SubmitField("Save provider")

    def for_kind(self, kind: ProviderKind, programs, *, editing: bool) -> IdentityProviderForm:
        """Keep the fields of ``kind``'s protocol, with its words; ``programs`` (slug, name) fill the select."""
        self.program.choices = [SelectChoice("", "No program")] + [SelectChoice(slug, name) for slug, name in programs]
        if kind == ProviderKind.OIDC:
            del self.metadata_xml, self.metadata_file
            self.metadata_url.description = ("The provider’s OpenID Connect discovery document, ending in "
                                             "/.well-known/openid-configuration (https).")
            self.client_secret.description = ("Stored encrypted; never shown again. "
                                              + ("Leave it empty to keep the current secret."
                                                 if editing else "Copy it from the provider once."))
        else:
            del self.client_id, self.client_secret
            self.metadata_url.label.text = "Metadata URL"
            self.metadata_url.description = "The address of the identity provider’s SAML metadata (https)."
        if editing:
            self.slug.description = ("Lower-case letters, digits and hyphens. Changing it changes the addresses "
                                     "the institution’s IT office registered: they must register the new ones.")
        else:
            del self.reread
        return self

    def field_for(self, name: str):
        """The form field that shows the error ``check_settings`` reported for ``name``."""
        if name == "metadata":
            uploaded = "metadata_file" in self and self.metadata_file.data
            if uploaded:
                return self.metadata_file
            return self.metadata_xml if "metadata_xml" in self and self.metadata_xml.data else self.metadata_url
        return self._fields.get(name, self.name)

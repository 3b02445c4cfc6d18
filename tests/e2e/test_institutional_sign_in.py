"""In Chromium, institutional sign-in end to end, against real identity providers on this machine: the
oidc-provider-mock package (OpenID Connect) and a pysaml2 identity provider (SAML 2.0), each started once
for the module (``tests/identity/oidc_provider.py``, ``tests/identity/saml_idp.py``); the app is served for
real (``live_server``: PUBLIC_URL is its own address, where the SAML IdP fetches our metadata).

An administrator registers a provider in the admin form and a newcomer's first sign-in makes a member of
its program; a member with a password and one institution links a second after proving the account; a
turned-off provider refuses a sign-in under way and loses its button while the password still works; an
IdP on another site posts its answer without our SameSite=Lax cookie and our re-post page carries it on.
axe checks the pages of the flow that the crawl of tests/e2e/test_accessibility.py cannot reach.
"""

from __future__ import annotations

import re

import flask
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from network.extensions import db
from network.identity import discovery
from network.identity.models import IdentityProvider, LinkedIdentity
from network.members.models import MemberStatus, Role, User
from network.programs.models import Program
from network.types import utcnow
from tests.e2e.test_accessibility import AXE, AXE_TAGS, WIDTHS
from tests.e2e.test_join_flow import sign_in
from tests.identity.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_mock_provider
from tests.identity.saml_idp import PEOPLE, start_idp

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "chief@example.org"
ADMIN_PASSWORD = "chief admin passphrase 2026"
PROGRAM = "Northbridge Pain Medicine Fellowship"
OIDC_NAME = "Northbridge Health"
SAML_NAME = "Northbridge University"
# The member of the linking tests: the SAML person "ada" and the OpenID person "ada-1815" give this address.
ADA_EMAIL = PEOPLE["ada"].attributes["mail"][0].lower()
ADA_PASSWORD = "analytical engine on thursdays"


@pytest.fixture(scope="module")
def oidc_idp():
    """oidc-provider-mock with two people: a newcomer, and Ada (whose address has an account in some tests)."""
    server = start_mock_provider()
    server.add_person("rosa-2031", email="rosa.diaz@northbridge.org", email_verified=True, name="Dr. Rosa Díaz")
    server.add_person("ada-1815", email=ADA_EMAIL, email_verified=True, name="Ada Lovelace")
    yield server
    server.stop()
    discovery.forget()


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory):
    """The SAML IdP addressed as 127.0.0.1, the app's own site: its answer is a same-site POST."""
    server = start_idp(tmp_path_factory.mktemp("saml-idp"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def other_site_saml_idp(tmp_path_factory):
    """The SAML IdP addressed as localhost: another site than the app on 127.0.0.1, as a real IdP is."""
    server = start_idp(tmp_path_factory.mktemp("saml-idp-localhost"), host="localhost")
    yield server
    server.stop()


# -- setting the scene (what is not under test is made directly or with the operator's commands) ----------


def cli(server, *args: str, **env: str) -> str:
    result = server.app.test_cli_runner().invoke(args=list(args), env=env or None)
    assert result.exit_code == 0, result.output
    return result.output


def add_program(server) -> None:
    with server.app.app_context():
        db.session.add(Program(slug="northbridge-pain", name=PROGRAM, institution="Northbridge Health"))
        db.session.commit()


def add_member(server, email: str = ADA_EMAIL, name: str = "Ada Lovelace") -> int:
    """A verified fellow with a password (a quick hash: hashing is slow on purpose)."""
    with server.app.app_context():
        now = utcnow()
        user = User(name=name, email=email, role=Role.FELLOW, status=MemberStatus.VERIFIED, verified_at=now,
                    email_confirmed_at=now, password_hash=generate_password_hash(ADA_PASSWORD, "pbkdf2:sha256:1000"))
        db.session.add(user)
        db.session.commit()
        return user.id


def register_oidc(server, idp, slug: str = "northbridge") -> None:
    cli(server, "identity-provider", "add", "--kind", "oidc", "--name", OIDC_NAME, "--slug", slug,
        "--metadata", idp.discovery_url, "--client-id", CLIENT_ID, IDENTITY_PROVIDER_CLIENT_SECRET=CLIENT_SECRET)


def register_saml(server, idp, *extra: str) -> None:
    cli(server, "identity-provider", "add", "--kind", "saml", "--name", SAML_NAME, "--slug", "northbridge-u",
        "--metadata", idp.metadata_url, *extra)


def answers_received(server, path: str) -> list[tuple[bool, bool]]:
    """What reaches the app at ``path`` by POST from now on: (with our session cookie, re-posted by our page)."""
    received: list[tuple[bool, bool]] = []
    cookie = server.app.config["SESSION_COOKIE_NAME"]

    def note():
        if flask.request.method == "POST" and flask.request.path == path:
            received.append((cookie in flask.request.cookies, "_reposted" in flask.request.form))

    server.app.before_request(note)
    return received


def new_context(browser: Browser, width: str = "desktop") -> BrowserContext:
    """A browser of its own (its own cookies), with axe-core loaded into each page it opens. The site's
    Content-Security-Policy stays on: the re-post page's script must run under it."""
    context = browser.new_context(viewport=WIDTHS[width])
    context.add_init_script(path=str(AXE))
    return context


def serious_axe_violations(page: Page) -> list[str]:
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def check_axe(page: Page, checked: dict[str, list[str]]) -> None:
    """axe on the page as it is, at its width, then at the other width; ``checked`` gathers the findings."""
    path = page.url.split("?")[0]
    original = page.viewport_size
    for width in WIDTHS.values():
        page.set_viewport_size(width)
        checked[f"{path} at {width['width']}px"] = serious_axe_violations(page)
    page.set_viewport_size(original)


def authorize_at_mock(page: Page, sub: str) -> None:
    """oidc-provider-mock's page: type the subject, click Authorize."""
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def sign_in_at_saml_idp(page: Page, person: str) -> None:
    """The test IdP's pages: pick the person, Sign in, then Continue (its form posts to our ACS)."""
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Who are you?").select_option(person)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()


def sign_in_methods(page: Page):
    """The account page's linked institutions (not its "Link an institution" buttons)."""
    return page.locator("div.card-body").filter(
        has=page.get_by_role("heading", name="Sign-in methods")).locator("ul.list-group > li")


# -- the flows ---------------------------------------------------------------------------------------------


def test_admin_registers_an_openid_provider_and_a_newcomer_joins_its_program(browser, live_server, oidc_idp,
                                                                            screenshots):
    base = live_server.url
    add_program(live_server)
    cli(live_server, "create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    axe_findings: dict[str, list[str]] = {}

    # The administrator registers the hospital's OpenID provider in the admin form.
    admin_context = new_context(browser)
    admin = admin_context.new_page()
    sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto(f"{base}/admin/identity-providers/")
    admin.get_by_role("link", name="Add a OpenID Connect provider").click()
    admin.get_by_label("Name on the button").fill(OIDC_NAME)
    admin.get_by_label("Address name").fill("northbridge")
    admin.get_by_label("Discovery URL").fill(oidc_idp.discovery_url)
    admin.get_by_label("Client ID").fill(CLIENT_ID)
    admin.get_by_label("Client secret").fill(CLIENT_SECRET)
    admin.get_by_label("Program", exact=True).select_option(label=PROGRAM)
    admin.get_by_label("The institution vouches for its people").check()
    admin.get_by_role("button", name="Register provider").click()
    expect(admin.get_by_text(f"{OIDC_NAME} is registered")).to_be_visible()
    expect(admin.locator("#it-office-values")).to_contain_text(f"{base}/auth/login/with/northbridge/return")
    admin.screenshot(path=screenshots / "idp-1-registered.png", full_page=True)

    # A newcomer signs in with the hospital: authorizes at the provider, chooses a role once.
    person_context = new_context(browser)
    page = person_context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name=f"Sign in with {OIDC_NAME}").click()
    authorize_at_mock(page, "rosa-2031")
    expect(page).to_have_url(f"{base}/auth/login/new-member")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_axe(page, axe_findings)
    page.screenshot(path=screenshots / "idp-2-choose-role.png", full_page=True)
    page.get_by_label("A current fellow").check()
    page.get_by_role("button", name="Continue").click()

    # Signed in as a new member: their name in the navigation, the hospital on their account page.
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text(f"Your account was made from your {OIDC_NAME} sign-in")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Dr. Rosa Díaz")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Dr. Rosa Díaz").click()
    expect(sign_in_methods(page)).to_have_count(1)
    expect(sign_in_methods(page).first).to_contain_text(OIDC_NAME)
    expect(sign_in_methods(page).first).to_contain_text("rosa.diaz@northbridge.org")
    page.screenshot(path=screenshots / "idp-3-new-member-account.png", full_page=True)

    # The administrator sees the program and the one member linked through the hospital.
    admin.goto(f"{base}/admin/identity-providers/")
    row = admin.get_by_role("row", name=re.compile(OIDC_NAME))
    expect(row).to_contain_text(PROGRAM)
    expect(row.locator("td[data-label='Linked members']")).to_have_text("1")
    admin_context.close()

    # The person who arrived is the program's verified fellow, with no password.
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rosa.diaz@northbridge.org"))
        assert (user.role, user.status, user.has_password) == (Role.FELLOW, MemberStatus.VERIFIED, False)
        assert user.registration.program.name == PROGRAM

    # An answer that no sign-in in this browser started is refused, on a page of its own.
    page.goto(f"{base}/auth/login/with/northbridge/return?code=stolen&state=forged")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("could not be matched to one started in this browser")).to_be_visible()
    check_axe(page, axe_findings)
    person_context.close()

    assert axe_findings == {path: [] for path in axe_findings}, axe_findings


def test_a_member_with_a_password_links_a_second_institution_after_proving_the_account(
        browser, live_server, oidc_idp, saml_idp, screenshots):
    base = live_server.url
    add_program(live_server)
    add_member(live_server)
    register_oidc(live_server, oidc_idp)
    register_saml(live_server, saml_idp, "--program", "northbridge-pain", "--verifies-members")
    axe_findings: dict[str, list[str]] = {}

    # On a phone: the member signs in with the password and links the hospital from the account page.
    context = new_context(browser, "phone")
    page = context.new_page()
    sign_in(page, base, ADA_EMAIL, ADA_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Ada Lovelace")
    page.goto(f"{base}/auth/account")
    page.get_by_role("button", name=f"Link {OIDC_NAME}").click()
    authorize_at_mock(page, "ada-1815")
    expect(page).to_have_url(f"{base}/auth/account")
    expect(page.get_by_text(f"{OIDC_NAME} is linked")).to_be_visible()
    expect(sign_in_methods(page)).to_have_count(1)
    page.get_by_role("button", name="Show navigation").click()
    # The menu slides open; a click while it is still "collapsing" can miss the button, so wait until it is shown.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()  # before the next goto cancels the sign-out

    # Through the university's SAML IdP: the account with her address must be proved first.
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name=f"Sign in with {SAML_NAME}").click()
    sign_in_at_saml_idp(page, "ada")
    expect(page).to_have_url(f"{base}/auth/login/link-account")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Link {SAML_NAME} to your account")
    check_axe(page, axe_findings)
    page.screenshot(path=screenshots / "idp-4-prove.png", full_page=True)
    password = page.get_by_label("Your Fellowship Network password")
    password.fill("not the password at all")
    page.get_by_role("button", name="Link and sign in").click()
    expect(page.get_by_text("This is not the password of this account")).to_be_visible()
    check_axe(page, axe_findings)  # with the error shown
    password.fill(ADA_PASSWORD)
    page.get_by_role("button", name="Link and sign in").click()

    # Signed in; both institutions are her sign-in methods, next to her password.
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text(f"{SAML_NAME} is linked to your account")).to_be_visible()
    page.goto(f"{base}/auth/account")
    methods = sign_in_methods(page)
    expect(methods).to_have_count(2)
    expect(methods.nth(0)).to_contain_text(OIDC_NAME)
    expect(methods.nth(1)).to_contain_text(SAML_NAME)
    page.screenshot(path=screenshots / "idp-5-two-institutions.png", full_page=True)
    context.close()

    # Linked, not a second account: one member with the address, both identities hers.
    with live_server.app.app_context():
        users = db.session.scalars(select(User).where(User.email == ADA_EMAIL)).all()
        assert len(users) == 1
        linked = db.session.scalars(select(LinkedIdentity.subject).where(LinkedIdentity.user_id == users[0].id))
        assert sorted(linked) == ["ada-1815", PEOPLE["ada"].name_id]

    assert axe_findings == {path: [] for path in axe_findings}, axe_findings


def test_a_turned_off_provider_refuses_a_sign_in_under_way_and_the_password_still_works(
        browser, live_server, oidc_idp, screenshots):
    base = live_server.url
    member_id = add_member(live_server)
    register_oidc(live_server, oidc_idp)
    cli(live_server, "create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    with live_server.app.app_context():
        provider = db.session.scalar(select(IdentityProvider).where(IdentityProvider.slug == "northbridge"))
        db.session.add(LinkedIdentity(user_id=member_id, provider_id=provider.id, subject="ada-1815", email=ADA_EMAIL))
        db.session.commit()
    axe_findings: dict[str, list[str]] = {}

    # The member starts signing in with the hospital...
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name=f"Sign in with {OIDC_NAME}").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()

    # ...while the administrator turns the hospital's sign-in off.
    admin_context = new_context(browser)
    admin = admin_context.new_page()
    sign_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto(f"{base}/admin/identity-providers/")
    admin.get_by_role("link", name=OIDC_NAME).click()
    admin.get_by_role("button", name="Turn off").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Turn off sign-in with {OIDC_NAME}?")
    admin.get_by_role("button", name="Turn off").click()
    expect(admin.get_by_text(f"{OIDC_NAME} is turned off")).to_be_visible()
    admin_context.close()

    # The provider's answer arrives: refused, with the way that still works.
    authorize_at_mock(page, "ada-1815")
    expect(page.get_by_text(f"Sign-in through {OIDC_NAME} is turned off")).to_be_visible()
    check_axe(page, axe_findings)
    page.screenshot(path=screenshots / "idp-6-turned-off.png", full_page=True)

    # The button is gone; the password signs her in; the account page marks the institution turned off.
    page.goto(f"{base}/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("link", name=re.compile("^Sign in with"))).to_have_count(0)
    sign_in(page, base, ADA_EMAIL, ADA_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Ada Lovelace")
    page.goto(f"{base}/auth/account")
    expect(sign_in_methods(page).first).to_contain_text("turned off")
    context.close()

    assert axe_findings == {path: [] for path in axe_findings}, axe_findings


def test_an_answer_posted_from_another_site_is_carried_on_by_our_re_post_page(
        browser, live_server, other_site_saml_idp, screenshots):
    base = live_server.url
    register_saml(live_server, other_site_saml_idp, "--role-claim", "eduPersonAffiliation",
                  "--role-map", "student=fellow,faculty=faculty", "--verifies-members")
    return_path = "/auth/login/with/northbridge-u/return"
    assert other_site_saml_idp.sso_url.startswith("http://localhost:")
    axe_findings: dict[str, list[str]] = {}

    # On a phone, with the site's script: the IdP's POST comes without our cookie, our page posts it again.
    context = new_context(browser, "phone")
    page = context.new_page()
    policy_violations: list[str] = []
    page.on("console", lambda message: policy_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    posts = answers_received(live_server, return_path)
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name=f"Sign in with {SAML_NAME}").click()
    sign_in_at_saml_idp(page, "ben")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text(f"Your account was made from your {SAML_NAME} sign-in")).to_be_visible()
    # The IdP's post reached us without our cookie; the re-post, from our page, with it.
    assert posts == [(False, False), (True, True)]
    assert policy_violations == []
    page.goto(f"{base}/auth/account")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(sign_in_methods(page).first).to_contain_text(SAML_NAME)
    context.close()

    # Without the script (or before it runs) the re-post page waits for its Continue button.
    context = new_context(browser, "phone")
    context.route(re.compile(r"/js/repost\.js"), lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name=f"Sign in with {SAML_NAME}").click()
    sign_in_at_saml_idp(page, "ben")
    expect(page.get_by_role("heading", level=1)).to_have_text("Continue signing in")
    expect(page).to_have_url(f"{base}{return_path}")
    check_axe(page, axe_findings)
    page.screenshot(path=screenshots / "idp-7-repost.png", full_page=True)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/auth/account")
    expect(page.get_by_role("heading", name="Sign-in methods")).to_be_visible()
    context.close()

    with live_server.app.app_context():
        ben = db.session.scalar(select(User).where(User.email == "ben.okafor@northbridge.org"))
        assert (ben.name, ben.role, ben.status) == ("Ben Okafor", Role.FELLOW, MemberStatus.VERIFIED)

    assert axe_findings == {path: [] for path in axe_findings}, axe_findings

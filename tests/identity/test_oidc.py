"""OpenID Connect sign-in against real providers on 127.0.0.1: oidc-provider-mock for the happy path and
the refusals it can produce, our scripted provider for every ID token that must be refused."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from network.identity import discovery, oidc
from network.identity.models import IdentityProvider
from network.identity.protocol import SignInRefused
from tests.identity.oidc_provider import CLIENT_SECRET
from tests.servers import free_port

RETURN_URL = "http://localhost/auth/login/with/northbridge/return"


@pytest.fixture(autouse=True)
def _app_context(protocol_app):
    with protocol_app.app_context():
        yield


def sign_in(server, provider=None, **authorize):
    """begin, the provider's page, finish: the Assertion (or the SignInRefused raised)."""
    provider = provider or server.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = server.authorize(start.url, **authorize)
    return oidc.finish(provider, RETURN_URL, params, start.kept)


def refusal(server, provider=None, **authorize) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        sign_in(server, provider, **authorize)
    return caught.value


def dead_address(path="/.well-known/openid-configuration") -> str:
    return f"http://127.0.0.1:{free_port()}{path}"


# -- the happy path, at oidc-provider-mock ---------------------------------------------------------------

def test_a_person_signs_in_at_the_mock_provider(oidc_mock_provider):
    oidc_mock_provider.add_person("grace-1906", email="grace@northbridge.org", email_verified=True,
                                  given_name="Grace", family_name="Hopper", groups=["faculty", "staff"])
    assertion = sign_in(oidc_mock_provider, sub="grace-1906")
    assert assertion.subject == "grace-1906"
    assert assertion.email == "grace@northbridge.org"
    assert assertion.email_verified is True
    assert assertion.name == "Grace Hopper"
    assert assertion.claims["groups"] == "faculty staff"
    assert assertion.claims["email_verified"] == "true"
    assert assertion.mfa is False


def test_the_mock_provider_says_mfa_with_amr(oidc_mock_provider):
    oidc_mock_provider.add_person("katherine", email="kj@northbridge.org", amr=["pwd", "mfa"])
    assertion = sign_in(oidc_mock_provider, sub="katherine")
    assert assertion.mfa is True
    assert assertion.email_verified is False  # the provider did not vouch for the email


def test_begin_asks_for_a_code_with_pkce_state_and_nonce(oidc_mock_provider):
    provider = oidc_mock_provider.identity_provider()
    first, second = oidc.begin(provider, RETURN_URL), oidc.begin(provider, RETURN_URL)
    url = urlsplit(first.url)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_mock_provider.url}/oauth2/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == provider.client_id
    assert query["redirect_uri"] == RETURN_URL
    assert query["scope"] == "openid email profile"
    assert query["state"] == first.kept["state"]
    assert query["nonce"] == first.kept["nonce"]
    assert query["code_challenge_method"] == "S256"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(first.kept["code_verifier"].encode()).digest())
    assert query["code_challenge"] == challenge.rstrip(b"=").decode()
    assert "code_verifier" not in query
    assert 43 <= len(first.kept["code_verifier"]) <= 128
    # Fresh each time, and plain JSON: the session keeps it.
    assert all(first.kept[name] != second.kept[name] for name in ("state", "nonce", "code_verifier"))
    assert json.loads(json.dumps(first.kept)) == first.kept


def test_denied_at_the_mock_provider(oidc_mock_provider):
    provider = oidc_mock_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = oidc_mock_provider.deny(start.url)
    assert params["error"] == "access_denied"
    with pytest.raises(SignInRefused) as caught:
        oidc.finish(provider, RETURN_URL, params, start.kept)
    assert caught.value.reason == "denied"
    assert "Northbridge Health" in caught.value.message


def test_a_code_brought_back_twice_is_refused(oidc_mock_provider):
    provider = oidc_mock_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = oidc_mock_provider.authorize(start.url, "ada")
    oidc.finish(provider, RETURN_URL, params, start.kept)
    with pytest.raises(SignInRefused) as caught:
        oidc.finish(provider, RETURN_URL, params, start.kept)
    assert caught.value.reason == "provider"
    assert params["code"] not in str(caught.value)


# -- the state ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change", ["another", "missing", "not kept"])
def test_a_wrong_or_missing_state_is_refused(scripted_oidc_provider, change):
    provider = scripted_oidc_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = scripted_oidc_provider.authorize(start.url)
    kept = dict(start.kept)
    if change == "another":
        params["state"] = oidc.begin(provider, RETURN_URL).kept["state"]
    elif change == "missing":
        del params["state"]
    else:
        del kept["state"]
        params["state"] = ""
    with pytest.raises(SignInRefused) as caught:
        oidc.finish(provider, RETURN_URL, params, kept)
    assert caught.value.reason == "state"
    assert scripted_oidc_provider.token_requests == []  # the code was never used


def test_a_provider_error_is_a_refusal_whatever_its_state(scripted_oidc_provider):
    provider = scripted_oidc_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    for state in (start.kept["state"], "forged", None):
        params = {"error": "access_denied"} | ({"state": state} if state else {})
        with pytest.raises(SignInRefused) as caught:
            oidc.finish(provider, RETURN_URL, params, start.kept)
        assert caught.value.reason == "denied"
    assert scripted_oidc_provider.token_requests == []


# -- the ID token, at the scripted provider ----------------------------------------------------------------

def test_a_good_id_token_from_the_scripted_provider(scripted_oidc_provider):
    assertion = sign_in(scripted_oidc_provider)
    assert (assertion.subject, assertion.email, assertion.email_verified, assertion.name) == (
        "ada-1815", "ada@northbridge.org", True, "Ada Lovelace")
    [request] = scripted_oidc_provider.token_requests
    assert request["auth_method"] == "client_secret_basic"
    assert "client_secret" not in request["form"]
    assert request["form"]["code_verifier"]
    assert request["form"]["redirect_uri"] == RETURN_URL


@pytest.mark.parametrize(("flaw", "reason"), [
    ("nonce", "nonce"),
    ("expired", "expired"),
    ("issued-in-future", "expired"),
    ("audience", "audience"),
    ("azp", "audience"),
    ("issuer", "issuer"),
    ("other-key", "signature"),
    ("unknown-kid", "signature"),
    ("hs256", "signature"),
    ("none", "unsigned"),
    ("no-id-token", "unsigned"),
    ("token-error", "provider"),
])
def test_a_flawed_answer_is_refused(scripted_oidc_provider, caplog, flaw, reason):
    scripted_oidc_provider.flaw = flaw
    provider = scripted_oidc_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = scripted_oidc_provider.authorize(start.url)
    with caplog.at_level(logging.DEBUG), pytest.raises(SignInRefused) as caught:
        oidc.finish(provider, RETURN_URL, params, start.kept)
    assert caught.value.reason == reason
    if flaw in ("hs256", "none"):
        # Refused on its header alone: no key is looked up (nor the key set read again) for it.
        assert "/jwks" not in scripted_oidc_provider.hits
    for secret in (CLIENT_SECRET, params["code"], start.kept["code_verifier"]):
        assert secret not in str(caught.value)
        assert secret not in caplog.text


def test_a_redirect_naming_another_issuer_is_refused_before_the_code_is_used(scripted_oidc_provider):
    provider = scripted_oidc_provider.identity_provider()
    start = oidc.begin(provider, RETURN_URL)
    params = scripted_oidc_provider.authorize(start.url)
    assert params["iss"] == scripted_oidc_provider.url
    params["iss"] = "https://impostor.example.org"
    with pytest.raises(SignInRefused) as caught:
        oidc.finish(provider, RETURN_URL, params, start.kept)
    assert caught.value.reason == "issuer"
    assert scripted_oidc_provider.token_requests == []


def test_an_azp_naming_another_client_is_refused(scripted_oidc_provider):
    scripted_oidc_provider.extra_claims = {"azp": "another-client"}
    assert refusal(scripted_oidc_provider).reason == "audience"


def test_several_audiences_with_our_azp_are_accepted(scripted_oidc_provider):
    scripted_oidc_provider.extra_claims = {"aud": ["fellowship-network", "an-api"], "azp": "fellowship-network"}
    assert sign_in(scripted_oidc_provider).subject == "ada-1815"


@pytest.mark.parametrize(("claims", "accepted"), [
    ({"exp": -60}, True),          # expired a minute ago: within the clocks' allowed disagreement
    ({"exp": -180}, False),        # three minutes ago: beyond it
    ({"iat": 60, "exp": 600}, True),
    ({"iat": 180, "exp": 600}, False),
])
def test_clock_skew_is_allowed_up_to_two_minutes(scripted_oidc_provider, claims, accepted):
    now = int(time.time())
    scripted_oidc_provider.extra_claims = {name: now + offset for name, offset in claims.items()}
    if accepted:
        assert sign_in(scripted_oidc_provider).subject == "ada-1815"
    else:
        assert refusal(scripted_oidc_provider).reason == "expired"


@pytest.mark.parametrize("missing", ["exp", "iat", "nonce"])
def test_an_id_token_missing_a_required_claim_is_refused(scripted_oidc_provider, missing):
    scripted_oidc_provider.extra_claims = {missing: None}
    assert refusal(scripted_oidc_provider).reason == ("nonce" if missing == "nonce" else "expired")


# -- keys ----------------------------------------------------------------------------------------------------

def test_an_unknown_key_id_reads_the_key_set_once_more(scripted_oidc_provider):
    scripted_oidc_provider.flaw = "unknown-kid"
    assert refusal(scripted_oidc_provider).reason == "signature"
    assert scripted_oidc_provider.hits["/jwks"] == 2


def test_a_rotated_key_is_picked_up(scripted_oidc_provider):
    sign_in(scripted_oidc_provider)
    scripted_oidc_provider.rotate_keys()
    assert sign_in(scripted_oidc_provider).subject == "ada-1815"
    assert scripted_oidc_provider.hits["/jwks"] == 2
    sign_in(scripted_oidc_provider)
    assert scripted_oidc_provider.hits["/jwks"] == 2  # the new set is kept


def test_the_documents_are_kept_ten_minutes(scripted_oidc_provider, monkeypatch):
    sign_in(scripted_oidc_provider)
    sign_in(scripted_oidc_provider)
    assert scripted_oidc_provider.hits["/.well-known/openid-configuration"] == 1
    assert scripted_oidc_provider.hits["/jwks"] == 1
    monkeypatch.setattr(discovery, "LIFETIME", 0)
    sign_in(scripted_oidc_provider)
    assert scripted_oidc_provider.hits["/.well-known/openid-configuration"] > 1
    assert scripted_oidc_provider.hits["/jwks"] == 2


# -- the token request ------------------------------------------------------------------------------------

def test_the_secret_goes_in_the_form_when_the_provider_only_takes_that(scripted_oidc_provider):
    scripted_oidc_provider.auth_methods = ["client_secret_post"]
    assert sign_in(scripted_oidc_provider).subject == "ada-1815"
    [request] = scripted_oidc_provider.token_requests
    assert request["auth_method"] == "client_secret_post"
    assert request["form"]["client_secret"] == CLIENT_SECRET


def test_the_secret_goes_in_a_basic_header_when_the_provider_does_not_say(scripted_oidc_provider):
    scripted_oidc_provider.auth_methods = None
    sign_in(scripted_oidc_provider)
    assert scripted_oidc_provider.token_requests[0]["auth_method"] == "client_secret_basic"


def test_a_wrong_client_secret_is_refused(scripted_oidc_provider):
    provider = scripted_oidc_provider.identity_provider(secret="not-the-secret")
    assert refusal(scripted_oidc_provider, provider).reason == "provider"


def test_a_slow_token_endpoint_is_given_up_on(scripted_oidc_provider, monkeypatch):
    monkeypatch.setattr(discovery, "TIMEOUT", 0.3)
    scripted_oidc_provider.flaw = "slow"
    error = refusal(scripted_oidc_provider)
    assert error.reason == "provider"
    assert "cannot be reached" in error.message


def test_a_token_endpoint_that_does_not_answer(scripted_oidc_provider):
    scripted_oidc_provider.document = {"token_endpoint": dead_address("/token")}
    assert refusal(scripted_oidc_provider).reason == "provider"


def test_a_provider_that_does_not_answer_cannot_begin():
    provider = IdentityProvider(slug="gone", name="Gone Health", metadata_url=dead_address(),
                                     client_id="x")
    with pytest.raises(SignInRefused) as caught:
        oidc.begin(provider, RETURN_URL)
    assert caught.value.reason == "provider"
    assert "Gone Health" in caught.value.message


# -- what the assertion says ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "verified"), [(True, True), ("true", True), (False, False), (None, False)])
def test_email_verified_only_when_the_provider_says_so(scripted_oidc_provider, value, verified):
    person = {key: val for key, val in scripted_oidc_provider.person.items() if key != "email_verified"}
    scripted_oidc_provider.person = person if value is None else {**person, "email_verified": value}
    assert sign_in(scripted_oidc_provider).email_verified is verified


def test_amr_mfa_from_the_scripted_provider(scripted_oidc_provider):
    scripted_oidc_provider.person = {**scripted_oidc_provider.person, "amr": ["pwd", "mfa"]}
    assert sign_in(scripted_oidc_provider).mfa is True


@pytest.mark.parametrize(("claims", "mfa"), [
    ({"amr": ["mfa"]}, True),
    ({"amr": ["pwd", "otp"]}, True),
    ({"amr": ["pwd", "hwk"]}, True),
    ({"amr": "pwd mfa"}, True),
    ({"acr": "http://schemas.openid.net/pape/policies/2007/06/multi-factor"}, True),
    ({"acr": "https://refeds.org/profile/mfa"}, True),
    ({"acr": "urn:okta:loa:2fa:any"}, True),
    ({"amr": ["pwd"]}, False),
    ({"amr": ["otp"]}, False),
    ({"amr": ["hwk", "otp"]}, False),
    ({"acr": "urn:okta:loa:1fa:any"}, False),
    ({"acr": "1"}, False),
    ({}, False),
])
def test_asserts_mfa(claims, mfa):
    assert oidc.asserts_mfa(claims) is mfa


def test_claims_are_flattened_for_the_role_mapping():
    assertion = oidc.assertion_from_claims({
        "sub": "s-1", "groups": ["faculty", "staff"], "age": 42, "ratio": 1.5, "staff": True, "student": False,
        "address": {"country": "UK"}, "nested": [["a"]], "name": "", "given_name": "Ada", "family_name": "",
    })
    assert assertion.claims == {"sub": "s-1", "groups": "faculty staff", "age": "42", "ratio": "1.5",
                                "staff": "true", "student": "false", "name": "", "given_name": "Ada",
                                "family_name": ""}
    assert assertion.name == "Ada"
    assert (assertion.email, assertion.email_verified, assertion.mfa) == ("", False, False)


# -- read_metadata ------------------------------------------------------------------------------------------

def test_read_metadata_accepts_the_mock_providers_document(oidc_mock_provider):
    url = oidc_mock_provider.discovery_url
    assert oidc.read_metadata(f"  {url} ", require_https=False) == {"metadata_url": url}


def test_read_metadata_refuses_plain_http_when_https_is_required(oidc_mock_provider):
    with pytest.raises(ValueError, match="https://"):
        oidc.read_metadata(oidc_mock_provider.discovery_url, require_https=True)


@pytest.mark.parametrize("source", ["", "northbridge.org", "ftp://northbridge.org/x", "<EntityDescriptor/>",
                                    "https://[::1", "https://northbridge.org/" + "x" * 500])
def test_read_metadata_refuses_what_is_not_an_address(source):
    with pytest.raises(ValueError, match="address of the provider's discovery document"):
        oidc.read_metadata(source, require_https=False)


def test_read_metadata_refuses_a_page_that_is_not_a_provider(oidc_mock_provider, scripted_oidc_provider):
    with pytest.raises(ValueError, match="JSON"):
        oidc.read_metadata(f"{oidc_mock_provider.url}/", require_https=False)
    with pytest.raises(ValueError, match="not an OpenID provider's.*issuer, authorization_endpoint"):
        oidc.read_metadata(f"{scripted_oidc_provider.url}/jwks", require_https=False)
    with pytest.raises(ValueError, match="HTTP status 404"):
        oidc.read_metadata(f"{scripted_oidc_provider.url}/nothing-here", require_https=False)


def test_read_metadata_refuses_a_provider_without_the_code_flow(scripted_oidc_provider):
    scripted_oidc_provider.document = {"response_types_supported": ["id_token"]}
    with pytest.raises(ValueError, match="authorization code flow"):
        oidc.read_metadata(scripted_oidc_provider.discovery_url, require_https=False)


def test_read_metadata_refuses_an_address_that_does_not_answer():
    url = dead_address()
    with pytest.raises(ValueError, match="could not be reached") as caught:
        oidc.read_metadata(url, require_https=False)
    assert url in str(caught.value)


def test_read_metadata_reads_again_what_sign_ins_keep(scripted_oidc_provider):
    sign_in(scripted_oidc_provider)
    oidc.read_metadata(scripted_oidc_provider.discovery_url, require_https=False)
    assert scripted_oidc_provider.hits["/.well-known/openid-configuration"] == 2


def test_plain_http_endpoints():
    document = {"issuer": "https://idp.example.org", "authorization_endpoint": "https://idp.example.org/a",
                "token_endpoint": "http://idp.example.org/t", "jwks_uri": "https://idp.example.org/k",
                "userinfo_endpoint": "http://idp.example.org/u"}
    assert discovery.plain_http_endpoints(document) == ["token_endpoint", "userinfo_endpoint"]


# -- over https ---------------------------------------------------------------------------------------------

def test_a_sign_in_over_https(scripted_oidc_https_provider):
    assert scripted_oidc_https_provider.url.startswith("https://")
    assert sign_in(scripted_oidc_https_provider).subject == "ada-1815"


def test_read_metadata_accepts_a_provider_all_in_https(scripted_oidc_https_provider):
    url = scripted_oidc_https_provider.discovery_url
    assert oidc.read_metadata(url, require_https=True) == {"metadata_url": url}


def test_read_metadata_refuses_a_provider_with_a_plain_http_endpoint(scripted_oidc_https_provider):
    token_endpoint = scripted_oidc_https_provider.url.replace("https://", "http://") + "/token"
    scripted_oidc_https_provider.document = {"token_endpoint": token_endpoint}
    with pytest.raises(ValueError, match="plain http:// addresses for its token_endpoint"):
        oidc.read_metadata(scripted_oidc_https_provider.discovery_url, require_https=True)
    # Where https is not required (development), the same document is accepted.
    assert oidc.read_metadata(scripted_oidc_https_provider.discovery_url, require_https=False)


def test_read_metadata_refuses_a_certificate_it_cannot_trust(scripted_oidc_https_provider, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(ValueError, match="certificate we can trust"):
        oidc.read_metadata(scripted_oidc_https_provider.discovery_url, require_https=True)

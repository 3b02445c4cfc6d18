"""On a phone, the demo fellow chooses photos through the real file input: a document renamed .jpg is refused with
what they typed kept, a photo over 2 MB is named before it is sent (and, without JavaScript, by the server on
the profile form), and a good photo chosen before "Save profile" is saved with the profile."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_join_flow import page_width, sign_in
from tests.profiles_helpers import image_bytes

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
FELLOW = ("fellow@example.org", "demo-password-2026")
NOT_AN_IMAGE = {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 a document, renamed"}
TOO_LARGE = {"name": "camera.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (5 * 1024 * 1024)}


def phone_page(browser: Browser, base: str, **options) -> Page:
    page = browser.new_context(**PHONE, **options).new_page()
    sign_in(page, base, *FELLOW)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    return page


def no_sideways_scroll(page: Page) -> None:
    assert page_width(page) <= 390


def test_photo_choices_on_a_phone(browser: Browser, live_server, screenshots, tmp_path):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    page = phone_page(browser, base)
    page.goto(f"{base}/members/me/edit")
    name = page.get_by_label("Full name").input_value()
    photo_input = page.get_by_label("New photo")
    expect(photo_input).to_have_attribute("accept", "image/jpeg,image/png,image/gif,image/webp")

    # A document renamed .jpg, with a new headline typed: refused, the headline and the name still there.
    page.get_by_label("Headline").fill("Typed before a wrong file")
    photo_input.set_input_files(NOT_AN_IMAGE)
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("That file is not an image we can read")).to_be_visible()
    expect(page.get_by_label("Headline")).to_have_value("Typed before a wrong file")
    expect(page.get_by_label("Full name")).to_have_value(name)
    expect(photo_input).to_have_attribute("aria-invalid", "true")
    no_sideways_scroll(page)
    page.screenshot(path=screenshots / "photo-refused-phone.png", full_page=True)

    # A photo over 2 MB is named as soon as it is chosen, and left out of the form.
    photo_input.set_input_files(TOO_LARGE)
    expect(page.get_by_text("This photo is 5.0 MB. Photos can be at most 2 MB")).to_be_visible()
    assert photo_input.evaluate("input => input.files.length") == 0

    # A good photo, then "Save profile": both are saved.
    good = tmp_path / "portrait.jpg"
    good.write_bytes(image_bytes("JPEG", size=(800, 600), colour="#7a3e2b"))
    photo_input.set_input_files(str(good))
    expect(page.get_by_text("Photos can be at most 2 MB")).to_have_count(0)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved. Your photo is updated.")).to_be_visible()
    expect(page.get_by_text("Typed before a wrong file")).to_be_visible()
    avatar = page.get_by_role("img", name=f"Photo of {name}").first
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.complete && img.naturalWidth") == 320
    no_sideways_scroll(page)
    page.screenshot(path=screenshots / "photo-saved-phone.png", full_page=True)


def test_a_photo_over_2_mb_without_javascript_gets_the_message_on_the_profile_form(browser: Browser, live_server,
                                                                                    screenshots):
    assert live_server.app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    page = phone_page(browser, base, java_script_enabled=False)
    page.goto(f"{base}/members/me/edit")
    page.get_by_label("New photo").set_input_files(TOO_LARGE)
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Photos can be at most 2 MB. Choose a smaller photo or resize it first.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
    expect(page.get_by_role("button", name="Save profile")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshots / "photo-too-large-no-js-phone.png", full_page=True)

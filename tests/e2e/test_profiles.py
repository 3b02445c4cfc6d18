"""The demo fellow completes their profile with a photo, finds an alumna in the directory and saves her."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_join_flow import sign_in
from tests.profiles_helpers import image_bytes

pytestmark = pytest.mark.e2e


def test_fellow_completes_profile_searches_and_saves(page: Page, live_server, screenshots, tmp_path):
    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    base = live_server.url
    sign_in(page, base, "fellow@example.org", "demo-password-2026")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")

    # Complete the profile: a new headline, an interest, and a photo.
    page.goto(f"{base}/members/me/edit")
    page.get_by_label("Headline").fill("PGY-5 pain fellow, neuromodulation and spine")
    page.get_by_label("Peripheral nerve stimulation").check()
    page.get_by_label("Who sees your city, region, country and time zone").select_option("connected")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_text("PGY-5 pain fellow, neuromodulation and spine")).to_be_visible()
    page.goto(f"{base}/members/me/edit")
    photo = tmp_path / "portrait.png"
    photo.write_bytes(image_bytes("PNG", size=(600, 400), colour="#2e6f40"))
    page.locator("#photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Your photo is updated.")).to_be_visible()
    avatar = page.get_by_role("img", name="Photo of Dr. Kwame Asante")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.naturalWidth") == 320
    page.screenshot(path=screenshots / "profile-edit.png", full_page=True)

    # Search the directory by an interest and a region.
    page.get_by_role("link", name="Directory").click()
    page.get_by_text("Interests", exact=True).click()  # opens the interests list
    page.get_by_label("Neuromodulation / spinal cord stimulation").check()
    page.get_by_label("State or region").fill("TX")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"region=TX"))
    results = page.get_by_role("heading", level=2, name=re.compile(r"\d+ members?"))
    expect(results).to_be_visible()
    page.screenshot(path=screenshots / "directory-search.png", full_page=True)

    # Open a result and save it.
    page.get_by_role("link", name="Dr. Sofia Martins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Sofia Martins")
    expect(page.get_by_text("Austin, TX, US")).to_be_visible()
    page.get_by_role("button", name="Save to my people").click()
    expect(page.get_by_text("Dr. Sofia Martins is in your saved people.")).to_be_visible()
    page.goto(f"{base}/members/saved")
    expect(page.get_by_role("link", name="Dr. Sofia Martins")).to_be_visible()
    page.screenshot(path=screenshots / "saved-people.png", full_page=True)

"""The new text of a reply by email, from replies shaped as Gmail, Outlook, Apple Mail and Thunderbird write
them: the quoted original, the line introducing it and the signature go; what the member wrote stays."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from network.discussions.email_replies.extract import html_to_text, new_text, reply_text

GMAIL = """\
I use 22G spinal needles at L4-L5 for that, with a 10 mm active tip.

The fluoroscopy view matters more than the needle.

On Thu, Dec 3, 2026 at 9:14 AM Fellowship Network <no-reply@fellowship.example.org>
wrote:

> Hello Dana,
>
> Test Alumni replied in "Genicular nerve ablation".
>
> Which needle do you use?
>
> Read and reply: https://network.example.org/discussions/p/3
"""

OUTLOOK = """\
Agreed: we moved to cooled RF last spring.

________________________________
From: Fellowship Network <no-reply@fellowship.example.org>
Sent: Thursday, December 3, 2026 9:14 AM
To: Dana Reyes <dana@example.org>
Subject: New reply in "Genicular nerve ablation"

Hello Dana,

Which needle do you use?
"""

APPLE_MAIL = """\
Sounds good, see you at the cadaver workshop.

Sent from my iPhone

> On Dec 3, 2026, at 09:14, Fellowship Network <no-reply@fellowship.example.org> wrote:
>
> Hello Dana,
> Which needle do you use?
"""

# (the signature's "-- " keeps its trailing space, as RFC 3676 writes it)
SIGNATURE = ("Use the lateral approach for the superomedial branch.\n\n-- \nDana Reyes, MD\n"
             "Interventional Pain Fellow, Example Hospital\n")

THUNDERBIRD_BOTTOM_QUOTE = """\
Yes, the 2027 board review course is in March.

> Is the board review course in March this year?
"""


@pytest.mark.parametrize(("text", "expected"), [
    (GMAIL, "I use 22G spinal needles at L4-L5 for that, with a 10 mm active tip.\n\n"
            "The fluoroscopy view matters more than the needle."),
    (OUTLOOK, "Agreed: we moved to cooled RF last spring."),
    (APPLE_MAIL, "Sounds good, see you at the cadaver workshop."),
    (SIGNATURE, "Use the lateral approach for the superomedial branch."),
    (THUNDERBIRD_BOTTOM_QUOTE, "Yes, the 2027 board review course is in March."),
], ids=["gmail", "outlook", "apple-mail", "dash-dash-signature", "bottom-quote"])
def test_only_the_new_text_is_kept(text, expected):
    assert new_text(text) == expected
    assert new_text(text.replace("\n", "\r\n")) == expected  # as the message arrives over SMTP


def test_a_quote_inside_the_reply_stays_a_quote():
    text = "About this:\n> the superomedial branch\nI aim lower.\n\nOn Thu, Dec 3, 2026, Dana wrote:\n> old"
    assert new_text(text) == "About this:\n> the superomedial branch\nI aim lower."


def test_only_a_quote_and_a_signature_leave_nothing():
    assert new_text("\n\nSent from my iPhone\n\n> On Dec 3, 2026, at 09:14, X wrote:\n> Hello\n") == ""
    assert new_text("> Hello Dana,\n> Which needle?\n") == ""


def test_an_html_only_reply_loses_its_quote_and_keeps_its_lines():
    html = ('<div dir="ltr">Cooled RF for me.<br>Two lesions per branch.</div><br>'
            '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, Dec 3, 2026 Fellowship Network '
            'wrote:<br></div><blockquote class="gmail_quote">Which needle &amp; which probe?</blockquote></div>')
    assert html_to_text(html) == "Cooled RF for me.\nTwo lesions per branch."
    outlook = ('<p>Same here &mdash; 18G.</p><div id="divRplyFwdMsg"><b>From:</b> Fellowship Network</div>'
               '<div>Which needle?</div>')
    assert html_to_text(outlook) == "Same here — 18G."


def _message(plain: str | None, html: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "dana@example.org"
    if plain is not None:
        message.set_content(plain)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message


def test_the_plain_part_is_preferred_and_the_html_part_serves_alone():
    both = _message(GMAIL, "<p>HTML version</p>")
    assert reply_text(both).startswith("I use 22G spinal needles")
    assert reply_text(_message(None, "<p>Only HTML here.</p><blockquote>quoted</blockquote>")) == "Only HTML here."


def test_an_attachment_only_mail_has_no_text():
    message = EmailMessage()
    message["From"] = "dana@example.org"
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="scan.pdf")
    assert reply_text(message) == ""

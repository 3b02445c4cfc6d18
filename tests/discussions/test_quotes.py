"""Quotes of other posts: "Quote" starts a reply with ``[quote="Name, post:N"]…[/quote]``, and the reply shows
it as a quote block naming the quoted author, linked to the quoted post. Who is named comes from the post, never
from the text: a quote of a post the thread's readers may not see (another thread's, a held one) or of no post
at all is a plain blockquote that names nobody and links nowhere."""

from __future__ import annotations

from network.extensions import db
from network.text.markdown import render_markdown
from network.text.quotes import quote_markup, quoted_post_ids
from tests.discussions.conftest import page_text


def test_the_quote_block_names_only_who_the_caller_resolved():
    source = quote_markup('Dr. "Quoted" ]Name', 7, "Start at 80 °C.") + "I would start lower."
    assert source.startswith('[quote="Dr. Quoted Name, post:7"]\nStart at 80 °C.\n[/quote]\n\n')
    assert quoted_post_ids(source) == {7}
    attributed = str(render_markdown(source, {7: ("Dr. Sofia <Martins>", "/discussions/p/7")}))
    assert attributed.startswith('<blockquote class="post-quote">\n<p class="post-quote-by">'
                                 '<a href="/discussions/p/7" rel="nofollow ugc noopener">Dr. Sofia &lt;Martins&gt; '
                                 'wrote</a>:</p>\n<p>Start at 80 °C.</p>\n</blockquote>')
    assert attributed.endswith("<p>I would start lower.</p>\n")
    plain = str(render_markdown(source))
    assert plain.startswith("<blockquote>\n<p>Start at 80 °C.</p>\n</blockquote>")
    assert "Quoted" not in plain and "/discussions/p/7" not in plain and "post-quote" not in plain


def test_quotes_nest_and_an_unclosed_or_indented_one_stays_text():
    nested = render_markdown('[quote="A, post:1"]\nOuter\n[quote="B, post:2"]\nInner\n[/quote]\n[/quote]',
                             {1: ("A", "/discussions/p/1"), 2: ("B", "/discussions/p/2")})
    assert str(nested).count('<blockquote class="post-quote">') == 2 and str(nested).count("</blockquote>") == 2
    assert str(render_markdown("[quote]\nNever closed")) == "<p>[quote]\nNever closed</p>\n"
    assert "<pre tabindex=\"0\"><code>[quote]" in str(render_markdown("    [quote]\n    code\n    [/quote]"))


def test_a_forged_quote_names_nobody(app, make_user, login, make_category, make_thread, make_cohort):
    from network.discussions.models import Post

    fellow, insider, outsider = make_user(name="Dr. Fellow"), make_user(name="Dr. Insider"), make_user()
    cohort_id = make_cohort({fellow.id: "fellow", insider.id: "fellow"})
    private_category, _ = make_category("cohort", cohort_id=cohort_id)
    _, (private_post,) = make_thread(private_category, insider.id, body="Cohort only: the rota.")
    phi_category, _ = make_category(holds_phi_matches=True)
    held_thread, (opening, held_post) = make_thread(phi_category, outsider.id, replies=1, reply_author_id=insider.id,
                                                    reply_body="Patient MRN 12345678 again")
    category_id, _ = make_category()
    thread_id, (quoted,) = make_thread(category_id, insider.id, body="Open words.")
    with app.app_context():
        assert db.session.get(Post, held_post).held
    client = login(app.test_client(), outsider)
    body = "\n".join(f'[quote="Dr. Insider, post:{post_id}"]\nForged {n}\n[/quote]\n'
                     for n, post_id in enumerate((private_post, 999999, quoted)))
    response = client.post(f"/discussions/t/{thread_id}/reply", data={"body": body, "submit": "x"})
    assert response.status_code == 302
    with app.app_context():
        html = db.session.scalars(db.select(Post.body_html).order_by(Post.id.desc())).first()
    # A post of another thread (here one the writer may not even see) and a post that does not exist: no name.
    assert html.count('<blockquote class="post-quote">') == 1 and html.count("<blockquote>") == 2
    assert f"/discussions/p/{private_post}" not in html and "/discussions/p/999999" not in html
    assert f'<a href="/discussions/p/{quoted}" rel="nofollow ugc noopener">Dr. Insider wrote</a>' in html
    # A held post in the same thread is not named either (its readers may not see it).
    held_client = login(app.test_client(), outsider)
    response = held_client.post(f"/discussions/t/{held_thread}/reply", data={
        "body": f'[quote="X, post:{held_post}"]\nHeld words\n[/quote]\n\nMine.', "submit": "x",
        "confirm_no_phi": "y"})
    with app.app_context():
        html = db.session.scalars(db.select(Post.body_html).order_by(Post.id.desc())).first()
    assert "post-quote" not in html and "Dr. Insider" not in html
    # The page shows it as a plain quote.
    page = page_text(client.get(f"/discussions/t/{thread_id}"))
    assert "Forged 0" in page and "Dr. Insider wrote</a>" in page

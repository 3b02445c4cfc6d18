"""The CV as a PDF (WeasyPrint), laid out from an HTML template in the DejaVu fonts the project installs
(``make system-deps``), found through fontconfig rather than fetched.

Rendering never reaches the network or the disk: the template links to nothing, and the fetcher allows
only ``data:`` URLs, so a link a member typed, or a ``url()`` added to the stylesheet one day, cannot make
the server fetch anything while it prints (WeasyPrint logs the refusal and leaves the resource out).
"""

from __future__ import annotations

from flask import render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from network.scholarly_exports.cv import CurriculumVitae

#: The only URL scheme the CV's renderer may open: inline data, which reaches nothing outside.
ALLOWED_SCHEMES = ("data",)


def fetcher() -> URLFetcher:
    """WeasyPrint's fetcher, refusing ``http``, ``https``, ``file`` and every other scheme but ``data``."""
    return URLFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)


def render(cv: CurriculumVitae) -> bytes:
    """The PDF bytes of ``cv``; its title and author come from the template's ``<title>`` and ``<meta>``."""
    html = render_template("scholarly_exports/cv_print.html", cv=cv)
    return HTML(string=html, url_fetcher=fetcher(), base_url=None).write_pdf()

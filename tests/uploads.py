"""Posting a file upload from a test, with the request body closed afterwards: the test client spools bodies over
500 KB to a temporary file it never closes (a ResourceWarning, an error under ``filterwarnings = error``)."""

from __future__ import annotations

import io

from werkzeug.test import EnvironBuilder


def post_file(client, path: str, field: str, data: bytes, filename: str):
    builder = EnvironBuilder(path=path, method="POST", data={field: (io.BytesIO(data), filename)},
                             content_type="multipart/form-data")
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()

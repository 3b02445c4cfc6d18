"""Images for the profile tests, made with Pillow on the spot."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt="PNG", size=(40, 30), colour="#0b4f6c") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


PNG_PIXEL = image_bytes(size=(8, 8))

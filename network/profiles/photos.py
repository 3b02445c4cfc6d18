"""Profile photos: prove the upload is an image, then keep only a re-encoded square thumbnail.

Pure functions, no Flask import.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
THUMBNAIL_SIZE = 320
#: Refuse images whose pixel count could exhaust memory when decoded (decompression bombs).
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


class InvalidImage(ValueError):
    """The upload is not a usable image; the message says why, for the member."""


def make_thumbnail(data: bytes) -> bytes:
    """A square JPEG thumbnail of the image in ``data``, with metadata (EXIF, GPS) stripped."""
    if not data:
        raise InvalidImage("Choose a photo to upload.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise InvalidImage("Upload a JPEG, PNG, GIF or WebP photo.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise InvalidImage("That image has too many pixels. Upload a smaller photo.")
                probe.verify()  # checks the file's structure without decoding it all
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
                thumbnail = ImageOps.fit(image, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    except InvalidImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise InvalidImage("That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP photo.") from exc
    out = io.BytesIO()
    thumbnail.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()

"""Profile photos: prove the upload is an image, then keep only a re-encoded square thumbnail.

Pure functions, no Flask import.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
THUMBNAIL_SIZE = 320
#: The most pixels a photo may have, read from its header before anything is decoded: 16 megapixels
#: (a 12 MP phone photo passes) costs a few tenths of a second and ~50 MB to decode; 40 MP cost seconds.
MAX_PIXELS = 16_000_000
#: And the longest side, so a long thin strip cannot pass the pixel count.
MAX_SIDE = 8_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")  # the only decoders that may read an upload
#: The same formats for the file input's ``accept``, so the browser offers only what we read.
ACCEPTED_MEDIA_TYPES = "image/jpeg,image/png,image/gif,image/webp"
TOO_LARGE = "Photos can be at most 2 MB. Choose a smaller photo or resize it first."
TOO_MANY_PIXELS = ("That image has too many pixels: photos can be at most 16 megapixels (for example "
                   "4000 × 4000) and 8000 pixels on a side. Upload a smaller photo.")

# Pillow's own decompression-bomb check, process-wide: anything over MAX_PIXELS warns (an error below) and
# anything over twice that raises, whichever code opens the image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class InvalidImage(ValueError):
    """The upload is not a usable image; the message says why, for the member."""


def make_thumbnail(data: bytes) -> bytes:
    """A square JPEG thumbnail of the image in ``data``, with metadata (EXIF, GPS) stripped."""
    if not data:
        raise InvalidImage("Choose a photo to upload.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads only the header: the size is known before a pixel is decoded.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                if probe.width * probe.height > MAX_PIXELS or max(probe.size) > MAX_SIDE:
                    raise InvalidImage(TOO_MANY_PIXELS)
                probe.verify()  # checks the file's structure without decoding it all
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                # JPEG decodes at a reduced scale straight away: the thumbnail needs far fewer pixels.
                image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
                thumbnail = ImageOps.fit(image, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage("That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP photo.") from exc
    out = io.BytesIO()
    thumbnail.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()

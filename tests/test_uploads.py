"""Uploads are bounded before they cost anything: a photo's pixel count is read from its header and a
too-large image refused before decoding (decompression bombs included), and uploading is rate-limited
per member (photos, roster files)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ImageFile

from network.profiles.photos import InvalidImage, make_thumbnail
from tests.profiles_helpers import image_bytes


def sparse_png(width: int, height: int) -> bytes:
    """A PNG of ``width`` × ``height`` black pixels: a few kilobytes that decode to hundreds of megabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte, then RGB
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


FORTY_MEGAPIXELS = sparse_png(8000, 5000)


def decoded_sizes(monkeypatch) -> list:
    """The sizes of the images Pillow decodes from now on (each recorded, then decoded as usual)."""
    decoded = []
    load = ImageFile.ImageFile.load

    def recording_load(image, *args):
        decoded.append(image.size)
        return load(image, *args)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return decoded


@pytest.mark.parametrize("size", [(8000, 5000), (4001, 4001), (20000, 200), (6000, 6000)])
def test_an_image_with_too_many_pixels_is_refused_without_decoding(size, monkeypatch):
    data = FORTY_MEGAPIXELS if size == (8000, 5000) else sparse_png(*size)
    decoded = decoded_sizes(monkeypatch)
    with pytest.raises(InvalidImage, match="too many pixels"):
        make_thumbnail(data)
    assert decoded == []


def test_a_phone_sized_photo_is_accepted():
    assert make_thumbnail(image_bytes("JPEG", size=(4000, 3000)))[:2] == b"\xff\xd8"


def test_a_40_megapixel_upload_gets_the_message_without_being_decoded(app, make_user, login, monkeypatch):
    """The pixel count is read from the header: the 40-megapixel image is refused before any decoding (what
    made it quick; a wall-clock bound here failed on a busy machine)."""
    decoded = decoded_sizes(monkeypatch)
    member = make_user()
    client = login(app.test_client(), member)
    response = client.post("/members/me/photo", data={"photo": (io.BytesIO(FORTY_MEGAPIXELS), "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "too many pixels" in response.get_data(as_text=True)
    assert decoded == []
    assert client.get(f"/members/{member.id}/photo").status_code == 404


def test_photo_uploads_are_rate_limited_per_member(make_app, make_user, login):
    app = make_app(PHOTO_UPLOAD_RATE_LIMIT="3 per hour")
    member = make_user()
    client = login(app.test_client(), member)
    codes = [client.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                         content_type="multipart/form-data").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    # Another member on the same address is not held back.
    other = login(app.test_client(), make_user())
    assert other.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                      content_type="multipart/form-data").status_code == 302


def test_the_default_photo_limit_is_ten_an_hour(app, make_user, login):
    client = login(app.test_client(), make_user())
    codes = [client.post("/members/me/photo", data={"photo": (io.BytesIO(image_bytes()), "me.png")},
                         content_type="multipart/form-data").status_code for _ in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_roster_uploads_are_rate_limited_per_member(make_app, make_user, login):
    from tests.test_programs import make_program

    app = make_app(ROSTER_UPLOAD_RATE_LIMIT="2 per hour")
    program = make_program(app, make_user)
    client = login(app.test_client(), program["director"])
    url = f"/cohorts/{program['cohort']}/import"
    csv = b"name,email,role,training background\nDr. New Person,new.person@example.org,fellow,\n"
    codes = [client.post(url, data={"roster": (io.BytesIO(csv), "roster.csv")},
                         content_type="multipart/form-data").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert client.get(url).status_code == 200  # the upload form itself is not limited

"""What the client sends as a product image: JPEG and PNG as they are, a few formats converted,
every other file refused before any call."""

import io

import pytest
from PIL import Image

from hiboutik.image_upload import prepare_image


def encoded(fmt: str, size: tuple[int, int] = (3, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP", "TIFF"])
def test_common_formats_are_converted_to_png(fmt):
    prepared = prepare_image(encoded(fmt), "cap.img")
    assert (prepared.filename, prepared.content_type, prepared.converted) == (
        "cap.png",
        "image/png",
        True,
    )
    with Image.open(io.BytesIO(prepared.content)) as image:
        assert (image.format, image.size) == ("PNG", (3, 2))


def test_jpeg_and_png_go_as_they_are_with_the_right_extension():
    jpeg, png = encoded("JPEG"), encoded("PNG")
    assert prepare_image(jpeg, "a.png").content == jpeg
    assert prepare_image(jpeg, "a.png").filename == "a.jpg"
    assert prepare_image(png, "b.jpeg").filename == "b.png"


@pytest.mark.parametrize(
    "content",
    [
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",  # Ghostscript's
        encoded("PPM"),  # an image Pillow reads, but not a product image format
        encoded("GIF")[:20],  # truncated
        b"%PDF-1.4",
    ],
    ids=["eps", "ppm", "truncated-gif", "pdf"],
)
def test_other_files_are_refused_with_a_clear_error(content):
    with pytest.raises(ValueError, match=r"cannot be sent|damaged"):
        prepare_image(content, "file.bin")

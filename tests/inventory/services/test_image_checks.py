"""Hostile image bytes: decompression bombs, truncated files, unexpected formats and decoder
failures all end as InvalidImage, and a bomb is refused before its pixels are decoded."""

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from inventory.exceptions import InvalidImage
from inventory.models import ProductImage
from inventory.services import image_checks, product_create, product_image_add
from inventory.services.image_checks import image_suffix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A black 1-bit PNG of width × height built row by row: tiny on disk, huge decoded."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def encoded(image_format: str, size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, image_format)
    return buffer.getvalue()


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    """The size of every image whose pixels get decoded."""
    calls: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def spy(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def test_a_small_png_of_100_megapixels_is_refused_without_decoding_it(decoded):
    bomb = png_bomb(10_000, 10_000)
    assert len(bomb) < 20_000
    product = product_create(sku="A", name="A", price="1")

    with pytest.raises(InvalidImage, match="more than 25 million pixels"):
        product_image_add(product=product, content=bomb)

    assert decoded == []
    assert not ProductImage.objects.exists()


def test_a_png_past_pillows_own_bomb_limit_is_an_invalid_image_too(decoded):
    bomb = png_bomb(20_000, 20_000)  # 400 megapixels: Pillow raises DecompressionBombError
    with pytest.raises(InvalidImage, match="more than 25 million pixels"):
        image_suffix(bomb)
    assert decoded == []


def test_the_pixel_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(image_checks, "MAX_IMAGE_PIXELS", 100 * 100)
    assert image_suffix(encoded("PNG", (100, 100))) == "png"
    with pytest.raises(InvalidImage, match="million pixels"):
        image_suffix(encoded("PNG", (101, 100)))


@pytest.mark.parametrize(
    ("image_format", "suffix"),
    [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp")],
)
def test_the_formats_a_browser_and_the_point_of_sale_show_are_accepted(image_format, suffix):
    assert image_suffix(encoded(image_format)) == suffix


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "ICO", "PPM", "EPS"])
def test_other_formats_are_refused(image_format):
    with pytest.raises(InvalidImage, match="not a readable JPEG, PNG, GIF or WebP image"):
        image_suffix(encoded(image_format))


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused_once_fully_decoded(image_format):
    content = encoded(image_format, (64, 64))
    with pytest.raises(InvalidImage, match="not a readable"):
        image_suffix(content[: len(content) * 2 // 3])


@pytest.mark.parametrize("error", [struct.error("bad"), IndexError("bad"), MemoryError()])
def test_any_decoder_failure_is_an_invalid_image(monkeypatch, error):
    def broken(self):
        raise error

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", broken)
    with pytest.raises(InvalidImage, match="not a readable"):
        image_suffix(encoded("PNG"))

"""Images as Hiboutik takes them: JPEG or PNG only.

Hiboutik's own upload example sends jpg, jpeg and png files and nothing else
(``examples/send_image_product.php``; hiboutik-api.md §14), so the client checks what it is
about to send from the bytes themselves, before any call: a JPEG or a PNG goes as it is (its
file name given the right extension), any other image Pillow can read (GIF, WebP, BMP,
TIFF...) is converted to PNG, which keeps transparency, and anything else is refused.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Above this, decoding an image to convert it could exhaust memory (Pillow's own limit is a
# warning at 89 megapixels): 25 megapixels is far more than a 1000x1000 product image needs.
MAX_CONVERTED_PIXELS = 25_000_000
# The only decoders tried on bytes that are not JPEG or PNG: product images come in these, and
# Pillow's other plugins (EPS hands the file to Ghostscript, for one) have no business here.
CONVERTIBLE_FORMATS = ("GIF", "WEBP", "BMP", "TIFF")


@dataclass(frozen=True)
class UploadImage:
    content: bytes
    filename: str
    content_type: str  # image/jpeg or image/png
    converted: bool = False


def prepare_image(content: bytes, filename: str) -> UploadImage:
    """The image ready for Hiboutik; ``ValueError`` with a clear message when it cannot be."""
    if not content:
        raise ValueError("image content is empty")
    stem = PurePosixPath(filename.replace("\\", "/")).stem or "image"
    if content.startswith(JPEG_MAGIC):
        return UploadImage(content, f"{stem}.jpg", "image/jpeg")
    if content.startswith(PNG_MAGIC):
        return UploadImage(content, f"{stem}.png", "image/png")
    try:
        with Image.open(io.BytesIO(content), formats=CONVERTIBLE_FORMATS) as image:
            if image.width * image.height > MAX_CONVERTED_PIXELS:
                raise ValueError(
                    f"image {filename!r} is {image.width}x{image.height} pixels: too large to "
                    "convert; send a JPEG or PNG of at most 25 megapixels"
                )
            kind = image.format or "unknown"
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            buffer = io.BytesIO()
            image.convert(mode).save(buffer, format="PNG")
    # Any decoder failure (truncated data, a plugin's own ValueError or SyntaxError, a bomb)
    # is the same answer for the caller: this file cannot be sent.
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValueError(
            f"{filename!r} cannot be sent: Hiboutik takes JPEG or PNG images, and this file is "
            "neither, nor an image in another format that could be converted"
        ) from None
    if kind in ("JPEG", "PNG"):  # a header Pillow read despite unusual leading bytes
        raise ValueError(f"{filename!r} is a damaged {kind} file")
    return UploadImage(buffer.getvalue(), f"{stem}.png", "image/png", converted=True)

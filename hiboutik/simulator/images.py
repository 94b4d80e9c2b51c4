"""Image files: format check and pixel size read from the header, standard library only.

Only JPEG and PNG are accepted: Hiboutik's own upload example sends nothing else
(``examples/send_image_product.php`` filters jpg, jpeg and png; hiboutik-api.md §14)."""

from __future__ import annotations

import struct

# content type → (file extension, magic prefix)
FORMATS = {
    "image/jpeg": ("jpg", b"\xff\xd8\xff"),
    "image/png": ("png", b"\x89PNG\r\n\x1a\n"),
}
EXTENSIONS = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


class ImageError(ValueError):
    pass


def sniff(data: bytes) -> str:
    """The real content type of ``data``, from its magic bytes."""
    for content_type, (_, magic) in FORMATS.items():
        if data.startswith(magic):
            return content_type
    raise ImageError("the file is not a JPEG or PNG image (the only formats accepted)")


def dimensions(data: bytes, content_type: str) -> tuple[int, int]:
    """(width, height) read from the header."""
    try:
        if content_type == "image/png":
            return struct.unpack(">II", data[16:24])
        if content_type == "image/jpeg":
            return _jpeg_dimensions(data)
    except struct.error:
        raise ImageError("the image header is truncated") from None
    return 0, 0


def _jpeg_dimensions(data: bytes) -> tuple[int, int]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            raise ImageError("malformed JPEG")
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise ImageError("JPEG without a frame header")

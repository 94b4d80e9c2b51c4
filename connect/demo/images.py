"""Product pictures drawn locally: a coloured tile with the product's initials."""

import hashlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

SIZE = 256
STOP_WORDS = {"de", "du", "des", "la", "le", "les", "en", "au", "aux", "à", "d", "l", "et"}


def initials(name: str) -> str:
    words = [word for word in name.replace("'", " ").split() if word.isalpha()]
    meaningful = [word for word in words if word.lower() not in STOP_WORDS] or words
    return "".join(word[0] for word in meaningful[:2]).upper() or "?"


def tile_png(key: str, name: str) -> bytes:
    """A deterministic PNG for `key` (same key and name, same bytes: re-runs deduplicate)."""
    digest = hashlib.sha256(key.encode()).digest()
    # Mid-tone colours keep white initials readable.
    background = tuple(70 + value % 140 for value in digest[:3])
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=110)
    draw.text((SIZE / 2, SIZE / 2), initials(name), fill="white", font=font, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()

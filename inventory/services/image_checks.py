"""Checking image bytes before they become a product image.

The bytes come from people (uploads) and from integration flows, so they are hostile until
decoded: a few kilobytes of PNG can declare billions of pixels. The header is read first and the
size checked before any pixel is decoded; every failure of a decoder becomes InvalidImage.
"""

import warnings
from io import BytesIO

from django.utils.translation import gettext
from PIL import Image

from inventory.exceptions import InvalidImage

# Formats a browser shows and a point of sale accepts; other Pillow plugins (EPS runs
# Ghostscript, TIFF and ICO carry many images) are never even tried on these bytes.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
SUFFIXES = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Product images are shown at a few hundred pixels; 25 megapixels (5000 × 5000) takes any
# camera photo, and decodes to at most 100 MB (RGBA).
MAX_IMAGE_PIXELS = 25_000_000


def image_suffix(content: bytes) -> str:
    """The file suffix ("jpg", "png", ...) of an acceptable image; InvalidImage otherwise."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; here that is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content), formats=ACCEPTED_FORMATS) as image:
                # Opening reads the header only: the size is known, no pixel decoded yet.
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels()
                image.verify()
            # verify() leaves the image unusable; a fresh one decodes every pixel (first frame).
            with Image.open(BytesIO(content), formats=ACCEPTED_FORMATS) as image:
                image.load()
                return SUFFIXES[image.format]
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except Exception as error:
        # Untrusted bytes reach C decoders and plugins that fail in many ways (OSError,
        # SyntaxError, struct.error, IndexError, ...): all mean the same to the caller.
        raise InvalidImage(
            gettext("The file is not a readable JPEG, PNG, GIF or WebP image.")
        ) from error


def _too_many_pixels() -> InvalidImage:
    return InvalidImage(
        gettext("The image has more than %(limit)s million pixels: reduce it and send it again.")
        % {"limit": MAX_IMAGE_PIXELS // 1_000_000}
    )

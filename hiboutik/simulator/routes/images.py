"""Product images (hiboutik-api.md §5): multipart upload with a file part named ``image`` on
the POS route and on the 1000x1000 route, listing, download and delete."""

from __future__ import annotations

import base64
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import image_view
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.images import EXTENSIONS, FORMATS, ImageError, dimensions, sniff
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import created, require_row

FRAMING_TYPES = ("frame", "default")
# PHPC clamps the web image slot to 1..4.
WEB_SLOTS = range(1, 5)
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def register(router: Router) -> None:
    router.add("POST", "/products_images/{product_id:int}", upload_pos_image)
    router.add("POST", "/products_images_1000x1000/{product_id:int}", upload_web_image)
    router.add("GET", "/products_images", list_images)
    router.add("GET", "/products_images/{image_name}", download_image)
    router.add("DELETE", "/products_images/{image_name}", delete_image)


def upload_pos_image(ctx: Context, product_id: int) -> Response:
    """The POS button image: one per product, a new upload replaces it."""
    return _store(ctx, product_id, image_format="pos", slot=0)


def upload_web_image(ctx: Context, product_id: int) -> Response:
    reader = f.FieldReader(ctx.fields)
    slot = reader.get("image_id", f.parse_int, default=1)
    if slot is not None and slot not in WEB_SLOTS:
        reader.fail("image_id", "the image slot must be between 1 and 4")
    reader.check()
    return _store(ctx, product_id, image_format="1000x1000", slot=slot)


def _store(ctx: Context, product_id: int, *, image_format: str, slot: int) -> Response:
    require_row(ctx, "products", product_id, "product")
    upload, content_type, errors = _checked_upload(ctx)
    if errors:
        raise invalid(errors)
    assert upload is not None
    width, height = dimensions(upload.data, content_type)
    extension = FORMATS[content_type][0]
    name = (
        f"pos_{product_id}.{extension}"
        if image_format == "pos"
        else f"big_{product_id}-{slot}.{extension}"
    )
    for image in ctx.state.rows("images"):
        same_slot = image["image_format"] == image_format and image["image_slot"] == slot
        if image["product_id"] == product_id and same_slot:
            del ctx.state.tables["images"][image["image_id"]]
    image = ctx.state.insert(
        "images",
        {
            "product_id": product_id,
            "image_format": image_format,
            "image_slot": slot,
            "image_name": name,
            "framing_type": ctx.fields.get("framing_type", "default"),
            "content_type": content_type,
            "width": width,
            "height": height,
            "data_b64": base64.b64encode(upload.data).decode("ascii"),
            "uploaded_at": ctx.now(),
        },
        "image_id",
    )
    ctx.state.images_changed(product_id)
    return created("image_id", image["image_id"])


def _checked_upload(ctx: Context) -> tuple[Any, str, dict[str, str]]:
    errors: dict[str, str] = {}
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"framing_type", "image_id"})
    errors.update(reader.errors)
    if ctx.fields.get("framing_type", "default") not in FRAMING_TYPES:
        errors["framing_type"] = "must be frame or default"
    upload = ctx.request.files.get("image")
    if upload is None:
        errors["image"] = "send the file as a multipart/form-data part named image"
        return None, "", errors
    extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    if extension not in EXTENSIONS:
        errors["image"] = "the file name needs a jpg, jpeg or png extension"
    if not upload.data:
        errors["image"] = "the file is empty"
    elif len(upload.data) > MAX_IMAGE_BYTES:
        errors["image"] = f"the file is larger than {MAX_IMAGE_BYTES} bytes"
    content_type = ""
    if "image" not in errors:
        try:
            content_type = sniff(upload.data)
            dimensions(upload.data, content_type)
        except ImageError as exc:
            errors["image"] = str(exc)
    declared = upload.content_type
    if content_type and declared not in ("", content_type, "application/octet-stream"):
        errors["image"] = f"declared as {upload.content_type} but the file is {content_type}"
    return upload, content_type, errors


def list_images(ctx: Context) -> list[dict[str, Any]]:
    reader = f.FieldReader(ctx.query)
    product_id = reader.get("product_id", f.parse_positive_int, required=True)
    reader.check()
    require_row(ctx, "products", product_id, "product")
    return [
        {"product_id": product_id, **image_view(image, ctx.base_url)}
        for image in ctx.state.rows("images")
        if image["product_id"] == product_id
    ]


def _by_name(ctx: Context, image_name: str) -> dict[str, Any]:
    for image in ctx.state.rows("images"):
        if image_name in (image["image_name"], str(image["image_id"])):
            return image
    raise not_found(f"image {image_name} not found", {"image_name": "unknown image"})


def download_image(ctx: Context, image_name: str) -> Response:
    image = _by_name(ctx, image_name)
    data = base64.b64decode(image["data_b64"])
    return Response(200, data, content_type=image["content_type"])


def delete_image(ctx: Context, image_name: str) -> dict[str, Any]:
    image = _by_name(ctx, image_name)
    del ctx.state.tables["images"][image["image_id"]]
    ctx.state.images_changed(image["product_id"])
    return {"image_id": image["image_id"], "deleted": 1}

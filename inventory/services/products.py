"""Catalogue writes: products and their images."""

import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from integrations.services.marks import bindings_mark_changed
from inventory.exceptions import DuplicateSku, InvalidImage, InvalidProduct
from inventory.models import Product, ProductImage
from inventory.services.image_checks import image_suffix

PRICE_PLACES = Decimal("0.0001")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
UPDATABLE_FIELDS = ("name", "description", "price", "tax_rate", "barcode", "cost", "enabled")
# What integrations push of a product once it exists on the other side: a change to one of
# these marks the product's bindings, in the same transaction, for the next update run.
PUSHED_FIELDS = frozenset({"price", "tax_rate", "barcode"})


def _decimal(value: object, label: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidProduct(
            gettext("%(label)s must be a number, not %(value)r.") % {"label": label, "value": value}
        ) from None
    if not number.is_finite() or number < 0:
        raise InvalidProduct(gettext("%(label)s must be 0 or more.") % {"label": label})
    return number


def price_excl_tax_from_incl(price_incl_tax: Decimal, tax_rate: Decimal) -> Decimal:
    """Tax-excluded price, to 4 decimals, of a shelf price given tax included."""
    return (price_incl_tax / (1 + tax_rate / 100)).quantize(PRICE_PLACES, ROUND_HALF_UP)


def product_values_check(values: dict) -> dict:
    """The product field values as the services store them; `InvalidProduct` says what is
    wrong. Forms that write through the services (the admin's) check with it first."""
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"]:
            raise InvalidProduct(gettext("A product needs a name."))
    if "tax_rate" in cleaned:
        cleaned["tax_rate"] = _decimal(cleaned["tax_rate"], gettext("Tax rate"))
        if cleaned["tax_rate"] > 100:
            raise InvalidProduct(gettext("Tax rate must be between 0 and 100."))
    for key, label in (("price", gettext("Price")), ("cost", gettext("Cost"))):
        if key in cleaned:
            cleaned[key] = _decimal(cleaned[key], label).quantize(PRICE_PLACES, ROUND_HALF_UP)
    if "barcode" in cleaned:
        cleaned["barcode"] = str(cleaned["barcode"] or "").strip()
    return cleaned


def product_create(
    *,
    sku: str,
    name: str,
    tax_rate: Decimal | str = Decimal("20"),
    price: Decimal | str | None = None,
    price_incl_tax: Decimal | str | None = None,
    barcode: str = "",
    cost: Decimal | str = Decimal("0"),
    description: str = "",
    enabled: bool = True,
) -> Product:
    """Create a product. Give `price` (tax excluded) or `price_incl_tax`, not both."""
    sku = str(sku).strip()
    if not sku:
        raise InvalidProduct(gettext("A product needs a SKU."))
    if (price is None) == (price_incl_tax is None):
        raise InvalidProduct(gettext("Give either the price excluding tax or including tax."))
    values = product_values_check(
        {
            "name": name,
            "tax_rate": tax_rate,
            "barcode": barcode,
            "cost": cost,
            "description": description,
            "enabled": bool(enabled),
        }
    )
    if price_incl_tax is not None:
        values["price"] = price_excl_tax_from_incl(
            _decimal(price_incl_tax, gettext("Price")), values["tax_rate"]
        )
    else:
        values.update(product_values_check({"price": price}))
    try:
        with transaction.atomic():
            return Product.objects.create(sku=sku, **values)
    except IntegrityError:
        if Product.objects.filter(sku=sku).exists():
            raise DuplicateSku(sku) from None
        raise


def product_update(*, product: Product, **changes: object) -> list[str]:
    """Change some of a product's fields; returns the names of the fields that really changed.

    Saving only real changes keeps `updated_at` meaningful: integrations push products whose
    `updated_at` moved, so a no-op save must not make a product look modified.
    """
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise InvalidProduct(
            gettext("Unknown product field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = product_values_check(changes)
    changed = [name for name, value in cleaned.items() if getattr(product, name) != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(product, name, cleaned[name])
        product.save(update_fields=[*changed, "updated_at"])
        if PUSHED_FIELDS.intersection(changed):
            bindings_mark_changed(object_type="product", object_ids=[product.pk])
    return changed


def product_image_add(
    *, product: Product, content: bytes, filename: str = "image", position: int | None = None
) -> ProductImage:
    """Attach an image to a product; the same bytes attached twice return the existing image."""
    if not content:
        raise InvalidImage(gettext("The image file is empty."))
    if len(content) > MAX_IMAGE_BYTES:
        raise InvalidImage(gettext("The image is larger than 10 MB."))
    content_hash = hashlib.sha256(content).hexdigest()
    existing = ProductImage.objects.filter(product=product, content_hash=content_hash).first()
    if existing is not None:
        return existing
    suffix = image_suffix(content)
    stem = filename.rsplit(".", 1)[0] or "image"
    with transaction.atomic():
        if position is None:
            last = product.images.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
        image = ProductImage(product=product, content_hash=content_hash, position=position)
        image.file.save(f"{stem}.{suffix}", ContentFile(content), save=False)
        try:
            with transaction.atomic():
                image.save()
        except IntegrityError:
            # Another request attached the same bytes meanwhile: keep its row, drop our copy.
            image.file.delete(save=False)
            return ProductImage.objects.get(product=product, content_hash=content_hash)
        return image

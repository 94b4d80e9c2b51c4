"""products.images: each image of a bound product sent to Hiboutik once.

An image is known by its content (SHA-256): its binding's external id is the Hiboutik product
and that hash, so the same picture is never sent twice to one product and a run with no new
image costs no call. A product's first image becomes the till's picture (``products_images``);
the next four its web images (``products_images_1000x1000``, slots 1 to 4), which is all
Hiboutik keeps. Images of a product bound to one size of a Hiboutik product are not sent: the
picture is the whole product's. Hiboutik takes JPEG and PNG; other formats are converted, and a
file that is no image is an error (`hiboutik.image_upload`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.catalogue import require_catalogue_owner, scope_of
from hiboutik.selectors import UnsentImage, image_content, unsent_images
from integrations.flows import Flow, RecordError, Resolved
from integrations.models import IntegrationError
from integrations.schedules import Schedule
from integrations.services.bindings import NewBinding, bindings_bind_many

BATCH = 1000
# Hiboutik keeps one till picture and four web images per product.
MAX_RANK = 4
SENT = gettext_noop("The image is in Hiboutik.")
NOT_SENDABLE = gettext_noop("The image cannot be sent to Hiboutik: %(reason)s")
TOO_MANY = gettext_noop(
    "Hiboutik keeps 5 images per product; image %(rank)s of product %(sku)s is not sent."
)


class ProductsImages(Flow):
    key = "products.images"
    label = _("Product images")
    description = _("Uploads the images of products already in Hiboutik that were not sent yet.")
    recommended_schedule = Schedule.every(60)
    account_wide = True

    def run(self) -> None:
        scope = scope_of(self, "product_image")
        batch = unsent_images(scope, limit=BATCH, waiting=(self.integration, self.key))
        if not batch:
            return
        require_catalogue_owner(self)
        while batch:
            for image in batch:
                with self.ctx.record("product_image", image.image_id):
                    self._send(scope, image)
            if len(batch) < BATCH:
                break
            batch = unsent_images(
                scope,
                after=batch[-1].image_id,
                limit=BATCH,
                waiting=(self.integration, self.key),
            )

    def retry(self, error: IntegrationError) -> Resolved:
        require_catalogue_owner(self)
        scope = scope_of(self, "product_image")
        for image in unsent_images(scope, only=int(error.record_id)):
            self._send(scope, image)
        return Resolved(SENT)

    def _send(self, scope: str, image: UnsentImage) -> None:
        external_id = f"{image.hiboutik_id}:{image.content_hash[:40]}"
        if image.rank > MAX_RANK:
            raise RecordError(
                "too_many_images", TOO_MANY, {"rank": image.rank + 1, "sku": image.sku}
            )
        content, filename = image_content(image.image_id)
        try:
            uploaded = self.ctx.client.upload_product_image(
                image.hiboutik_id,
                content,
                filename=filename,
                content_type="image/" + (filename.rsplit(".", 1)[-1].lower() or "png"),
                large=image.rank > 0,
                slot=image.rank if image.rank > 0 else None,
            )
        except ValueError as refused:
            raise RecordError("image_refused", NOT_SENDABLE, {"reason": str(refused)}) from None
        state = {"content_hash": image.content_hash, "image_id": uploaded, "rank": image.rank}
        bindings_bind_many(
            scope=scope,
            object_type="product_image",
            bindings=[NewBinding(image.image_id, external_id, state)],
        )
        self.ctx.count(created=1)

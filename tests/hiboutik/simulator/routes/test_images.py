"""Product images: multipart ``image`` uploads on both routes, listing and download."""

from __future__ import annotations

import struct
import zlib

from tests.hiboutik.simulator.conftest import Api


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_upload_on_both_routes_is_kept_and_listed(api: Api) -> None:
    web = api.post(
        "/products_images_1000x1000/4/",
        files={"image": ("casquette.png", png(12, 8), "image/png")},
        data={"image_id": "2", "framing_type": "frame"},
    )
    pos = api.post("/products_images/4/", files={"image": ("pos.png", png(3, 3))})
    assert web.status_code == 201 and pos.status_code == 201
    web_id = web.json()["image_id"]

    images = api.get("/products/4").json()[0]["images"]
    listed = api.get("/products_images/", params={"product_id": 4}).json()

    assert {(i["image_name"], i["width"], i["height"]) for i in images} == {
        ("big_4-2.png", 12, 8),
        ("pos_4.png", 3, 3),
    }
    assert [i["image_id"] for i in listed] == [web_id, pos.json()["image_id"]]
    download = api.get("/products_images/big_4-2.png")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "image/png"
    assert download.content == png(12, 8)
    assert listed[0]["url"] == f"{api.sim.base_url}/products_images/big_4-2.png"


def test_new_upload_to_the_same_slot_replaces_the_image(api: Api) -> None:
    for size in (5, 6):
        api.post("/products_images_1000x1000/4/", files={"image": ("a.png", png(size, size))})
    images = api.get("/products_images/", params={"product_id": 4}).json()
    assert [(i["image_slot"], i["width"]) for i in images] == [(1, 6)]


def test_bad_uploads_get_422_and_store_nothing(api: Api) -> None:
    missing = api.post("/products_images/4/", data={"framing_type": "default"})
    not_image = api.post("/products_images/4/", files={"image": ("notes.png", b"hello")})
    no_ext = api.post("/products_images/4/", files={"image": ("image", png(2, 2))})
    wrong_type = api.post(
        "/products_images/4/", files={"image": ("a.png", png(2, 2), "image/jpeg")}
    )
    bad_slot = api.post(
        "/products_images_1000x1000/4/",
        files={"image": ("a.png", png(2, 2))},
        data={"image_id": "9"},
    )
    for response in (missing, not_image, no_ext, wrong_type, bad_slot):
        assert response.status_code == 422, response.text
    assert "image" in missing.json()["details"]
    assert "image_id" in bad_slot.json()["details"]
    assert api.get("/products_images/", params={"product_id": 4}).json() == []


def test_upload_for_an_unknown_product_gets_404(api: Api) -> None:
    response = api.post("/products_images/999/", files={"image": ("a.png", png(2, 2))})
    assert response.status_code == 404


def test_delete_removes_the_image(api: Api) -> None:
    api.post("/products_images/4/", files={"image": ("a.png", png(2, 2))})
    assert api.delete("/products_images/pos_4.png").status_code == 200
    assert api.get("/products_images/pos_4.png").status_code == 404
    assert api.get("/products/4").json()[0]["images"] == []


def test_only_jpeg_and_png_are_accepted(api: Api) -> None:
    gif = b"GIF89a" + struct.pack("<HH", 2, 2) + b"\x00" * 20
    for name, data in (("logo.gif", gif), ("logo.png", gif), ("logo.webp", b"RIFF0000WEBPVP8 ")):
        refused = api.post("/products_images/4/", files={"image": (name, data)})
        assert refused.status_code == 422
        assert "image" in refused.json()["details"]
    assert api.get("/products_images/", params={"product_id": 4}).json() == []

"""Uploaded images: refused by their header when too large, decoded a few at a time, sent at a bounded rate."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from litestar import Request
from litestar.exceptions import TooManyRequestsException
from PIL import Image

from portal.core import storage
from portal.core.i18n import in_russian_and_english
from portal.core.tables import AttemptCounter
from tests.conftest import committed


def png_of(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 250)).save(out, format="PNG")
    return out.getvalue()


def jpeg_of(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(out, format="JPEG", quality=60)
    return out.getvalue()


def test_a_small_file_claiming_forty_megapixels_is_refused_before_decoding():
    data = png_of(6300, 6300)  # about 150 KB on disk, 119 MB of pixels once decoded
    assert len(data) < 400_000
    with pytest.raises(storage.UploadRefused) as refused:
        storage.clean_image(data)
    assert refused.value.code == "too_many_pixels"


def test_a_phone_photo_is_kept_at_most_2560_pixels_wide():
    body, width, height = storage.clean_image(jpeg_of(4000, 3000))
    assert (width, height) == (2560, 1920)
    assert Image.open(io.BytesIO(body)).format == "JPEG"


@pytest.mark.parametrize("size", [(5712, 4284), (8160, 6144)], ids=["24 MP", "50 MP"])
def test_a_phones_full_size_photo_is_taken_and_shrunk_not_refused_for_its_pixels(size: tuple[int, int]) -> None:
    """An iPhone's ordinary 24 MP photo has more than 24 million pixels; a 50 MP one is a phone's full size. Both
    are decoded at a fraction of their size and kept at most 2560 pixels wide."""
    body, width, height = storage.clean_image(jpeg_of(*size))
    assert width == 2560 and abs(height - 2560 * size[1] // size[0]) <= 1
    assert Image.open(io.BytesIO(body)).size == (width, height)


async def test_a_process_decodes_at_most_two_photos_at_once(monkeypatch, tmp_path):
    monkeypatch.setattr(storage, "root", lambda: tmp_path)
    running, most = 0, 0
    lock = threading.Lock()
    original = storage._write

    def counting(data: bytes) -> storage.StoredFile:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return original(data)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(storage, "_write", counting)
    photo = jpeg_of(3000, 2000)
    stored = await asyncio.gather(*(storage.save_image(photo) for _ in range(6)))
    assert len(stored) == 6
    assert most == storage.IMAGE_WORKERS


async def test_forms_with_files_are_limited_per_user(client, login, make_user):
    await login(client, await make_user())
    token = await client.csrf_token()
    answers = []
    for _ in range(storage.UPLOADS_PER_USER.limit + 1):
        response = await client.post(
            "/lang", data={"lang": "ru", "_csrf_token": token}, files={"photo": ("a.jpg", b"x", "image/jpeg")}
        )
        answers.append(response.status_code)
    assert answers[: storage.UPLOADS_PER_USER.limit] == [303] * storage.UPLOADS_PER_USER.limit
    assert answers[-1] == 429


async def _let_through(request: Request, user_id: int) -> bool:
    try:
        await storage.limit_uploads(request, user_id)
    except TooManyRequestsException:
        return False
    return True


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
async def test_a_burst_of_forms_with_files_lets_exactly_the_limit_through(app, engines, engine_name):
    """A hundred forms with files from one user at once, counted on a committed database as in production: a count
    read and then written would let most of them through; counted in one step, exactly the limit passes."""
    request = Request({"type": "http", "litestar_app": app, "app": app, "headers": [], "path": "/", "state": {}})
    user_id = 10**12 + time.time_ns() % 10**9  # no real user: the bucket is this test's own
    async with committed(engines, engine_name):
        try:
            let_through = await asyncio.gather(*(_let_through(request, user_id) for _ in range(100)))
            assert let_through.count(True) == storage.UPLOADS_PER_USER.limit
        finally:
            await AttemptCounter.delete().where(AttemptCounter.bucket == f"uploads:{user_id}")


def pdf_of(text: str = "Материалы") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="materials")
    return bytes(pdf.output())


async def test_a_pdf_document_is_kept_as_sent_and_anything_else_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(storage, "root", lambda: tmp_path)
    data = pdf_of()
    stored = await storage.save_document(data)
    assert stored.key.endswith(".pdf") and stored.content_type == "application/pdf"
    assert storage.path_of(stored.key).read_bytes() == data
    assert storage.content_type_of(stored.key) == "application/pdf"
    photo = await storage.save_document(jpeg_of(40, 30))  # a scan as a photo is cleaned like any image
    assert photo.key.endswith(".jpg")
    for bad in (b"<html><script>alert(1)</script>", data[:-200], b"%PDF-1.7 but no end", b""):
        with pytest.raises(storage.UploadRefused) as refused:
            await storage.save_document(bad)
        assert refused.value.code in ("not_document", "empty")
    with pytest.raises(storage.UploadRefused) as refused:
        await storage.save_document(data + b" " * storage.MAX_DOCUMENT_BYTES)
    assert refused.value.code == "too_large"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"GIF89a<script>alert(1)</script>",
    ],
    ids=["svg-script", "svg-onload", "html", "pdf", "gif-header-then-script"],
)
def test_what_is_not_a_raster_image_is_refused_whatever_it_claims(data: bytes):
    with pytest.raises(storage.UploadRefused) as refused:
        storage.clean_image(data)
    assert refused.value.code == "not_image"


def test_a_kept_photo_carries_no_metadata_of_the_original():
    original = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x010E] = "Flat 12, 44.95 N 34.10 E"  # ImageDescription: where it was taken
    out = io.BytesIO()
    original.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    assert b"Camera Maker" in out.getvalue()
    body, _, _ = storage.clean_image(out.getvalue() + b"appended secret bytes")
    kept = Image.open(io.BytesIO(body))
    assert not kept.getexif() and "exif" not in kept.info and "comment" not in kept.info
    for trace in (b"Camera Maker", b"44.95 N", b"taken at home", b"appended secret"):
        assert trace not in body


@pytest.mark.parametrize(
    ("code", "name", "russian", "english"),
    [
        ("not_image", "flyer.txt", "Файл «flyer.txt» — не изображение: приложите JPEG, PNG или WebP.",
         "The file “flyer.txt” is not a picture: attach a JPEG, PNG or WebP."),
        ("too_large", "big.jpg", "Файл «big.jpg» больше 10\u00a0МБ.", "The file “big.jpg” is larger than 10 MB."),
        ("empty", "", "Файл пуст.", "The file is empty."),
        ("too_many_pixels", "", "В изображении слишком много пикселей: сохраните его в меньшем разрешении.",
         "The picture has too many pixels: save it at a smaller size."),
    ],
    ids=["a file that is not a picture", "a file over the limit", "an empty file", "a huge picture"],
)  # fmt: skip
def test_a_refused_picture_is_said_in_one_set_of_words_naming_the_file(code, name, russian, english):
    """Posts and showcase listings took pictures with two checks of their own, which said the same refusal in
    different words; both now say it with ``storage.image_refusal``."""
    refusal = storage.UploadRefused(code, name)
    assert in_russian_and_english(lambda: storage.image_refusal(refusal)) == (russian, english)


def test_a_photo_is_narrowed_for_a_card_once_and_forgotten_with_it(monkeypatch, tmp_path):
    monkeypatch.setattr(storage, "root", lambda: tmp_path)
    key = storage._write(jpeg_of(2560, 1600)).key
    small = storage.narrow(key, 480)
    assert small != key
    with Image.open(storage.path_of(small)) as image:
        assert (image.width, image.height, image.format) == (480, 300, "JPEG")
    assert storage.path_of(small).stat().st_size * 5 < storage.path_of(key).stat().st_size
    made = storage.path_of(small).stat().st_mtime_ns
    assert storage.narrow(key, 480) == small and storage.path_of(small).stat().st_mtime_ns == made  # kept
    narrow_already = storage._write(jpeg_of(320, 200)).key
    assert storage.narrow(narrow_already, 480) == narrow_already
    storage.delete(key)
    assert not storage.path_of(key).exists() and not storage.path_of(small).exists()
    assert storage.path_of(narrow_already).exists()

"""Uploaded files: size limit, type by content (Pillow, never the name), images re-encoded without metadata.

Photos are decoded, turned upright by their EXIF orientation, scaled down to at most 2560 px, and written again as
a fresh JPEG: the EXIF block (GPS position, camera, time), XMP and any bytes appended to the file are dropped.
Files live under ``settings.var_dir / "uploads"`` by an opaque random key and are never served from a public
folder: a domain route checks that the caller may see the owning record, then answers with ``response_for(key)``.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import secrets
import threading
import warnings
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.response import File
from PIL import Image
from PIL import ImageOps

from portal.core import limits
from portal.core.i18n import gettext
from portal.settings import get_settings

if TYPE_CHECKING:  # core.web reads this module's sizes
    from portal.core.web import FormErrors

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A larger header is refused before any pixel is decoded. A picture decoded whole (PNG, WebP…) may have 24 megapixels;
# a JPEG, decoded at half its size or less (``draft``), a phone's 48 or 50 MP photo: a phone's ordinary photo (an
# iPhone's 24 MP one is 5712 × 4284, over 24 million) is never refused for its pixels, and decoding it takes no more
# memory than the largest PNG.
MAX_PIXELS = 24_000_000
MAX_PHOTO_PIXELS = 64_000_000
SCALED_FORMATS = frozenset({"JPEG", "MPO"})
MAX_SIDE = 2560
# Decoding a photo takes up to ~100 MB and a second of CPU: a process decodes at most this many at once.
IMAGE_WORKERS = 2
_decoding = threading.BoundedSemaphore(IMAGE_WORKERS)
# Uploads (photos, scans, import files) a signed-in user may send: 30 forms with files in 10 minutes.
UPLOADS_PER_USER = limits.Limit("uploads", 30, 600, fail_open=True)
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"})
KEY_PATTERN = re.compile(r"^\d{4}/\d{2}/[A-Za-z0-9_-]{24,64}\.(jpg|pdf)$")
# A PDF (meeting materials, scans of paper ballots) is kept as sent, after checking it is one: it starts with the
# PDF header and ends with the end-of-file marker (a renamed image or HTML page is refused).
MAX_DOCUMENT_BYTES = MAX_IMAGE_BYTES


class UploadRefused(Exception):
    """An upload that is not stored; ``code`` is one of: empty, too_large, not_image, too_many_pixels, not_document."""

    def __init__(self, code: str, name: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.name = name


def image_refusal(refused: UploadRefused) -> str:
    """What is wrong with a refused picture, in the words of every form that takes pictures; the file is named
    when the upload had a name (a form that takes several says which one)."""
    mb = MAX_IMAGE_BYTES // (1024 * 1024)
    if refused.name:
        named = {
            "empty": gettext("The file “%(name)s” is empty."),
            "too_large": gettext("The file “%(name)s” is larger than %(mb)s MB."),
            "too_many_pixels": gettext("The picture “%(name)s” has too many pixels: save it at a smaller size."),
        }.get(refused.code, gettext("The file “%(name)s” is not a picture: attach a JPEG, PNG or WebP."))
        return named % {"name": refused.name, "mb": mb}
    return {
        "empty": gettext("The file is empty."),
        "too_large": gettext("The file is larger than %(mb)s MB.", mb=mb),
        "too_many_pixels": gettext("The picture has too many pixels: save it at a smaller size."),
    }.get(refused.code, gettext("The file is not a picture: attach a JPEG, PNG or WebP."))


@dataclass(frozen=True)
class StoredFile:
    key: str
    content_type: str
    size: int
    width: int
    height: int

    def columns(self) -> dict[str, Any]:
        """The values of a row keeping this file (``core.stamps.PhotoColumns``)."""
        return {"file_key": self.key, "content_type": self.content_type, "size": self.size, "width": self.width,
                "height": self.height}  # fmt: skip


def root() -> Path:
    return Path(get_settings().var_dir) / "uploads"


def path_of(key: str) -> Path:
    """The file of ``key``; a key that is not one of ours (``../``, absolute paths) is refused."""
    if not KEY_PATTERN.match(key):
        raise ValueError("not a storage key")
    return root() / key


def clean_image(data: bytes) -> tuple[bytes, int, int]:
    """Decode ``data`` as an image and encode it again as a JPEG without any metadata (CPU work, no I/O)."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadRefused("too_large")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise UploadRefused("not_image")
            limit = MAX_PHOTO_PIXELS if image.format in SCALED_FORMATS else MAX_PIXELS
            if image.width * image.height > limit:
                raise UploadRefused("too_many_pixels")
            # A JPEG is decoded straight at the smallest scale (1/2, 1/4, 1/8) still larger than what is kept.
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
        except UploadRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRefused("too_many_pixels") from exc
        except Exception as exc:  # Pillow raises many kinds for files that are not images
            raise UploadRefused("not_image") from exc
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image from the pixels only: nothing of the original's info (EXIF, XMP, ICC, comments) survives.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


def _stored(body: bytes, ending: str, content_type: str, width: int = 0, height: int = 0) -> StoredFile:
    """``body`` written under a new key of its own (the month's folder, a random name with its ``ending``)."""
    now = datetime.now(UTC)
    key = f"{now:%Y}/{now:%m}/{secrets.token_urlsafe(24)}.{ending}"
    target = path_of(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return StoredFile(key=key, content_type=content_type, size=len(body), width=width, height=height)


def _write(data: bytes) -> StoredFile:
    body, width, height = clean_image(data)
    return _stored(body, "jpg", "image/jpeg", width, height)


def _write_bounded(data: bytes) -> StoredFile:
    with _decoding:  # waits in the worker thread, never on the event loop
        return _write(data)


async def limit_uploads(connection: ASGIConnection, user_id: int | None) -> None:
    """Refuse (429) a form with files from a user who sent too many lately: each form is counted (``core.limits``,
    one atomic step) before its files are read, so a burst of simultaneous forms cannot all slip under the limit."""
    if user_id is None:
        return
    if not await limits.counter(connection).take(UPLOADS_PER_USER, str(user_id)):
        raise TooManyRequestsException(detail="uploads")


async def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, reading at most one byte over the limit (so a huge file is not kept)."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    return bytes(data)


async def save_image(upload: Any) -> StoredFile:
    """Validate, clean and store one uploaded image (an ``UploadFile`` or bytes); raises ``UploadRefused``."""
    data = await read_upload(upload)
    name = getattr(upload, "filename", "") or ""
    try:
        return await asyncio.to_thread(_write_bounded, data)
    except UploadRefused as refused:
        refused.name = name
        raise


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def check_pdf(data: bytes) -> bytes:
    """A PDF as sent, or ``UploadRefused``: empty, too large, or not a whole PDF file (no CPU-heavy parsing)."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UploadRefused("too_large")
    if not is_pdf(data) or b"%%EOF" not in data[-2048:]:
        raise UploadRefused("not_document")
    return data


def _write_pdf(data: bytes) -> StoredFile:
    return _stored(check_pdf(data), "pdf", "application/pdf")


async def save_document(upload: Any) -> StoredFile:
    """A document: a PDF kept as sent (checked by its content), or a photo or scan cleaned as ``save_image`` does.
    Anything else is refused with ``not_document``."""
    data = await read_upload(upload)
    name = getattr(upload, "filename", "") or ""
    try:
        if is_pdf(data):
            return await asyncio.to_thread(_write_pdf, data)
        return await asyncio.to_thread(_write_bounded, data)
    except UploadRefused as refused:
        if refused.code == "not_image":
            refused = UploadRefused("not_document")
        refused.name = name
        raise refused from None


async def save_pdf(upload: Any) -> StoredFile:
    """A PDF kept as sent, checked by its content whatever its name (a picture or a page renamed «.pdf» is refused
    with ``not_document``): the documents residents download are PDFs, never pictures."""
    data = await read_upload(upload)
    try:
        return await asyncio.to_thread(_write_pdf, data)
    except UploadRefused as refused:
        refused.name = getattr(upload, "filename", "") or ""
        raise


def content_type_of(key: str) -> str:
    return "application/pdf" if key.endswith(".pdf") else "image/jpeg"


def download_name(stem: str, key: str) -> str:
    """The name a stored document is saved under: its kind's extension (a photo named «.pdf» would not open)."""
    return f"{stem}.pdf" if key.endswith(".pdf") else f"{stem}.jpg"


def _narrow_key(key: str, width: int) -> str:
    return key.removesuffix(".jpg") + f"-w{width}.jpg"


def narrow(key: str, width: int) -> str:
    """The key of the stored image ``key`` at most ``width`` pixels wide, for a list that shows it small (a card):
    made the first time it is asked for and kept beside it (a photo kept up to 2560 pixels wide weighs ten to
    fifty times more than a card needs). Blocking: call it in a worker thread."""
    small = _narrow_key(key, width)
    target = path_of(small)
    if target.exists():
        return small
    with _decoding, Image.open(path_of(key)) as image:
        if image.width <= width:
            return key
        image.draft("RGB", (width, image.height * width // image.width))
        image.thumbnail((width, image.height * width // image.width))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80, optimize=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
    partial.write_bytes(out.getvalue())
    partial.replace(target)  # whole or not at all, for a request reading it meanwhile
    return small


def delete(key: str) -> None:
    path = path_of(key)
    path.unlink(missing_ok=True)
    if key.endswith(".jpg"):
        for smaller in path.parent.glob(path.stem + "-w*.jpg"):
            smaller.unlink(missing_ok=True)


# --- the files as they lie in storage, a page at a time (``core.orphans``) -----------------------------------------

_YEAR, _MONTH = re.compile(r"^\d{4}$"), re.compile(r"^\d{2}$")
_NARROW = re.compile(r"^(?P<stem>.+)-w\d+\.jpg$")
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}$")  # ``narrow``'s copy being written (whole or not at all)


@dataclass(frozen=True)
class Lying:
    """A file lying in storage: its key (a partial copy's name for one being written, ``partial``), when it was last
    written (seconds since the epoch), and for a narrow copy the key of the photo it was made from (``made_from``)."""

    key: str
    written: float
    made_from: str = ""
    partial: bool = False


def lying_after(after: str, page: int) -> Iterator[list[Lying]]:
    """The files in storage after the key ``after`` ("" from the start), in the order of their keys, ``page`` at a
    time: one month's folder is read at once (never the whole tree); files of other names are not ours and left
    out. Blocking: run it in a worker thread."""
    base = root()
    years = sorted(p.name for p in base.iterdir() if p.is_dir() and _YEAR.match(p.name)) if base.is_dir() else []
    for year in years:
        if year < after[:4]:
            continue
        months = sorted(p.name for p in (base / year).iterdir() if p.is_dir() and _MONTH.match(p.name))
        for month in months:
            folder = f"{year}/{month}"
            if folder < after[:7]:
                continue
            found = [_lying(folder, entry) for entry in os.scandir(base / folder) if entry.is_file()]
            files = sorted((f for f in found if f is not None and f.key > after), key=lambda f: f.key)
            for start in range(0, len(files), page):
                yield files[start : start + page]


def _lying(folder: str, entry: os.DirEntry[str]) -> Lying | None:
    key, written = f"{folder}/{entry.name}", entry.stat().st_mtime
    if _PARTIAL.match(entry.name):
        return Lying(key, written, partial=True)
    if not KEY_PATTERN.match(key):
        return None
    narrow_of = _NARROW.match(entry.name)
    return Lying(key, written, made_from=f"{folder}/{narrow_of['stem']}.jpg" if narrow_of else "")


def remove(key: str) -> None:
    """Delete the file lying under ``key`` (a partial copy's name too; one already gone is no error)."""
    path = root() / key
    if path.parent.parent.parent != root() or not (KEY_PATTERN.match(key) or _PARTIAL.match(path.name)):
        raise ValueError("not a storage key")
    path.unlink(missing_ok=True)


@contextmanager
def dropped_unless_saved(*keys: str) -> Iterator[list[str]]:
    """Files stored for a change not yet saved: deleted if the block is refused or fails, kept once it is done (they
    would otherwise stay behind, of no row). A file stored within the block joins the yielded list."""
    stored = list(keys)
    try:
        yield stored
    except BaseException:
        for key in stored:
            delete(key)
        raise


def response_for(key: str, content_type: str = "image/jpeg", filename: str = "photo.jpg") -> File:
    """Serve a stored file to a caller the route has already checked."""
    return File(
        path=path_of(key),
        media_type=content_type,
        filename=filename,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=86400"},
    )


def is_upload(value: Any) -> bool:
    """A non-empty file field of a multipart form (browsers send an empty part when no file was chosen)."""
    return hasattr(value, "read") and bool(getattr(value, "filename", ""))


async def required_file(
    data: Mapping[str, Any],
    name: str,
    errors: FormErrors,
    *,
    missing: str,
    refusal: Callable[[UploadRefused], str],
    save: Callable[[Any], Awaitable[StoredFile]] = save_document,
) -> StoredFile | None:
    """The file a form requires at its field ``name``, stored by ``save``; else None, what is wrong said at that
    field: ``missing`` when no file was chosen, ``refusal`` of the reason ``save`` refused it."""
    upload = data.get(name)
    if not is_upload(upload):
        errors.add(name, missing)
        return None
    try:
        return await save(upload)
    except UploadRefused as refused:
        errors.add(name, refusal(refused))
        return None

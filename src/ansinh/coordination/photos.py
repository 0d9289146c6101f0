"""Photos from the phone camera: read with Pillow, turned upright, resized to at most
1600 px, re-encoded as JPEG (which keeps none of the file's metadata: no EXIF, no GPS
position, no camera serial) with a small copy for the thread, and kept under
``VAR_DIR/coordination/<commune>/`` (folder 0700, files 0600), like the import files
(``imports/files.py``). They are shown only through the scoped view, never as public media.

JPEG and PNG are read by Pillow itself; HEIC/HEIF (iPhones) through ``pillow-heif``'s opener
(a dependency; its wheels bundle libheif), registered when this module is imported
(:func:`register_heif`): a HEIC photo is turned upright, resized and stored as JPEG without its
EXIF (GPS position included) like the others. Anything else, a damaged file or an image of
more than :data:`MAX_PIXELS` pixels is refused with a message a person can act on.

Public interface::

    prepare(upload) -> Prepared           # ValidationError if it is not a readable photo
    store(prepared, commune_code) -> str  # the stored name
    path_of(commune_code, name, *, thumb=False) -> Path
    remove(commune_code, names)           # after a failed transaction
    photos_root() -> Path                 # VAR_DIR/coordination, carried in every backup
    referenced(using) -> Iterator[str]    # "<commune>/<name>" of every stored file in use

Backups (ADR 0013) carry ``photos_root()`` (registered in ``CoordinationConfig.ready()``):
a photo's files are written before its row is committed, and only the files of a write that
failed are ever removed (:func:`remove`), so a backup that copies the folder after the
database snapshot holds every photo the snapshot refers to.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from ansinh.core.web import check_upload_size

MAX_SIDE = 1600
THUMB_SIDE = 480
JPEG_QUALITY = 82
#: A larger image is refused before it is decoded (a "decompression bomb" would fill memory).
MAX_PIXELS = 50_000_000
#: Photos one item or comment may carry.
MAX_PHOTOS = 4
#: What a phone camera sends: JPEG (MPO: some phones' multi-picture JPEG), PNG (screenshots),
#: HEIC/HEIF (iPhones; Pillow names both "HEIF").
ACCEPTED = frozenset({"JPEG", "MPO", "PNG", "HEIF", "HEIC"})
_NAME = re.compile(r"[A-Za-z0-9_-]{16,64}\.jpg")


def register_heif() -> None:
    """Let Pillow read HEIC/HEIF photos (iPhones). Registering again is harmless. Without the
    embedded thumbnails: only the main image is ever read."""
    register_heif_opener(thumbnails=False)


register_heif()


@dataclass(frozen=True)
class Prepared:
    """A photo ready to be stored: the JPEG bytes, its small copy and its size in pixels."""

    data: bytes
    thumb: bytes
    width: int
    height: int


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file cannot be read as a photo. Send a JPEG, PNG or HEIC photo."),
        code="not_a_photo",
    )


def _flat(image: Image.Image) -> Image.Image:
    """RGB, transparency laid on white (a PNG with an alpha channel would turn black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or xmp=: the new file carries only the pixels.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def prepare(upload: Any) -> Prepared:
    """The uploaded file as a stored photo, or a ``ValidationError`` (too large, not a photo,
    a kind of image that is not accepted)."""
    check_upload_size(upload)
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED:
                raise ValidationError(
                    _("Only photos can be attached (JPEG, PNG or HEIC)."), code="photo_type"
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo is too large (more than %(mp)s megapixels).")
                    % {"mp": MAX_PIXELS // 1_000_000},
                    code="photo_pixels",
                )
            upright = ImageOps.exif_transpose(image)
            flat = _flat(upright)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _unreadable() from None
    flat.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    small = flat.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Prepared(data=_jpeg(flat), thumb=_jpeg(small), width=flat.width, height=flat.height)


def photos_root() -> Path:
    """The folder of every commune's photos (a data folder carried in backups)."""
    return Path(settings.VAR_DIR) / "coordination"


def referenced(using: str) -> Iterator[str]:
    """The files the database ``using`` refers to, relative to :func:`photos_root`: each
    photo and its small copy."""
    from ansinh.coordination.models import Photo

    rows = Photo.objects.using(using).values_list("item__commune_id", "stored_name")
    for commune_code, name in rows.iterator():
        for thumb in (False, True):
            with contextlib.suppress(ValueError):
                yield path_of(commune_code, name, thumb=thumb).relative_to(photos_root()).as_posix()


def photos_dir(commune_code: int) -> Path:
    folder = Path(settings.VAR_DIR) / "coordination" / str(int(commune_code))
    folder.mkdir(parents=True, exist_ok=True)
    for level in (folder.parent, folder):
        with contextlib.suppress(OSError):
            level.chmod(0o700)
    return folder


def path_of(commune_code: int, name: str, *, thumb: bool = False) -> Path:
    """Where a stored photo (or its small copy) is; a name not of ours raises ``ValueError``."""
    if not _NAME.fullmatch(name):
        raise ValueError("not a stored photo name")
    folder = Path(settings.VAR_DIR) / "coordination" / str(int(commune_code))
    return folder / (name.replace(".jpg", ".thumb.jpg") if thumb else name)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    tmp.replace(path)


def store(prepared: Prepared, commune_code: int) -> str:
    """Write the photo and its small copy under a new random name; return the name."""
    photos_dir(commune_code)
    name = f"{secrets.token_urlsafe(24)}.jpg"
    _write(path_of(commune_code, name), prepared.data)
    _write(path_of(commune_code, name, thumb=True), prepared.thumb)
    return name


def remove(commune_code: int, names: Iterable[str]) -> None:
    """Remove stored photos (those of a write that failed after they were stored)."""
    for name in names:
        for thumb in (False, True):
            with contextlib.suppress(OSError, ValueError):
                path_of(commune_code, name, thumb=thumb).unlink()

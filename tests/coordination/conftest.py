"""The coordination tests' world: the two ấp of commune A (officer, committee member, auditor,
a village head for each ấp), a commune B with its officer; photos made with Pillow (a phone
photo with its GPS position and orientation in EXIF)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Item
from tests import factories as f

COMMUNE_B = 28468  # Xã Tân Phú, Đồng Tháp
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Photos are written under the test's own folder."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def head_dh(dong_hiep):
    return f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep])


@pytest.fixture
def village_b(db):
    return f.village(commune_code=COMMUNE_B, name="Ấp Phú Mỹ", code="PM")


@pytest.fixture
def officer_b(village_b):
    return f.user("canbo_b", f.Role.OFFICER, commune_code=COMMUNE_B)


def report(user: Any, village: Any, **kw: Any) -> Item:
    """An item reported by ``user`` (a problem of ``village`` unless told otherwise)."""
    kw.setdefault("kind", "problem")
    kw.setdefault("topic", "housing")
    kw.setdefault("title", "Mái nhà bị tốc sau mưa giông")
    return services.item_report(scope=scope_for(user), village=village, **kw)


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def phone_photo(
    size: tuple[int, int] = (3000, 2000), *, orientation: int = 1, name: str = "IMG_0001.jpg"
) -> SimpleUploadedFile:
    """A JPEG as a phone writes it: EXIF with the camera, the orientation and a GPS position."""
    image = Image.new("RGB", size, (180, 120, 60))
    for x in range(0, size[0], 50):  # something to look at, not a flat colour
        image.paste((30, 90, 160), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (10.0, 45.0, 30.5), 3: "E", 4: (106.0, 40.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_photo(size: tuple[int, int] = (800, 600), *, alpha: bool = True) -> SimpleUploadedFile:
    colour = (10, 200, 10, 0) if alpha else (10, 200, 10)
    image = Image.new("RGBA" if alpha else "RGB", size, colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("screenshot.png", out.getvalue(), content_type="image/png")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)

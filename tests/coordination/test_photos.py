"""Photos from the phone: resized, turned upright, re-encoded without EXIF (no GPS position),
kept under the data folder (0600) and shown only through the scoped view; anything that is
not a readable photo is refused with a message, and nothing is left behind."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import photos, services
from ansinh.coordination.models import Comment, Item, Photo
from tests.coordination.conftest import GPS_IFD, phone_photo, png_photo, report, upload

pytestmark = pytest.mark.django_db


def _image(path: Path) -> Image.Image:
    """The stored file as an image (read at once: no file left open)."""
    return Image.open(io.BytesIO(path.read_bytes()))


def _stored(photo: Photo, *, thumb: bool = False) -> Path:
    return photos.path_of(photo.item.commune_id, photo.stored_name, thumb=thumb)


def test_a_phone_photo_loses_its_gps_position_and_is_resized(head_td, tan_dong):
    sent = phone_photo((4000, 3000))
    original = Image.open(io.BytesIO(sent.read()))
    assert original.getexif().get_ifd(GPS_IFD)  # the photo as sent has a position
    sent.seek(0)
    item = report(head_td, tan_dong, photos=[sent])
    photo = item.photos.get()
    kept = _image(_stored(photo))
    assert kept.format == "JPEG"
    assert max(kept.size) == 1600
    assert kept.size == (1600, 1200)
    assert (photo.width, photo.height) == kept.size
    exif = kept.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert len(exif) == 0  # nothing of the camera either
    assert "exif" not in kept.info
    small = _image(_stored(photo, thumb=True))
    assert max(small.size) == photos.THUMB_SIDE
    assert item.photo_count == 1


def test_the_orientation_is_applied_before_the_metadata_goes(head_td, tan_dong):
    item = report(head_td, tan_dong, photos=[phone_photo((1200, 800), orientation=6)])
    photo = item.photos.get()
    assert (photo.width, photo.height) == (800, 1200)  # stood up as the phone showed it


def test_files_are_private(head_td, tan_dong):
    item = report(head_td, tan_dong, photos=[phone_photo((400, 300))])
    path = _stored(item.photos.get())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_a_png_with_transparency_becomes_a_jpeg_on_white(head_td, tan_dong):
    item = report(head_td, tan_dong, photos=[png_photo()])
    kept = _image(_stored(item.photos.get()))
    assert kept.format == "JPEG"
    assert kept.getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("don.pdf", b"%PDF-1.4 not a photo", "cannot be read as a photo|Không đọc được"),
        ("anh.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "cannot be read as a photo|Không đọc được"),
        ("anh.heic", b"\x00\x00\x00\x18ftypheic\x00\x00", "cannot be read as a photo|Không đọc"),
    ],
)
def test_what_is_not_a_photo_is_refused(head_td, tan_dong, name, data, message):
    with pytest.raises(ValidationError, match=message):
        report(head_td, tan_dong, photos=[upload(name, data)])
    assert not Item.objects.exists()


def test_a_gif_is_not_a_photo(head_td, tan_dong):
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "GIF")
    with pytest.raises(ValidationError, match=r"Only photos|Chỉ đính kèm"):
        report(head_td, tan_dong, photos=[upload("a.gif", out.getvalue())])


def test_too_large_a_file_or_an_image_is_refused(head_td, tan_dong, settings, monkeypatch):
    settings.ANSINH_MAX_UPLOAD_MB = 1
    big = upload("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(ValidationError, match=r"too large|quá lớn"):
        report(head_td, tan_dong, photos=[big])
    monkeypatch.setattr(photos, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError, match="megapixel"):
        report(head_td, tan_dong, photos=[phone_photo((100, 100))])
    assert not Item.objects.exists()


def test_at_most_four_photos_at_a_time(head_td, tan_dong):
    with pytest.raises(ValidationError, match=r"At most 4|Tối đa 4"):
        report(head_td, tan_dong, photos=[phone_photo((50, 50)) for _ in range(5)])


def test_a_failed_write_leaves_no_file(head_td, tan_dong, monkeypatch, settings):
    item = report(head_td, tan_dong)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("ansinh.coordination.services.common.audit.created", broken)
    with pytest.raises(RuntimeError):
        services.comment_add(
            scope=scope_for(head_td), item=item, text="Ảnh", photos=[phone_photo((60, 40))]
        )
    folder = Path(settings.VAR_DIR) / "coordination"
    assert not [p for p in folder.rglob("*") if p.is_file()]
    assert not Comment.objects.exists()


def test_a_comment_may_be_a_photo_alone(officer, tan_dong):
    item = report(officer, tan_dong)
    comment = services.comment_add(
        scope=scope_for(officer), item=item, text="", photos=[phone_photo((60, 40))]
    )
    assert comment.photos.count() == 1
    item.refresh_from_db()
    assert (item.photo_count, item.comment_count) == (1, 1)


def test_photos_are_shown_only_in_scope(client, head_td, head_dh, officer, tan_dong):
    item = report(head_td, tan_dong, photos=[phone_photo((800, 600))])
    photo = item.photos.get()
    url = reverse("coordination:photo", args=[photo.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (800, 600)
    small = client.get(url + "?size=small")
    assert Image.open(io.BytesIO(small.content)).size == (480, 360)
    client.force_login(head_dh)  # another ấp: as if it did not exist
    assert client.get(url).status_code == 404
    assert client.get(reverse("coordination:photo", args=[10**9])).status_code == 404


def test_a_missing_file_is_a_404(client, officer, tan_dong):
    item = report(officer, tan_dong, photos=[phone_photo((60, 40))])
    photo = item.photos.get()
    _stored(photo).unlink()
    client.force_login(officer)
    assert client.get(reverse("coordination:photo", args=[photo.pk])).status_code == 404


def test_stored_names_cannot_leave_the_folder():
    with pytest.raises(ValueError, match="not a stored photo"):
        photos.path_of(25522, "../../etc/passwd")


def test_an_iphone_heic_photo_is_stored_as_a_jpeg_without_its_position(head_td, tan_dong):
    import pillow_heif

    image = Image.new("RGB", (2000, 1500), (180, 120, 60))
    for x in range(0, 2000, 50):
        image.paste((30, 90, 160), (x, 0, x + 10, 1500))
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[GPS_IFD] = {1: "N", 2: (10.0, 45.0, 30.5), 3: "E", 4: (106.0, 40.0, 12.0)}
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=60, exif=exif.tobytes())
    sent = Image.open(io.BytesIO(out.getvalue()))
    assert sent.format == "HEIF"
    assert sent.getexif().get_ifd(GPS_IFD)  # the photo as the iPhone sends it has a position
    item = report(head_td, tan_dong, photos=[upload("IMG_4512.HEIC", out.getvalue())])
    photo = item.photos.get()
    kept = _image(_stored(photo))
    assert kept.format == "JPEG"
    assert kept.size == (photo.width, photo.height) == (1600, 1200)
    assert not kept.getexif().get_ifd(GPS_IFD)
    assert len(kept.getexif()) == 0
    assert "exif" not in kept.info
    assert kept.getpixel((25, 600)) == pytest.approx((180, 120, 60), abs=12)
    assert max(_image(_stored(photo, thumb=True)).size) == photos.THUMB_SIDE

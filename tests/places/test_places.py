import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.places import services
from ansinh.places.models import Commune, Province, Village

pytestmark = pytest.mark.django_db


def test_national_list_is_loaded():
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    tay_ninh = Province.objects.get(code=80)
    assert tay_ninh.name == "Tây Ninh"
    assert Commune.objects.get(code=25522).area_type == "rural"  # Xã Tân Đông
    assert not Commune.objects.filter(kind="ward").exclude(area_type="urban").exists()


def test_places_sync_is_idempotent_and_keeps_local_area_type():
    commune = Commune.objects.get(code=25522)
    commune.area_type = "urban"
    commune.save()
    services.places_sync()
    assert Commune.objects.count() == 3321
    assert Commune.objects.get(code=25522).area_type == "urban"


def test_village_area_type_override(tan_dong):
    assert tan_dong.area_type == "rural"
    tan_dong.area_type_override = "urban"
    assert tan_dong.area_type == "urban"


def test_officer_adds_a_village_through_the_page(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("places:village_list"),
        {"name": "Ấp Bàu Sen", "kind": "ap", "code": "bs", "area_type_override": ""},
    )
    assert response.status_code == 302
    village = Village.objects.get(code="BS")
    assert village.name == "Ấp Bàu Sen"
    again = client.post(
        reverse("places:village_list"),
        {"name": "Ấp Bàu Sen", "kind": "ap", "code": "BS2", "area_type_override": ""},
    )
    assert again.status_code == 200
    assert Village.objects.filter(name="Ấp Bàu Sen").count() == 1


def test_village_code_must_be_plain(officer):
    with pytest.raises(ValidationError, match="Vui lòng dùng từ 1 đến 8 chữ cái hoặc chữ số"):
        services.village_create(
            scope=scope_for(officer), commune=officer.commune, name="Ấp Mới", kind="ap", code="Đ-1"
        )


def test_village_head_cannot_add_villages(client, head_td):
    with pytest.raises(PermissionDenied, match="mới được quản lý danh sách ấp"):
        services.village_create(
            scope=scope_for(head_td), commune=head_td.commune, name="Ấp Khác", kind="ap", code="AK"
        )
    client.force_login(head_td)
    response = client.post(
        reverse("places:village_list"), {"name": "Ấp Khác", "kind": "ap", "code": "AK"}
    )
    assert response.status_code == 403
    assert client.get(reverse("places:village_list")).status_code == 200

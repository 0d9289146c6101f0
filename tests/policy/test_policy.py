"""Policy values kept in the application (issue 12): entered with their legal reference,
approved by a second person, merged like an overlay file, seen before they apply, shared."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ansinh.accounts.scopes import Scope, scope_for
from ansinh.core.models import AuditEntry
from ansinh.demo.builder import build_registry
from ansinh.demo.poverty import build_poverty
from ansinh.policy import provider, services, whatif
from ansinh.policy.models import PolicyValue
from ansinh.poverty.models import ReviewRound
from ansinh.rules.parameters import default_parameters, entry_version, shipped_parameters
from tests import factories as f
from tests.poverty.test_views import pdf_text

pytestmark = pytest.mark.django_db
D = dt.date
JAN_2027 = D(2027, 1, 1)
REF = {"document": "Decree 351/2025/ND-CP", "document_vi": "Nghị định 351/2025/NĐ-CP"}


@pytest.fixture
def officer():
    return f.user("canbo", f.Role.OFFICER)


@pytest.fixture
def committee():
    return f.user("phochutich", f.Role.COMMITTEE)


def enter(user, name="poverty.indicator.floor_area", value=None, **kw):
    return services.policy_value_enter(
        scope=scope_for(user),
        name=name,
        valid_from=kw.pop("valid_from", JAN_2027),
        value={"min_m2_per_person": 10} if value is None else value,
        article_vi=kw.pop("article_vi", "Điều 2"),
        **REF,
        **kw,
    )


def test_a_value_applies_only_once_a_second_person_approves(officer, committee):
    with pytest.raises(Exception, match="floor-area indicator is configured for 2027"):
        default_parameters().value("poverty.indicator.floor_area", JAN_2027)
    entry = enter(officer)
    with pytest.raises(Exception, match="floor-area indicator is configured for 2027"):
        default_parameters().value("poverty.indicator.floor_area", JAN_2027)
    services.policy_value_approve(scope=scope_for(committee), entry=entry)
    found = default_parameters().value("poverty.indicator.floor_area", JAN_2027)
    assert found.value == {"min_m2_per_person": 10}
    assert found.reference.text("vi") == "Nghị định 351/2025/NĐ-CP, Điều 2"
    # the same version id as the same entry written in an overlay file
    entry.refresh_from_db()
    assert (
        entry.version
        == found.version
        == entry_version("poverty.indicator.floor_area", None, entry.overlay_entry())
    )
    actions = list(
        AuditEntry.objects.filter(model_label="policy.policyvalue")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_who_may_enter_and_approve(officer, committee):
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[f.village()])
    auditor = f.user("kiemtra", f.Role.AUDITOR)
    for user in (head, auditor, committee):
        with pytest.raises(PermissionDenied, match="người quản trị chính sách"):
            enter(user)
    entry = enter(officer)
    for user in (officer, head, auditor):
        with pytest.raises(PermissionDenied, match="phê duyệt"):
            services.policy_value_approve(scope=scope_for(user), entry=entry)
    # once the installation has a province account, the province officer administers
    province = f.user("tinh", f.Role.PROVINCE)
    with pytest.raises(PermissionDenied, match="người quản trị chính sách"):
        enter(officer, valid_from=D(2027, 2, 1))
    own = enter(province, valid_from=D(2027, 3, 1))
    with pytest.raises(PermissionDenied, match="không phải người đã nhập"):
        services.policy_value_approve(scope=scope_for(province), entry=own)
    services.policy_value_approve(scope=scope_for(committee), entry=own)
    services.policy_value_approve(scope=scope_for(province), entry=entry)
    with pytest.raises(ValidationError, match="đã được quyết định"):
        services.policy_value_reject(scope=scope_for(committee), entry=entry, note="sai")


def test_rejection_needs_a_reason_and_never_applies(officer, committee):
    entry = enter(officer)
    with pytest.raises(ValidationError, match="Ghi lý do"):
        services.policy_value_reject(scope=scope_for(committee), entry=entry, note=" ")
    services.policy_value_reject(scope=scope_for(committee), entry=entry, note="Sai điều khoản")
    with pytest.raises(Exception, match="configured for 2027"):
        default_parameters().value("poverty.indicator.floor_area", JAN_2027)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"value": {"min_m2": 8}}, "Thiếu các trường: min_m2_per_person"),
        ({"value": {"min_m2_per_person": -1}}, "không được âm"),
        ({"value": "tám"}, "Cần các trường"),
        ({"name": "poverty.nothing"}, "không có tham số tên"),
        ({"valid_from": D(9999, 1, 1)}, "năm 2000 đến 2100"),
        ({"province": 80}, "không có giá trị riêng cấp tỉnh"),
        ({"text_pdf": b"not a pdf"}, "PDF"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(officer, kw, message):
    with pytest.raises(ValidationError, match=message):
        enter(officer, **kw)
    assert not PolicyValue.objects.exists()


def test_a_correction_is_a_new_entry_that_wins_from_its_approval(officer, committee):
    first = enter(officer)
    services.policy_value_approve(scope=scope_for(committee), entry=first)
    second = enter(officer, value={"min_m2_per_person": 9}, note="Đính chính")
    services.policy_value_approve(scope=scope_for(committee), entry=second)
    assert default_parameters().value("poverty.indicator.floor_area", JAN_2027).value == {
        "min_m2_per_person": 9
    }
    first.refresh_from_db()
    assert first.value == {"min_m2_per_person": 10}
    assert first.state == "approved"


def test_export_then_import_round_trip(officer, committee):
    entry = enter(officer, illustrative=True, note="minh họa")
    entry = services.policy_value_approve(scope=scope_for(committee), entry=entry)
    text = services.export_yaml()
    document = yaml.safe_load(text)
    spec = document["parameters"]["poverty.indicator.floor_area"]
    assert spec["label_vi"]
    assert spec["values"][0]["illustrative"] is True
    # the exported file is a valid overlay for the batch commands
    merged = shipped_parameters().with_document(document, "export")
    assert merged.value("poverty.indicator.floor_area", JAN_2027).version == entry.version
    # in force already: importing it again enters nothing
    assert services.policy_import(scope=scope_for(officer), text=text, source="x.yaml") == []
    PolicyValue.objects.all().delete()
    created = services.policy_import(scope=scope_for(officer), text=text, source="x.yaml")
    assert [c.state for c in created] == ["proposed"]
    approved = services.policy_value_approve(scope=scope_for(committee), entry=created[0])
    assert approved.version == entry.version
    with pytest.raises(ValidationError, match="Không dùng được tệp"):
        services.policy_import(scope=scope_for(officer), text="parameters: [1, 2", source="b")


def test_whatif_counts_moves_on_the_communes_own_data(officer, committee):
    reg = build_registry(households=300, seed=5, as_of=D(2026, 11, 28))
    build_poverty(commune=reg.commune, as_of=D(2026, 11, 28), seed=5)
    current = ReviewRound.objects.filter(commune=reg.commune).order_by("-standard_date")[0]
    classes = {e.pk: e.result_class for e in current.entries.exclude(answers={}) if e.result_class}
    canbo = scope_for(f.User.objects.get(username="canbo"))
    # a rural income line above every demo income: every non-poor household becomes near-poor
    entry = services.policy_value_enter(
        scope=canbo,
        name="poverty.income_line.rural",
        valid_from=JAN_2027,
        value=5_000_000,
        **REF,
    )
    effect = whatif.effect_of(canbo, entry)
    now = effect.poverty[0]
    expected = sum(1 for c in classes.values() if c == "not_poor")
    assert now.total == len(classes)
    assert now.matrix == ([("not_poor", "near_poor", expected)] if expected else [])
    assert sum(n for _v, cells in now.by_village for _b, _a, n in cells) == expected
    assert {m["before"] for m in now.moved} <= {"not_poor"}
    # the proposal is not in force while its effect is shown
    assert default_parameters().value("poverty.income_line.rural", JAN_2027).value == 2_200_000


def test_pages_and_pdfs_of_a_round_on_illustrative_values_say_so(client):
    reg = build_registry(households=300, seed=5, as_of=D(2026, 11, 28))
    build_poverty(commune=reg.commune, as_of=D(2026, 11, 28), seed=5)
    rounds = ReviewRound.objects.filter(commune=reg.commune).order_by("-standard_date")
    current = rounds[0]
    last = rounds.exclude(decision_number="").get(kind="annual")
    client.force_login(f.User.objects.get(username="canbo"))
    mark = "GIÁ TRỊ MINH HỌA – không phải văn bản pháp luật"
    assert mark in client.get(reverse("poverty:round", args=[current.pk])).content.decode()
    assert mark not in client.get(reverse("poverty:round", args=[last.pk])).content.decode()
    report = " ".join(
        pdf_text(client.get(reverse("poverty:report_pdf", args=[current.pk]))).split()
    )
    assert mark in report
    assert mark not in pdf_text(client.get(reverse("poverty:report_pdf", args=[last.pk])))
    # the decision cites the decree of the standard in force on the round's date
    decision = " ".join(
        pdf_text(client.get(reverse("poverty:decision_pdf", args=[last.pk]))).split()
    )
    assert "Căn cứ Nghị định số 351/2025/NĐ-CP" not in decision
    assert "Căn cứ Nghị định số 07/2021/NĐ-CP" in decision


def test_page_api_and_approval_flow(client, officer, committee):
    client.force_login(officer)
    page = client.get(reverse("policy:index"), {"on": "01/01/2027"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tham số chính sách" in text
    assert text.index("ansinh chưa có giá trị này") < text.index("2.200.000")
    assert '2.200.000 <small class="muted">đồng/người/tháng</small>' in text
    assert "dong per person" not in text
    row = text[text.index('id="p-povertyindicatorinfo_assets"') :]
    assert "không phải chỉ số của chuẩn áp dụng ngày này" in row[: row.index("</tr>")]
    standard = text[text.index('id="p-povertystandard"') :]
    assert "Nghị định 351/2025/NĐ-CP" in standard[: standard.index("</tr>")]
    url = reverse("policy:enter", args=["poverty.indicator.floor_area"])
    response = client.post(
        url,
        {
            "valid_from": "2027-01-01",
            "document_vi": "Nghị định 351/2025/NĐ-CP",
            "status": "firm",
            "value__min_m2_per_person": "9",
        },
    )
    entry = PolicyValue.objects.get()
    assert response.status_code == 302
    assert entry.value == {"min_m2_per_person": 9.0}
    client.force_login(committee)
    detail = client.get(reverse("policy:entry", args=[entry.pk])).content.decode()
    assert "approve-form" in detail
    client.post(reverse("policy:approve", args=[entry.pk]), {"note": ""})
    entry.refresh_from_db()
    assert entry.state == "approved"
    token = f.api_token(officer)
    api = client.get(
        "/api/policy/parameters",
        {"on": "2027-01-01"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    by_name = {p["name"]: p for p in api}
    assert by_name["poverty.indicator.floor_area"]["value"] == {"min_m2_per_person": 9.0}
    assert by_name["poverty.average_band_max.rural"]["status"] == "missing"


def test_provider_rebuilds_only_when_approvals_change(
    officer, committee, django_assert_num_queries
):
    default_parameters()
    with django_assert_num_queries(1):
        default_parameters()
    entry = enter(officer)
    services.policy_value_approve(scope=scope_for(committee), entry=entry)
    assert default_parameters() is default_parameters()
    assert provider.SOURCE in default_parameters().sources


def test_system_scope_imports_for_the_demo():
    system = Scope.system(f.village().commune_id, "policy import")
    entry = services.policy_value_enter(
        scope=system,
        name="poverty.indicator.floor_area",
        valid_from=JAN_2027,
        value={"min_m2_per_person": 8},
        **REF,
    )
    assert entry.entered_system == "policy import"


def test_every_role_on_every_policy_page(client, officer, committee):
    """Every policy URL for every role: reading is open to the signed-in, entering and
    deciding only to their roles, the what-if only to roles that see the whole commune."""
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[f.village()])
    auditor = f.user("kiemtra", f.Role.AUDITOR)
    entry = enter(officer, text_pdf=b"%PDF-1.4 test", text_pdf_name="nd.pdf")
    urls = {
        "index": reverse("policy:index"),
        "enter": reverse("policy:enter", args=["poverty.indicator.floor_area"]),
        "entry": reverse("policy:entry", args=[entry.pk]),
        "pdf": reverse("policy:pdf", args=[entry.pk]),
        "export": reverse("policy:export"),
    }
    for url in urls.values():
        assert client.get(url).status_code == 302  # anonymous: to sign in
    assert client.get(reverse("policy:entry", args=[999999])).status_code == 302
    for user in (head, auditor, committee):
        client.force_login(user)
        for name, url in urls.items():
            # the entry form sends those who may not enter back to the list, with a message
            assert client.get(url).status_code == (302 if name == "enter" else 200)
        page = client.get(urls["entry"]).content.decode()
        assert ("Ảnh hưởng đối với xã" in page) == (user is not head)
        client.post(urls["enter"], {"valid_from": "2027-02-01", "document_vi": "X"})
        client.post(reverse("policy:import"), {})
        if user is not committee:
            client.post(reverse("policy:approve", args=[entry.pk]))
            client.post(reverse("policy:reject", args=[entry.pk]), {"note": "x"})
        assert client.get(reverse("policy:entry", args=[999999])).status_code == 404
    assert PolicyValue.objects.count() == 1
    entry.refresh_from_db()
    assert entry.state == "proposed"
    client.force_login(head)
    assert "Ảnh hưởng đối với xã" not in client.get(urls["entry"]).content.decode()

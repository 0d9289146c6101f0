"""What the review prints: the public posting on a date the officer chooses, previewed before
the PDF; addresses without a place twice; no doubled words in the decision."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditEntry
from ansinh.poverty import documents, services
from ansinh.poverty.models import Posting
from ansinh.registry.models import Household

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(page.extract_text() for page in pages).replace("\n", " ")


@pytest.fixture
def addressed(poor_td):
    """The household's address already names its ấp (as imports and the demo write it)."""
    Household.objects.filter(pk=poor_td.pk).update(address="Tổ 4, Ấp Tân Đông")
    poor_td.refresh_from_db()
    return poor_td


@pytest.fixture
def with_result(annual_round, addressed):
    annual_round.entries.filter(household=addressed).update(result_class="poor")
    return annual_round


def _url(rnd, village):
    return reverse("poverty:posting", args=[rnd.pk, village.pk])


def test_posting_page_previews_the_list(client, officer, with_result, tan_dong, addressed):
    client.force_login(officer)
    page = client.get(_url(with_result, tan_dong))
    html = page.content.decode()
    today = timezone.localdate()
    assert page.status_code == 200
    assert 'id="posting-preview"' in html
    for text in (addressed.code, "Nguyễn Văn An", "Hộ nghèo"):
        assert text in html
    assert f"Niêm yết từ ngày {today:%d/%m/%Y}" in html
    assert "Tổ 4, Ấp Tân Đông" in html
    assert "Ấp Tân Đông, Ấp Tân Đông" not in html
    assert not Posting.objects.exists()  # a preview records nothing


def test_preview_of_a_typed_date_records_nothing(client, officer, with_result, tan_dong):
    client.force_login(officer)
    page = client.post(_url(with_result, tan_dong), {"posted_on": "2026-11-21", "preview": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Niêm yết từ ngày 21/11/2026 đến hết ngày 28/11/2026" in html
    assert not Posting.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-08-31", r"(trước ngày bắt đầu rà soát|before the review starts) \(01/09/2025\)"),
        ("far", r"(tối đa 30 ngày|at most 30 days ahead)"),
        ("31/02/2026", r"(ngày hợp lệ|valid date|Nhập|Enter)"),
    ],
)
@pytest.mark.parametrize("button", ["preview", "record"])
def test_a_wrong_posting_date_is_refused(
    client, officer, with_result, tan_dong, day, message, button
):
    if day == "far":
        day = (timezone.localdate() + dt.timedelta(days=31)).isoformat()
    client.force_login(officer)
    page = client.post(_url(with_result, tan_dong), {"posted_on": day, button: "1"})
    assert page.status_code == 200  # the form again, with the message on the date
    assert re.search(message, page.content.decode())
    assert not Posting.objects.exists()
    assert 'id="posting-preview"' in page.content.decode()  # the list is still shown


def test_recording_stores_the_date_audits_it_and_prints(
    client, officer, with_result, tan_dong, addressed
):
    client.force_login(officer)
    response = client.post(_url(with_result, tan_dong), {"posted_on": "2026-11-21"})
    posting = Posting.objects.get()
    assert (posting.posted_on, posting.until) == (dt.date(2026, 11, 21), dt.date(2026, 11, 28))
    assert response["Location"] == reverse("poverty:posting_pdf", args=[posting.pk])
    entry = AuditEntry.objects.get(model_label="poverty.posting", action="create")
    assert entry.changes["posted_on"] == [None, "2026-11-21"]
    assert entry.changes["until"] == [None, "2026-11-28"]
    text = _text(client.get(response["Location"]).content)
    assert "21/11/2026" in text
    assert "28/11/2026" in text
    assert "Tổ 4, Ấp Tân Đông" in text
    assert "Ấp Tân Đông, Ấp Tân Đông" not in text
    again = client.get(_url(with_result, tan_dong)).content.decode()
    assert 'id="already-posted"' in again
    assert "21/11/2026 – 28/11/2026" in again


def test_the_service_checks_the_date_and_who_records(
    officer, head_td, committee, with_result, tan_dong
):
    with pytest.raises(ValidationError, match=r"01/09/2025"):
        services.posting_record(
            scope=scope_for(officer),
            rnd=with_result,
            village=tan_dong,
            posted_on=dt.date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied, match=r"(Văn hóa – Xã hội|officer)"):
        services.posting_record(
            scope=scope_for(head_td),
            rnd=with_result,
            village=tan_dong,
            posted_on=dt.date(2026, 11, 21),
        )
    assert not Posting.objects.exists()


def test_village_head_cannot_open_the_posting_page(client, head_td, with_result, tan_dong):
    client.force_login(head_td)
    assert client.get(_url(with_result, tan_dong)).status_code == 403


# --- the documents' wording ------------------------------------------------------------------

DOUBLED = re.compile(r"\b(\w+ \w+) \1\b", re.IGNORECASE)


def test_decision_names_the_round_without_doubled_words(with_result):
    text = _text(documents.decision_pdf(with_result))
    assert "kết quả rà soát định kỳ năm 2025 trên địa bàn" in text
    assert not DOUBLED.search(text), DOUBLED.search(text)


def test_certificate_and_request_addresses_name_each_place_once(with_result, addressed):
    entry = with_result.entries.get(household=addressed)
    certificate = _text(documents.certificate_pdf(entry))
    assert "Địa chỉ: Tổ 4, Ấp Tân Đông, Xã Tân Đông" in certificate
    request = _text(documents.request_pdf(entry))
    assert "Nơi thường trú: Tổ 4, Ấp Tân Đông, xã Tân Đông, tỉnh Tây Ninh" in request
    for text in (certificate, request):
        assert not re.search(r"Ấp Tân Đông, ấp Tân Đông", text, re.IGNORECASE)
        assert not DOUBLED.search(text), DOUBLED.search(text)

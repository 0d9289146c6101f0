"""The import pages, as the officer uses them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.imports.choices import JobState
from ansinh.imports.models import ImportJob
from ansinh.registry.models import Person
from tests import factories as f
from tests.imports.conftest import workbook


def rows() -> list[list]:
    return [
        [
            1,
            "TD-0001",
            "Nguyễn Văn An",
            "02/03/1975",
            "Nam",
            "Chủ hộ",
            f.make_cccd(dt.date(1975, 3, 2), "male"),
            "Kinh",
            "Ấp Tân Đông",
            "Tổ 4",
            "0912345678",
        ],
        [2, None, "Trần Thị Bé", "09/07/1978", "Nữ", "Vợ", None, "Kinh", None, None, None],
        [3, None, "Nguyễn Minh Khôi", "31/02/2010", "Nam", "Con", None, "Kinh", None, None, None],
    ]


def test_upload_check_and_import_without_the_bad_row(client, tmp_path, officer, tan_dong):
    client.force_login(officer)
    index = client.get(reverse("imports:index"))
    assert index.status_code == 200
    assert b"kind-households" in index.content
    path = workbook(tmp_path / "ds.xlsx", rows())
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload", args=["households"]), {"file": handle})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    page = client.get(reverse("imports:job", args=[job.pk]))
    assert page.status_code == 200
    assert b'id="mapping-form"' in page.content
    assert "Nguyễn Văn An" in page.content.decode()  # the first rows, to check the columns
    form = page.context["mapping_form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(reverse("imports:job_columns", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.CHECKED
    assert job.counts["invalid"] == 1
    page = client.get(reverse("imports:job", args=[job.pk]))
    text = page.content.decode()
    assert 'id="problems"' in text
    assert "31/02/2010" in text
    assert 'id="commit-form"' in text
    # importing all is refused while a row is bad
    response = client.post(reverse("imports:job_commit", args=[job.pk]), {}, follow=True)
    job.refresh_from_db()
    assert job.state == JobState.CHECKED
    assert Person.objects.count() == 0
    response = client.post(reverse("imports:job_commit", args=[job.pk]), {"skip_invalid": "on"})
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.result["created"] == 2
    assert Person.objects.count() == 2
    refused = client.get(reverse("imports:job_refused", args=[job.pk]))
    assert refused.status_code == 200
    assert refused["Cache-Control"] == "no-store"
    sheet = load_workbook(__import__("io").BytesIO(refused.content)).active
    assert [r[0] for r in sheet.iter_rows(values_only=True)][1:] == [7]


def test_a_file_that_is_not_a_workbook_says_so_on_the_form(client, tmp_path, officer):
    client.force_login(officer)
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"hello")
    with bad.open("rb") as handle:
        response = client.post(reverse("imports:upload", args=["households"]), {"file": handle})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ImportJob.objects.count() == 0


def test_only_the_officer_imports(client, head_td, committee, auditor):
    for user in (head_td, committee, auditor):
        client.force_login(user)
        assert client.get(reverse("imports:index")).status_code == 403


def test_another_communes_job_does_not_exist_here(client, tmp_path, officer, tan_dong):
    f.village(commune_code=25525, name="Ấp Khác", code="KH")
    other = f.user("canbo_b", f.Role.OFFICER, commune_code=25525)
    client.force_login(officer)
    path = workbook(tmp_path / "ds.xlsx", rows())
    with path.open("rb") as handle:
        client.post(reverse("imports:upload", args=["households"]), {"file": handle})
    job = ImportJob.objects.get()
    client.force_login(other)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job_cancel", args=[job.pk])).status_code == 404

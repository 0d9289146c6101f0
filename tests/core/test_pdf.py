import datetime as dt
import io

from pypdf import PdfReader

from ansinh.core.pdf import VnDocument, place_date


def test_vietnamese_document_has_its_text():
    doc = VnDocument(title="Quyết định")
    doc.national_header(
        ["UBND xã Tân Đông"],
        number="Số: 12/QĐ-UBND",
        place_date=place_date("Tân Đông", dt.date(2026, 11, 28)),
    )
    doc.heading("Quyết định", "Về việc công nhận hộ nghèo, hộ cận nghèo năm 2027")
    doc.data_table(["STT", "Họ và tên"], [[1, "Nguyễn Thị Tím"]], [15, 80])
    doc.signatures([("Người lập biểu", "Nguyễn Thị Hồng"), ("Chủ tịch", "Trần Văn Lợi")])
    text = PdfReader(io.BytesIO(doc.bytes())).pages[0].extract_text()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Nguyễn Thị Tím",
        "QUYẾT ĐỊNH",
        "ngày 28 tháng 11 năm 2026",
        "Trần Văn Lợi",
    ):
        assert expected in text

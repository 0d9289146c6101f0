from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from ansinh.core.audit import record_export
from ansinh.core.web import problems_file


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def problems(request: HttpRequest, token: str) -> HttpResponse:
    """The full problem list of an import, as XLSX: only in the session that made it."""
    found = problems_file(request, token)
    if found is None:
        raise Http404
    path, meta = found
    record_export(
        actor=request.user,
        what=f"problems: {meta.get('what', '')}",
        rows=meta.get("rows"),
        commune_code=meta.get("commune_code"),
    )
    response = HttpResponse(
        path.read_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="danh-sach-loi.xlsx"'
    return response

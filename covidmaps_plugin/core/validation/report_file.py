"""A validation report as a file: JSON (for machines) or HTML (for people).

Attribute text is untrusted: every value goes through ``html.escape`` in
HTML, and JSON is written by ``json`` (no NaN, UTF-8). The file is written
next to its target and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Mapping

from .findings import Severity, ValidationReport

_SEVERITY_TEXT = {
    Severity.ERROR: ("Lỗi", "Error"),
    Severity.WARNING: ("Cảnh báo", "Warning"),
    Severity.INFO: ("Thông tin", "Information"),
}


def report_json(report: ValidationReport, meta: Mapping[str, Any]) -> str:
    data: Dict[str, Any] = {"format": "covidmaps-validation/1", **meta, **report.to_dict()}
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)


def report_html(report: ValidationReport, meta: Mapping[str, Any]) -> str:
    e = html.escape
    counts = report.counts
    summary = " · ".join(
        f"{e(_SEVERITY_TEXT[s][0])} / {e(_SEVERITY_TEXT[s][1])}: {counts[s]}" for s in Severity)
    verdict = ("Có lỗi: chưa thể công bố. / Errors: publishing is blocked." if report.blocking
               else "Không có lỗi chặn công bố. / Nothing blocks publishing.")
    rows = []
    for f in report.findings:
        location = f"{f.location[1]:.6f}, {f.location[0]:.6f}" if f.location else ""
        rows.append(
            "<tr class=\"{sev}\"><td>{sev_text}</td><td><code>{code}</code></td><td>{layer}</td>"
            "<td>{fid}</td><td><code>{uid}</code></td><td>{field}</td>"
            "<td lang=\"vi\">{vi}</td><td lang=\"en\">{en}</td><td>{loc}</td></tr>".format(
                sev=e(f.severity.value), sev_text=e(" / ".join(_SEVERITY_TEXT[f.severity])),
                code=e(f.code.value), layer=e(f.layer), fid="" if f.fid is None else f.fid,
                uid=e(f.uid or ""), field=e(f.field or ""), vi=e(f.message_vi),
                en=e(f.message_en), loc=e(location)))
    details = "".join(f"<li>{e(str(k))}: {e(str(v))}</li>" for k, v in meta.items())
    return (
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<title>CovidMaps – Kết quả kiểm tra / Validation report</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;vertical-align:top}"
        ".error td:first-child{color:#D55E00;font-weight:bold}"
        ".warning td:first-child{color:#E69F00}</style></head><body>"
        "<h1>Kết quả kiểm tra dữ liệu / Validation report</h1>"
        f"<p><strong>{e(verdict)}</strong></p><p>{summary}</p><ul>{details}</ul>"
        "<table><thead><tr><th>Mức độ / Severity</th><th>Mã / Code</th><th>Lớp / Layer</th>"
        "<th>fid</th><th>uid</th><th>Trường / Field</th><th>Tiếng Việt</th><th>English</th>"
        "<th>Vĩ độ, kinh độ / Lat, lon</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></body></html>\n")


def write_report(report: ValidationReport, path: str, meta: Mapping[str, Any]) -> None:
    """Write HTML when ``path`` ends in .htm/.html, JSON otherwise."""
    target = Path(path)
    is_html = target.suffix.lower() in (".htm", ".html")
    text = report_html(report, meta) if is_html else report_json(report, meta)
    handle, temp = tempfile.mkstemp(prefix=".report-", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise

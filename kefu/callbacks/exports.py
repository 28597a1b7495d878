"""Printable callback tables (CB-6): PDF with an embedded Chinese font, page numbers and
signature lines for the agent and the supervisor, and the same tables in Excel."""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks.selectors import CallbackReport, ReportRow, report_detail
from kefu.core.masking import mask_mobile, mask_text

# Where Debian, Ubuntu, RHEL and macOS keep a CJK font; KEFU_CJK_FONT overrides.
FONT_PATTERNS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]",
    "/usr/share/fonts/**/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/**/NotoSansSC-Regular.*tf",
    "/usr/share/fonts/**/SourceHanSans*-Regular.tt[cf]",
    "/usr/share/fonts/**/wqy-microhei.ttc",
    "/usr/share/fonts/**/wqy-zenhei.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
DETAIL_PDF_MAX_ROWS = 200_000
# The total page count's placeholder, as wide as the count it makes room for: "{nb}" is
# narrower than a four-digit count, and a detail PDF of 200,000 rows has about 7,000 pages.
PAGES = "{total_pages}"


class FontMissing(RuntimeError):
    """No font with Chinese characters was found: the PDF cannot be made."""


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int]:
    """(path, index in a collection) of a font with Simplified Chinese glyphs."""
    configured = os.environ.get("KEFU_CJK_FONT") or getattr(settings, "KEFU_CJK_FONT", "")
    candidates = [configured] if configured else []
    for pattern in FONT_PATTERNS:
        candidates.extend(sorted(glob.glob(pattern, recursive=True)))
    for path in candidates:
        if path and Path(path).is_file():
            return path, _collection_index(path)
    raise FontMissing(
        _(
            "No Chinese font was found, so the PDF cannot be made. Install the package "
            "fonts-noto-cjk (apt-get install fonts-noto-cjk) or set KEFU_CJK_FONT to the path "
            "of a TTF/OTF/TTC font with Chinese characters."
        )
    )


def _collection_index(path: str) -> int:
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for i, font in enumerate(collection.fonts):
        name = font["name"].getDebugName(1) or ""
        if name.endswith(" SC") and "Mono" not in name:
            return i
    return 0


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row_cells(row: ReportRow, *, quota: bool) -> list[str]:
    cells = [
        row.label,
        str(row.planned),
        str(row.attempted),
        str(row.calls),
        str(row.reached),
        _pct(row.success_rate),
    ]
    if quota:
        cells.append(_pct(row.quota_attainment))
    return cells


def _headings(*, quota: bool) -> list[str]:
    cells = [
        "",
        _("Planned"),
        _("Customers called"),
        _("Calls"),
        _("Reached"),
        _("Success rate"),
    ]
    if quota:
        cells.append(_("Quota attainment"))
    return cells


PROGRESS_EVERY_ROWS = 2000


def _detail_rows(report: CallbackReport, progress: Callable[[int], None] | None = None):
    done = 0
    for a in report_detail(start=report.start, end=report.end).iterator(chunk_size=2000):
        done += 1
        if progress is not None and done % PROGRESS_EVERY_ROWS == 0:
            progress(done)
        t = a.target
        yield [
            t.project.name,
            timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"),
            t.customer.name,
            mask_mobile(t.customer.mobile),
            str(a.agent),
            a.get_outcome_display(),
            mask_text(a.note),  # free text: an agent may have typed a number
        ]


def _detail_headings() -> list[str]:
    return [
        _("Project"),
        _("Time"),
        _("Customer"),
        _("Mobile"),
        _("Agent"),
        _("Outcome"),
        _("Note"),
    ]


def _title(report: CallbackReport, detail: bool) -> str:
    if detail:
        return _("Callback detail table %(period)s") % {"period": report.label}
    return _("Callback summary table %(period)s") % {"period": report.label}


# --- PDF -------------------------------------------------------------------------------------


def report_pdf(
    *,
    report: CallbackReport,
    detail: bool = False,
    by=None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The summary (or detail) table as an A4 landscape PDF."""
    from fpdf import FPDF

    path, index = cjk_font()
    signature = "{}________________    {}________________    {}____________".format(
        _("Agent signature: "), _("Supervisor signature: "), _("Date: ")
    )
    page_label = _("Page %(page)s of %(pages)s")

    class Printed(FPDF):
        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("cjk", size=9)
            self.cell(0, 5, signature, align="L")
            self.ln(5)
            self.cell(0, 5, page_label % {"page": self.page_no(), "pages": PAGES}, align="C")

    pdf = Printed(orientation="L", unit="mm", format="A4")
    pdf.alias_nb_pages(PAGES)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.set_title(_title(report, detail))
    pdf.add_page()
    pdf.set_font("cjk", size=14)
    pdf.cell(0, 9, _title(report, detail), align="C")
    pdf.ln(9)
    pdf.set_font("cjk", size=9)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    pdf.cell(
        0,
        5,
        _("Period %(start)s to %(end)s · %(days)d trading days · made %(at)s by %(by)s")
        % {
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "days": report.trading_days,
            "at": generated,
            "by": str(by) if by else "—",
        },
    )
    pdf.ln(8)
    if detail:
        _pdf_table(
            pdf, _detail_headings(), _detail_rows(report, progress), [34, 28, 24, 28, 30, 24, 109]
        )
    else:
        widths = [85, 28, 30, 24, 28, 30, 32]
        for heading, rows, quota in (
            (_("By type"), report.by_type, False),
            (_("By project"), report.by_project, False),
            (_("By agent"), report.by_agent, True),
        ):
            pdf.set_font("cjk", size=11)
            pdf.cell(0, 7, heading)
            pdf.ln(7)
            body = [_row_cells(r, quota=quota) for r in rows]
            if report.total is not None and not quota:
                body.append(_row_cells(report.total, quota=False))
            _pdf_table(pdf, _headings(quota=quota), body, widths[: 7 if quota else 6])
            pdf.ln(4)
    pdf.ln(6)
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 8, signature)
    return bytes(pdf.output())


def _pdf_table(pdf, headings: list[str], rows, widths: list[int]) -> None:
    line = 6

    def head() -> None:
        pdf.set_font("cjk", size=9)
        pdf.set_fill_color(230, 236, 244)
        for text, width in zip(headings, widths, strict=True):
            pdf.cell(width, line, text, border=1, fill=True)
        pdf.ln(line)

    head()
    count = 0
    for cells in rows:
        if pdf.will_page_break(line):
            pdf.add_page()
            head()
        for text, width in zip(cells, widths, strict=True):
            # keep each row on one line: cut text that would not fit the column
            text = str(text)
            while text and pdf.get_string_width(text) > width - 2:
                text = text[:-1]
            pdf.cell(width, line, text, border=1)
        pdf.ln(line)
        count += 1
        if count >= DETAIL_PDF_MAX_ROWS:
            pdf.cell(0, line, _("… more rows: use the Excel export."))
            pdf.ln(line)
            break
    if count == 0:
        pdf.cell(sum(widths), line, _("No callbacks in this period."), border=1)
        pdf.ln(line)


# --- Excel -----------------------------------------------------------------------------------


def report_xlsx(
    *,
    report: CallbackReport,
    detail: bool = False,
    by=None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The summary and, with ``detail``, every call of the period, as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str):
        ws = book.create_sheet(title[:31])
        ws.oddFooter.center.text = _("Page &P of &N")
        ws.page_setup.orientation = "landscape"
        return ws

    def bold_row(ws, cells):
        out = []
        for value in cells:
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            out.append(cell)
        ws.append(out)

    summary = sheet(_("Summary"))
    bold_row(summary, [_title(report, False)])
    summary.append(
        [
            _("Period %(start)s to %(end)s · %(days)d trading days")
            % {
                "start": report.start.isoformat(),
                "end": report.end.isoformat(),
                "days": report.trading_days,
            }
        ]
    )
    for heading, rows, quota in (
        (_("By type"), report.by_type, False),
        (_("By project"), report.by_project, False),
        (_("By agent"), report.by_agent, True),
    ):
        summary.append([])
        bold_row(summary, [heading])
        bold_row(summary, _headings(quota=quota))
        for r in rows:
            summary.append(
                [
                    r.label,
                    r.planned,
                    r.attempted,
                    r.calls,
                    r.reached,
                    round(r.success_rate, 4) if r.success_rate is not None else None,
                    *(
                        [round(r.quota_attainment, 4) if r.quota_attainment is not None else None]
                        if quota
                        else []
                    ),
                ]
            )
    summary.append([])
    summary.append([_("Agent signature: "), "", _("Supervisor signature: "), "", _("Date: ")])
    if detail:
        ws = sheet(_("Detail"))
        bold_row(ws, _detail_headings())
        for cells in _detail_rows(report, progress):
            ws.append(cells)
        ws.append([])
        ws.append([_("Agent signature: "), "", _("Supervisor signature: "), "", _("Date: ")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

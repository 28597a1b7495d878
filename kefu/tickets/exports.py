"""Excel export of the REG-2 complaint statistics (one sheet per JR/T 0169-2018 dimension)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kefu.tickets.selectors import StatRow

SHEETS = (
    ("channel", "业务办理渠道"),
    ("business", "业务类别"),
    ("cause", "投诉原因"),
)


def statistics_workbook(rows: Sequence[StatRow], *, date_from: dt.date, date_to: dt.date) -> bytes:
    """An .xlsx with months as rows and classes (code and label) as columns, per dimension:
    received complaints, and beside each the ones decided within the time limit."""
    wb = Workbook()
    wb.remove(wb.active)
    months = sorted({r.month for r in rows})
    for dimension, title in SHEETS:
        ws = wb.create_sheet(title)
        ws.append([f"金融消费者投诉统计（JR/T 0169-2018）{title}", f"{date_from} – {date_to}"])
        ws["A1"].font = Font(bold=True)
        codes = sorted({(r.code, r.label) for r in rows if r.dimension == dimension})
        header = [_("Month")]
        for code, label in codes:
            header += [f"{code} {label}", f"{code} " + _("decided in time")]
        header += [_("Total"), _("Decided in time")]
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for month in months:
            line: list[object] = [month]
            total = in_time = 0
            for code, _label in codes:
                row = next(
                    (
                        r
                        for r in rows
                        if r.dimension == dimension and r.month == month and r.code == code
                    ),
                    None,
                )
                received = row.received if row else 0
                timely = row.closed_in_time if row else 0
                line += [received, timely]
                total += received
                in_time += timely
            line += [total, in_time]
            ws.append(line)
        ws.column_dimensions["A"].width = 10
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

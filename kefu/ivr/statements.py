"""Statement PDFs for fax and re-mail requests (IVR-4), with an embedded CJK font.

The font is found when a PDF is made, not at import: ``KEFU_CJK_FONT`` (a TTF, OTF or TTC
file) if set, else a Noto Sans CJK / Source Han Sans file under the usual font folders
(Debian's fonts-noto-cjk). Without one the job fails with a message that says what to
install; the request is marked failed, never sent with boxes instead of Chinese.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kefu.core.masking import mask_name
from kefu.ivr.models import StatementRequest

logger = logging.getLogger(__name__)

FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/opentype/source-han-sans",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
)
FONT_NAMES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
    "SourceHanSansSC-Regular.otf",
    "SourceHanSans-Regular.ttc",
    "NotoSerifCJK-Regular.ttc",
)


class FontMissing(RuntimeError):
    pass


def find_cjk_font() -> tuple[Path, int]:
    """(font file, index in a collection) of a font with Simplified Chinese glyphs."""
    configured = settings.KEFU_CJK_FONT
    candidates: list[Path] = []
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(
                f"KEFU_CJK_FONT names {configured}, which is not a file: point it to a TTF, "
                "OTF or TTC font with Chinese characters."
            )
        candidates.append(path)
    for folder in FONT_DIRS:
        base = Path(folder)
        if not base.is_dir():
            continue
        for name in FONT_NAMES:
            candidates.extend(sorted(base.rglob(name)))
    for path in candidates:
        return path, _sc_index(path)
    raise FontMissing(
        "No Chinese (CJK) font was found to render statement PDFs. Install one "
        "(Debian/Ubuntu: apt-get install fonts-noto-cjk) or set KEFU_CJK_FONT to a TTF, OTF "
        "or TTC file."
    )


def _sc_index(path: Path) -> int:
    """The Simplified Chinese face in a font collection (0 for a single font)."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    try:
        collection = TTCollection(str(path), lazy=True)
    except Exception:  # noqa: BLE001 - an unreadable collection: use its first face
        return 0
    for index, font in enumerate(collection.fonts):
        name = font["name"].getDebugName(1) or ""
        if name.endswith(" SC"):
            return index
    return 0


def statements_dir() -> Path:
    path = Path(settings.DATA_DIR) / "ivr" / "statements"
    path.mkdir(parents=True, exist_ok=True)
    return path


def statement_pdf_path(request: StatementRequest) -> Path | None:
    if request.status != StatementRequest.Status.READY or not request.file_name:
        return None
    path = statements_dir() / request.file_name
    return path if path.is_file() else None


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_statement_pdf(
    *, request: StatementRequest, statement, account, holder_name: str
) -> bytes:
    """The statement as an A4 PDF: header, summary, transaction lines. Numbers masked."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    font_path, index = find_cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"信用卡对账单 {statement.period}")
    pdf.set_author("Kefu")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", fname=str(font_path), collection_font_number=index)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "信用卡对账单", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.set_font("cjk", size=10)
    year, month = statement.period.split("-")
    rows = [
        ("持卡人", holder_name),
        ("卡号", f"尾号{request.card_last4}" if request.card_last4 else "—"),
        ("账单月份", f"{int(year)}年{int(month)}月"),
        ("账单日", f"{statement.statement_date:%Y年%m月%d日}"),
        ("到期还款日", f"{statement.due_date:%Y年%m月%d日}"),
        ("本期应还金额", f"人民币 {_money(statement.amount_due)} 元"),
        ("最低还款额", f"人民币 {_money(statement.minimum_payment)} 元"),
        ("寄送方式", request.get_method_display()),
    ]
    for label, value in rows:
        pdf.cell(35, 7, label)
        pdf.cell(0, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, "交易明细", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=9)
    widths = (24, 24, 70, 22, 40)
    headers = ("交易日", "记账日", "交易摘要", "卡号末四位", "金额（元）")
    for width, text in zip(widths, headers, strict=True):
        pdf.cell(width, 7, text, border="B")
    pdf.ln()
    for line in statement.lines:
        summary = "，".join(p for p in (line.merchant, line.description) if p)
        cells = (
            f"{line.transaction_date:%Y-%m-%d}",
            f"{line.posting_date:%Y-%m-%d}",
            summary[:28],
            line.card_last4 or "",
            _money(line.amount),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, text, align="R" if width == 40 else "L")
        pdf.ln()
    if not statement.lines:
        pdf.cell(0, 6, "本期没有交易。", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    generated = timezone.localtime(timezone.now())
    pdf.multi_cell(
        0,
        5,
        f"本对账单应客户电话申请（{request.get_method_display()}）于"
        f"{generated:%Y年%m月%d日 %H:%M}生成，仅供核对。如有疑问，请致电客户服务热线。",
    )
    return bytes(pdf.output())


def statement_request_render(*, request_id: int) -> str:
    """Render one request's PDF and mark the request ready (or failed, with the reason)."""
    from kefu.customers.adapter import get_adapter

    request = StatementRequest.objects.select_related("customer").get(pk=request_id)
    if request.status == StatementRequest.Status.READY:
        return request.status
    adapter = get_adapter()
    try:
        statement = adapter.statement(account_ref=request.account_ref, period=request.period)
        account = adapter.get_account(account_ref=request.account_ref)
        data = render_statement_pdf(
            request=request,
            statement=statement,
            account=account,
            holder_name=mask_name(request.customer.name),
        )
    except FontMissing as exc:
        return _failed(request, str(exc))
    except Exception as exc:
        logger.exception("Statement PDF %s failed", request_id)
        return _failed(request, f"{exc.__class__.__name__}: {exc}"[:300])
    name = f"statement-{request.pk}-{request.period}.pdf"
    (statements_dir() / name).write_bytes(data)
    with transaction.atomic():
        request.status = StatementRequest.Status.READY
        request.file_name = name
        request.message = ""
        request.rendered_at = timezone.now()
        request.save(update_fields=["status", "file_name", "message", "rendered_at"])
    return request.status


def _failed(request: StatementRequest, message: str) -> str:
    logger.error("Statement request %s failed: %s", request.pk, message)
    request.status = StatementRequest.Status.FAILED
    request.message = message[:300]
    request.save(update_fields=["status", "message"])
    return request.status

"""Article HTML: only a safe subset of tags survives (nh3, the Ammonia sanitiser)."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h3", "h4", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "code", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}}
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h3|h4|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def sanitize_html(raw: str) -> str:
    """Safe HTML for an article answer: scripts, styles, event handlers and unknown tags go;
    links keep http(s)/mailto/tel only and open with rel="noopener noreferrer"."""
    return nh3.clean(
        raw or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    ).strip()


def html_to_text(value: str) -> str:
    """Plain text of article HTML, one line per block (for search, snippets and the bot)."""
    text = _BLOCK_END.sub("\n", value or "")
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def text_to_html(text: str) -> str:
    """Paragraphs from plain text (imports give plain answers)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)

"""The tyre label as an SVG image: our own design in the spirit of the EU label.

Five bars per measure (A best … E worst) with the product's class marked, the noise value and
class, the snow and ice marks, and a QR code to the public product page (GS1 Digital Link path
``/01/<GTIN>`` when the product has a GTIN). Only public fields are drawn.

A product outside the label's scope (Regulation (EU) 2020/740 Art. 2, the scheme file's ``scope``)
gets no bars: a card says so, in both languages, with the reasons, and the QR code stays.
"""

from __future__ import annotations

import textwrap
import unicodedata

import segno
from django.template.loader import render_to_string

RR_COLOURS = ["#00a651", "#9ac93b", "#fff200", "#fdb913", "#ed1c24"]
WET_COLOURS = ["#0061a8", "#2f7ec1", "#5a9bd5", "#8db8e6", "#bcd6f2"]
#: Letter colour on each bar: white on the dark bars, near-black on the light ones.
RR_INK = ["#fff", "#1d2733", "#1d2733", "#1d2733", "#fff"]
WET_INK = ["#fff", "#fff", "#fff", "#1d2733", "#1d2733"]
CLASSES = "ABCDE"


def public_path(product) -> str:
    return f"/01/{product.gtin}/" if product.gtin else f"/p/{product.pk}/"


def bars(colours: list[str], inks: list[str], chosen: str) -> list[dict]:
    return [
        {
            "letter": letter,
            "colour": colour,
            "ink": ink,
            "y": 150 + i * 30,
            "width": 60 + i * 22,
            "chosen": letter == chosen,
        }
        for i, (letter, colour, ink) in enumerate(zip(CLASSES, colours, inks, strict=True))
    ]


def _wrap_wide(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, a CJK character counting two (no spaces to break at)."""
    lines, line, used = [], "", 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width:
            lines.append(line)
            line, used = "", 0
        line, used = line + char, used + w
    return [*lines, line] if line else lines


def reason_lines(scope, *, first_y: int = 196, step: int = 15) -> list[dict]:
    """The out-of-scope reasons as SVG text lines: Chinese, then English, per reason."""
    rows: list[tuple[str, str]] = []
    for reason in scope.reasons:
        zh = _wrap_wide(f"· {reason.label_zh}（{reason.article}）", 56)
        en = textwrap.wrap(reason.label_en, 62)
        rows += [("zh", t) for t in zh] + [("en", "  " + t) for t in en]
    return [
        {"text": text, "lang": lang, "y": first_y + i * step} for i, (lang, text) in enumerate(rows)
    ]


def label_svg(product, base_url: str) -> str:
    from tirebrain.products.services import product_label_scope

    qr = segno.make(base_url.rstrip("/") + public_path(product), error="m")
    scope = product_label_scope(product)
    return render_to_string(
        "products/label.svg",
        {
            "p": product,
            "scope": scope,
            "reason_lines": reason_lines(scope),
            "rr_bars": bars(RR_COLOURS, RR_INK, product.rr_class),
            "wet_bars": bars(WET_COLOURS, WET_INK, product.wet_class),
            "qr_path": qr.svg_inline(scale=3, border=0),
        },
    )

"""The tyre label as an SVG image: our own design in the spirit of the EU label.

Five bars per measure (A best … E worst) with the product's class marked, the noise value and
class, the snow and ice marks, and a QR code to the public product page (GS1 Digital Link path
``/01/<GTIN>`` when the product has a GTIN). Only public fields are drawn.
"""

from __future__ import annotations

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


def label_svg(product, base_url: str) -> str:
    qr = segno.make(base_url.rstrip("/") + public_path(product), error="m")
    return render_to_string(
        "products/label.svg",
        {
            "p": product,
            "rr_bars": bars(RR_COLOURS, RR_INK, product.rr_class),
            "wet_bars": bars(WET_COLOURS, WET_INK, product.wet_class),
            "qr_path": qr.svg_inline(scale=3, border=0),
        },
    )

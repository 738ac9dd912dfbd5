"""Pictures for the demo, drawn with Pillow: flat illustrations and initial portraits.

Everything is drawn from simple shapes with Pillow's built-in font, so the demo works offline
and on any machine. A seed makes each picture the same on every run.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int]


class Palette(NamedTuple):
    sky: Colour
    far: Colour  # distant land, back buildings
    near: Colour  # near land, front buildings
    accent: Colour
    ink: Colour


# Muted, newspaper-friendly colours.
PALETTES: list[Palette] = [
    Palette((214, 228, 236), (146, 170, 160), (92, 122, 104), (222, 156, 84), (38, 50, 56)),
    Palette((236, 222, 204), (196, 160, 120), (150, 110, 80), (70, 110, 150), (52, 40, 36)),
    Palette((222, 226, 238), (150, 160, 190), (96, 104, 140), (214, 120, 110), (34, 36, 54)),
    Palette((230, 236, 220), (170, 190, 140), (110, 140, 90), (200, 170, 70), (40, 52, 34)),
    Palette((238, 228, 228), (190, 150, 150), (130, 90, 100), (90, 140, 140), (50, 34, 40)),
]


def _rng(seed: str) -> random.Random:
    # Not for security: only to draw the same picture for the same seed.
    return random.Random(seed)  # noqa: S311


def _vertical_gradient(draw: ImageDraw.ImageDraw, box, top: Colour, bottom: Colour) -> None:
    x0, y0, x1, y1 = box
    height = max(1, int(y1 - y0))
    for offset in range(height):
        t = offset / height
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(x0, y0 + offset), (x1, y0 + offset)], fill=colour)


def _lighter(colour: Colour, amount: float) -> Colour:
    red, green, blue = (round(c + (255 - c) * amount) for c in colour)
    return red, green, blue


def _darker(colour: Colour, amount: float) -> Colour:
    red, green, blue = (round(c * (1 - amount)) for c in colour)
    return red, green, blue


def _hills(draw, rng, w, h, base_y, colour, roughness=0.08):
    points = [(0, h)]
    y = base_y
    for x in range(0, w + 40, 40):
        y = min(h, max(h * 0.25, y + rng.uniform(-roughness, roughness) * h))
        points.append((x, y))
    points.append((w, h))
    draw.polygon(points, fill=colour)


def _draw_skyline(draw, rng, w, h, p: Palette) -> None:
    _vertical_gradient(draw, (0, 0, w, h), _lighter(p.sky, 0.4), p.sky)
    draw.ellipse([w * 0.72, h * 0.12, w * 0.84, h * 0.12 + w * 0.12], fill=_lighter(p.accent, 0.3))
    for layer, colour in enumerate((p.far, p.near)):
        x = -rng.randint(0, 30)
        while x < w:
            bw = rng.randint(w // 24, w // 10)
            bh = rng.uniform(0.25, 0.6 if layer == 0 else 0.45) * h
            top = h - bh - (h * 0.08 if layer == 0 else 0)
            draw.rectangle([x, top, x + bw, h], fill=colour)
            if layer == 1:
                for wy in range(int(top) + 10, h - 10, 18):
                    for wx in range(x + 6, x + bw - 8, 14):
                        if rng.random() < 0.45:
                            draw.rectangle([wx, wy, wx + 6, wy + 8], fill=_lighter(p.accent, 0.5))
            x += bw + rng.randint(2, 12)


def _draw_river(draw, rng, w, h, p: Palette) -> None:
    _vertical_gradient(draw, (0, 0, w, h), _lighter(p.sky, 0.5), p.sky)
    _hills(draw, rng, w, h, h * 0.45, p.far)
    _hills(draw, rng, w, h, h * 0.62, p.near, roughness=0.04)
    water = (110, 150, 180)
    left, right = [], []
    centre = w * rng.uniform(0.4, 0.6)
    for step in range(11):
        y = h * 0.6 + (h * 0.4) * step / 10
        centre += rng.uniform(-0.05, 0.05) * w
        half = (w * 0.02) + (w * 0.16) * step / 10
        left.append((centre - half, y))
        right.append((centre + half, y))
    draw.polygon(left + right[::-1], fill=water)
    for _ in range(14):
        tx = rng.uniform(0, w)
        ty = rng.uniform(h * 0.6, h * 0.95)
        r = rng.uniform(h * 0.02, h * 0.05)
        draw.ellipse([tx - r, ty - 2 * r, tx + r, ty], fill=_darker(p.near, 0.3))


def _draw_fields(draw, rng, w, h, p: Palette) -> None:
    _vertical_gradient(draw, (0, 0, w, h), _lighter(p.accent, 0.6), p.sky)
    draw.ellipse([w * 0.1, h * 0.1, w * 0.1 + h * 0.18, h * 0.28], fill=_lighter(p.accent, 0.2))
    _hills(draw, rng, w, h, h * 0.5, p.far, roughness=0.03)
    for band in range(6):
        y0 = h * 0.62 + band * h * 0.065
        colour = p.near if band % 2 else _lighter(p.accent, 0.25)
        draw.polygon([(0, y0), (w, y0 - h * 0.04), (w, h), (0, h)], fill=colour)


def _draw_chart(draw, rng, w, h, p: Palette) -> None:
    draw.rectangle([0, 0, w, h], fill=_lighter(p.sky, 0.6))
    margin = w * 0.08
    for i in range(5):
        y = h * 0.15 + i * (h * 0.7) / 4
        draw.line([(margin, y), (w - margin, y)], fill=_lighter(p.ink, 0.8), width=2)
    bars = 9
    width = (w - 2 * margin) / bars
    level = rng.uniform(0.3, 0.6)
    points = []
    for i in range(bars):
        level = min(0.95, max(0.1, level + rng.uniform(-0.15, 0.15)))
        top = h * 0.85 - level * h * 0.7
        x0 = margin + i * width + width * 0.15
        draw.rectangle([x0, top, x0 + width * 0.7, h * 0.85], fill=p.far)
        points.append((x0 + width * 0.35, top - h * 0.05))
    draw.line(points, fill=p.accent, width=max(2, w // 200))
    for x, y in points:
        r = max(3, w // 150)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=p.accent)


def _draw_stage(draw, rng, w, h, p: Palette) -> None:
    draw.rectangle([0, 0, w, h], fill=_darker(p.ink, 0.3))
    for _ in range(3):
        x = rng.uniform(w * 0.2, w * 0.8)
        spread = rng.uniform(w * 0.08, w * 0.15)
        draw.polygon(
            [(x, 0), (x - spread, h * 0.8), (x + spread, h * 0.8)], fill=_darker(p.accent, 0.4)
        )
    draw.rectangle([0, h * 0.8, w, h], fill=_darker(p.far, 0.5))
    for i in range(4):
        x = w * (0.2 + 0.2 * i)
        draw.ellipse([x - h * 0.04, h * 0.42, x + h * 0.04, h * 0.5], fill=p.ink)
        draw.rounded_rectangle([x - h * 0.06, h * 0.5, x + h * 0.06, h * 0.8], h * 0.03, fill=p.ink)
    draw.ellipse([w * 0.05, h * 0.55, w * 0.05 + h * 0.25, h * 0.8], fill=_darker(p.accent, 0.1))


def _draw_harbour(draw, rng, w, h, p: Palette) -> None:
    _vertical_gradient(draw, (0, 0, w, h * 0.6), _lighter(p.sky, 0.5), p.sky)
    _vertical_gradient(draw, (0, int(h * 0.6), w, h), (120, 156, 180), (70, 100, 130))
    for i in range(3):
        x = w * (0.55 + 0.12 * i)
        draw.line([(x, h * 0.6), (x, h * 0.2)], fill=p.ink, width=max(2, w // 150))
        draw.line([(x - w * 0.06, h * 0.22), (x + w * 0.05, h * 0.22)], fill=p.ink, width=3)
    for _ in range(5):
        x = rng.uniform(0, w * 0.5)
        y = rng.uniform(h * 0.65, h * 0.9)
        size = rng.uniform(w * 0.03, w * 0.06)
        draw.polygon(
            [
                (x, y),
                (x + size * 2, y),
                (x + size * 1.6, y + size * 0.4),
                (x + size * 0.3, y + size * 0.4),
            ],
            fill=_darker(p.accent, 0.2),
        )
        draw.polygon(
            [(x + size, y - size * 1.4), (x + size, y - 2), (x + size * 1.8, y - 2)],
            fill=_lighter(p.sky, 0.7),
        )


def _draw_chamber(draw, rng, w, h, p: Palette) -> None:
    draw.rectangle([0, 0, w, h], fill=_lighter(p.far, 0.55))
    cx, cy = w / 2, h * 1.05
    for row in range(5):
        radius = h * (0.35 + row * 0.12)
        seats = 10 + row * 4
        for seat in range(seats + 1):
            angle = math.pi + math.pi * seat / seats
            x = cx + radius * math.cos(angle)
            y = cy + radius * math.sin(angle) * 0.9
            r = h * 0.022
            fill = p.accent if rng.random() < 0.45 else p.near
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    draw.rectangle([cx - w * 0.08, h * 0.72, cx + w * 0.08, h], fill=p.ink)


MOTIFS: dict[str, Callable] = {
    "skyline": _draw_skyline,
    "river": _draw_river,
    "fields": _draw_fields,
    "chart": _draw_chart,
    "stage": _draw_stage,
    "harbour": _draw_harbour,
    "chamber": _draw_chamber,
}


def scene_jpeg(*, motif: str, seed: str, width: int = 1200) -> bytes:
    """A 16:9 illustration in the style of a motif (see MOTIFS), as JPEG bytes."""
    height = round(width * 9 / 16)
    rng = _rng(seed)
    palette = PALETTES[rng.randrange(len(PALETTES))]
    image = Image.new("RGB", (width, height), palette.sky)
    MOTIFS[motif](ImageDraw.Draw(image), rng, width, height, palette)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def portrait_png(*, name: str, seed: str, size: int = 400) -> bytes:
    """A square byline portrait: a silhouette on a coloured ground, with the initials."""
    rng = _rng(seed)
    p = PALETTES[rng.randrange(len(PALETTES))]
    image = Image.new("RGB", (size, size), _lighter(p.accent, 0.35))
    draw = ImageDraw.Draw(image)
    draw.ellipse([size * 0.3, size * 0.14, size * 0.7, size * 0.54], fill=_darker(p.near, 0.2))
    draw.ellipse([size * 0.12, size * 0.6, size * 0.88, size * 1.3], fill=_darker(p.near, 0.2))
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=max(10, size // 6))
    draw.text(
        (size * 0.5, size * 0.34), initials, fill=_lighter(p.accent, 0.8), font=font, anchor="mm"
    )
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=False)
    return output.getvalue()

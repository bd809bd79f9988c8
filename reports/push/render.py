"""Vega-Lite to PNG, PDF and JPEG with vl-convert (in process, no browser), in a CJK font that must be installed."""
from __future__ import annotations

import functools
import os
from pathlib import Path

FONT_DIR_ENV = "KPM_FONT_DIR"
# Where Debian's fonts-noto-cjk puts Noto Sans CJK (the README's `bash tests/run.sh` installs it).
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"),
             Path("/usr/share/fonts/google-noto-cjk"), Path("/usr/local/share/fonts"))
FONT_GLOB = "NotoSansCJK*"


class RenderError(Exception):
    """The picture cannot be drawn (no CJK font, a broken spec), said in Chinese."""


@functools.cache
def font_dir() -> Path:
    """The directory holding Noto Sans CJK, registered with vl-convert (once per process). Without it the Chinese
    would be drawn as empty boxes, so the brief is refused instead, saying how to install the font."""
    import vl_convert as vlc

    candidates = [Path(os.environ[FONT_DIR_ENV])] if os.environ.get(FONT_DIR_ENV) else list(FONT_DIRS)
    for d in candidates:
        if d.is_dir() and any(d.rglob(FONT_GLOB)):
            vlc.register_font_directory(str(d))
            return d
    raise RenderError("未找到中文字体 Noto Sans CJK，简报中的中文会显示为方框，因此未生成。请安装："
                      "sudo apt-get install -y fonts-noto-cjk（或设置环境变量 KPM_FONT_DIR 为含 NotoSansCJK 字体的目录）。")


def _vl_version(spec: dict) -> str:
    """The Vega-Lite version the spec was written for (Altair's $schema), as vl-convert names it."""
    import vl_convert as vlc

    schema = spec.get("$schema", "")
    ver = schema.rsplit("/v", 1)[-1].removesuffix(".json") if "/v" in schema else ""
    major_minor = ".".join(ver.split(".")[:2])
    known = vlc.get_vegalite_versions()
    return major_minor if major_minor in known else known[-1]


def svg(spec: dict) -> str:
    """The spec drawn once, as SVG (Vega runs once; PNG, PDF and JPEG are made from it)."""
    import vl_convert as vlc

    font_dir()
    try:
        return vlc.vegalite_to_svg(spec, vl_version=_vl_version(spec))
    except ValueError as e:
        raise RenderError(f"简报图片绘制失败：{e}") from None


def png(drawing: str, scale: float = 1.0) -> bytes:
    import vl_convert as vlc

    return vlc.svg_to_png(drawing, scale=scale)


def pdf(drawing: str) -> bytes:
    import vl_convert as vlc

    return vlc.svg_to_pdf(drawing)


def jpeg(drawing: str, scale: float = 1.0, quality: int = 90) -> bytes:
    import vl_convert as vlc

    return vlc.svg_to_jpeg(drawing, scale=scale, quality=quality)


# Tried in order until the picture fits a limit: the PNG itself, then JPEG at falling quality, then smaller.
SHRINK_STEPS = ((1.0, 90), (1.0, 80), (1.0, 70), (0.85, 70), (0.7, 65), (0.5, 60))


def fitting(drawing: str, picture: bytes, limit: int) -> tuple[bytes, str]:
    """The picture (PNG) if it is at most `limit` bytes, else the first JPEG of SHRINK_STEPS that is; with its
    format ("png" or "jpeg"). RenderError when even the smallest is larger."""
    if len(picture) <= limit:
        return picture, "png"
    for scale, quality in SHRINK_STEPS:
        data = jpeg(drawing, scale, quality)
        if len(data) <= limit:
            return data, "jpeg"
    raise RenderError(f"简报图片压缩到 {len(data):,} 字节仍超过平台上限 {limit:,} 字节。")

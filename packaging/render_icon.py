"""Render the app's icon (assets/icons/facecoach.svg) to packaging/icon.png (256×256), with Qt's own SVG renderer.

Run it after changing the SVG: `QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icon.py`.
The PNG is kept in the repository, so a build needs no renderer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 256


def render(svg: Path, png: Path, size: int = SIZE) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png), "PNG"):
        raise SystemExit(f"render_icon: cannot write {png}")


if __name__ == "__main__":
    render(HERE.parent / "assets" / "icons" / "facecoach.svg", HERE / "icon.png")
    print(f"wrote {HERE / 'icon.png'}")

"""Reading a report back, and the face picture every report test puts in it (shared by the
English and German report tests)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium  # the "test" extra: reads the PDFs back

from coach.capture.sources import Frame, read_image_rgb
from coach.measure.landmarks import ParallelLandmarker
from coach.session.snapshots import Snapshot, crop_to_face


def pages_text(pdf_path: Path) -> list[str]:
    """Every page's text, as a reader copies it."""
    document = pdfium.PdfDocument(pdf_path)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def face_snapshot(data_dir: Path, landmarker: ParallelLandmarker) -> Snapshot:
    """A real face, cropped around its real landmarks, as the coach keeps it."""
    picture = read_image_rgb(data_dir / "single_face.jpg")
    ((face,),) = [result.faces for result in landmarker.run([Frame(0, 0.0, picture)])]
    return crop_to_face(picture, face, "commissure_excursion_mm")

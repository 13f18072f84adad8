"""PDFs written by hand for the tests: N pages, each with one filled black rectangle."""

from __future__ import annotations

from pathlib import Path


def minimal_pdf(pages: list[tuple[int, int, tuple[int, int, int, int]]]) -> bytes:
    """A valid PDF: one page per (width pt, height pt, (x, y, w, h) of a black box in PDF
    coordinates, origin bottom left), with a correct xref table."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, (width, height, (x, y, w, h)) in enumerate(pages):
        content = f"0 0 0 rg {x} {y} {w} {h} re f".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            f"/Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def write_pdf(path: Path, pages=None) -> Path:
    pages = pages or [(612, 792, (72, 592, 144, 100)), (300, 200, (0, 0, 150, 100))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(minimal_pdf(pages))
    return path

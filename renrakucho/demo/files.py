"""Files for the demo timeline, made in code: a wound photo (JPEG) and one-page PDFs.

Both go through the real upload pipeline (content check, re-encoding, thumbnails) as
SimpleUploadedFile, exactly as a browser upload would.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter


def wound_photo(size: tuple[int, int] = (480, 360)) -> bytes:
    """A JPEG of skin with a reddish, slightly blurred patch (a healing abrasion) and a paper
    scale, as a visiting nurse photographs a wound."""
    width, height = size
    image = Image.new("RGB", size, (226, 188, 160))
    draw = ImageDraw.Draw(image)
    # Shading across the limb.
    for y in range(height):
        shade = int(18 * abs(y - height / 2) / (height / 2))
        draw.line([(0, y), (width, y)], fill=(226 - shade, 188 - shade, 160 - shade))
    cx, cy = width // 2, height // 2
    draw.ellipse([cx - 90, cy - 55, cx + 90, cy + 55], fill=(205, 120, 110))
    draw.ellipse([cx - 60, cy - 35, cx + 65, cy + 35], fill=(178, 62, 58))
    draw.ellipse([cx - 25, cy - 15, cx + 30, cy + 18], fill=(150, 40, 42))
    image = image.filter(ImageFilter.GaussianBlur(4))
    draw = ImageDraw.Draw(image)
    # A paper ruler along the bottom edge (1 cm ticks).
    draw.rectangle([20, height - 50, width - 20, height - 20], fill=(250, 250, 245))
    for number, x in enumerate(range(30, width - 20, 40)):
        tick = 14 if number % 5 == 0 else 8
        draw.line([(x, height - 50), (x, height - 50 + tick)], fill=(40, 40, 40), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def one_page_pdf(lines: list[str], *, title: str = "") -> bytes:
    """A valid one-page A4 PDF written in plain PDF syntax: Japanese text in the standard
    Japanese font HeiseiKakuGo-W5 (not embedded; readers substitute a gothic font), the first
    line larger as a title. Offsets in the cross-reference table are computed, so strict
    readers (pdfium, used for the thumbnail) accept it."""
    commands, rules, y = ["BT"], [], 780
    for number, line in enumerate(lines):
        size = 18 if number == 0 else 11
        commands += [f"/F1 {size} Tf", f"1 0 0 1 56 {y} Tm", f"<{_utf16_hex(line)}> Tj"]
        if number and line:
            rules.append(f"56 {y - 7} m 539 {y - 7} l S")  # a ruled line, as on a form
        y -= 30 if number == 0 else 22
    commands.append("ET")
    commands += ["0.6 w", "40 60 515 760 re S", "0.3 w", *rules]
    stream = "\n".join(commands).encode("ascii")
    info = f"<< /Title <FEFF{_utf16_hex(title or lines[0])}> /Producer (renrakucho demo) >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 "
        b"/Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R /DW 1000 /W [1 95 500 231 632 500] >>",
        b"<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 "
        b"/FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 737 /StemV 93 >>",
        info.encode("ascii"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()

"""What a stored file really is, from its bytes — never from the name or the type the browser sent.

`sniff_type` reads the first bytes: binary formats by their signature (the `filetype` package),
then text (UTF-8 or Thai TIS-620/cp874 without control characters) as text/plain, or text/html
and image/svg+xml when it looks like markup (a browser would run its scripts). Anything else is
application/octet-stream. `served_inline` says which types the file views may show in the browser:
raster images and PDF only; everything else is sent as an attachment (downloaded, never rendered).
"""

from __future__ import annotations

import re

import filetype

HEAD_BYTES = 8192
OCTET_STREAM = "application/octet-stream"
# Raster images and PDF: shown in the page; the browser runs no script in them.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif",
                          "application/pdf"})
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|a\s|img\s)", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff_bytes(head: bytes) -> str:
    """The MIME type of a file whose first bytes are `head`."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if not head:
        return "text/plain"
    if _CONTROL.search(head.lstrip(b"\xef\xbb\xbf")):
        return OCTET_STREAM
    text = head.lstrip(b"\xef\xbb\xbf")
    if not _is_text(text):
        return OCTET_STREAM
    if _MARKUP.search(text[:1024]):
        return "image/svg+xml" if re.search(rb"<\s*svg", text[:1024], re.I) else "text/html"
    if text.lstrip().startswith(b"<?xml"):
        return "application/xml"
    return "text/plain"


def sniff_type(upload) -> str:
    """The type of an uploaded or stored file from its first bytes; the read position is kept."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(position)
    return sniff_bytes(head if isinstance(head, bytes) else head.encode())


def served_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "cp874"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(data) - 3:
                return True  # a character cut by the end of the head
            continue
        return True
    return False

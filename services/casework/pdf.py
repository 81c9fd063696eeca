"""Certificates use the shared PDF renderer and QR helpers (services/common/pdf.py)."""

from services.common.pdf import decompose_sara_am, qr_data_uri, qr_png, render_pdf

__all__ = ["decompose_sara_am", "qr_data_uri", "qr_png", "render_pdf"]

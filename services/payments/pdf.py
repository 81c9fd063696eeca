"""Payments' documents use the shared PDF renderer (services/common/pdf.py)."""

from services.common.pdf import decompose_sara_am, png_data_uri, render_pdf

__all__ = ["decompose_sara_am", "png_data_uri", "render_pdf"]

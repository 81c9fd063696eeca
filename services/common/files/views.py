from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from services.common.models import StoredFile

from .actions import can_view_file
from .sniff import OCTET_STREAM, served_inline


def _download_type(content_type: str) -> str:
    # Markup is labelled as bytes: even a browser that ignores the attachment header will not render it.
    return OCTET_STREAM if content_type in ("text/html", "image/svg+xml", "application/xml") else content_type


def file_response(stored: StoredFile, *, cache_control: str, content_type: str = "", filename: str = ""):
    """Stream one stored file with the headers every file view sets; a file missing on disk is a 404.

    Only raster images and PDF are shown inline; anything else (text, HTML, SVG, office files,
    unknown bytes) is sent as an attachment, so no stored file ever runs as a page of the town."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = content_type or stored.content_type
    inline = served_inline(content_type)
    kwargs = {"filename": filename or stored.original_name or stored.public_id.hex, "as_attachment": not inline}
    response = FileResponse(handle, content_type=content_type if inline else _download_type(content_type), **kwargs)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download(request, public_id):
    """Serve one file of the current town after the permission check; other towns' ids are 404."""
    stored = StoredFile.objects.filter(public_id=public_id).first()
    if stored is None:
        raise Http404
    if not can_view_file(request.user, stored):
        if not request.user.is_authenticated:
            raise Http404  # do not confirm that a private file exists
        raise PermissionDenied
    return file_response(stored, cache_control="private, no-store", filename=stored.original_name)

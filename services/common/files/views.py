from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404

from services.common.models import StoredFile

from .actions import can_view_file


def download(request, public_id):
    """Serve one file of the current town after the permission check; other towns' ids are 404."""
    stored = StoredFile.objects.filter(public_id=public_id).first()
    if stored is None:
        raise Http404
    if not can_view_file(request.user, stored):
        if not request.user.is_authenticated:
            raise Http404  # do not confirm that a private file exists
        raise PermissionDenied
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=stored.content_type, filename=stored.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

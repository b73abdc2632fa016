"""Images of image blocks, served by their content: the address names the file and its
SHA-256, so it cannot be guessed, and an edition's image is the one it was published with
(a replaced image is a new file; the old one stays for the editions that show it)."""

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from reports_site.blocks.free import file_sha

IMAGE_FOLDER = "blocks/"  # Block.image's upload_to: nothing else is served here


@require_GET
def block_image(request, sha, name):
    if not name.startswith(IMAGE_FOLDER) or ".." in name.split("/"):
        raise Http404
    if not default_storage.exists(name) or file_sha(name) != sha:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the address is the content
    return response

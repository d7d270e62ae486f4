"""What an attachment may be: PDF, DOCX, ODT, XLSX or ODS, recognised by content, not by name.

A name can lie (a ZIP renamed ``.pdf``, a text file renamed ``.docx``), so the type is decided from
the bytes: ``%PDF-`` for PDF; for the Office Open XML and OpenDocument formats (ZIP containers) the
entries inside (``word/document.xml``, ``xl/workbook.xml``; the ODF ``mimetype`` entry naming the
type). The extension must then agree with what the content is.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

EXTENSIONS = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX, "odt": ODT, "ods": ODS}
ALLOWED_LIST = "PDF, DOCX, ODT, XLSX, ODS"


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def max_upload_size() -> int:
    return int(getattr(settings, "MAX_UPLOAD_SIZE", 20 * 1024 * 1024))


def sniff(fileobj: IO[bytes]) -> str | None:
    """The content type the bytes show, or ``None`` when they are none of the allowed formats."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in (ODT, ODS):
                    return mimetype
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        fileobj.seek(0)
    return None


def check_upload(name: str, size: int, fileobj: IO[bytes]) -> Sniffed:
    """Accept the upload or raise ``ValidationError`` saying why (type by content, extension, size)."""
    limit = max_upload_size()
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(
            {"file": _("Only %(types)s files can be attached.") % {"types": ALLOWED_LIST}}, code="type"
        )
    content_type = sniff(fileobj)
    if content_type is None:
        raise ValidationError(
            {
                "file": _("The content of “%(name)s” is not a %(types)s document.")
                % {"name": name, "types": ALLOWED_LIST}
            },
            code="content",
        )
    if EXTENSIONS[extension] != content_type:
        raise ValidationError(
            {
                "file": _("“%(name)s” is named .%(ext)s but its content is a different document type.")
                % {"name": name, "ext": extension}
            },
            code="mismatch",
        )
    return Sniffed(content_type=content_type, extension=extension)

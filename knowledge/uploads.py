"""What an attachment may be: PDF, DOCX, ODT, XLSX or ODS, recognised by content, not by name.

A name can lie (a ZIP renamed ``.pdf``, a text file renamed ``.docx``), so the type is decided from
the bytes: ``%PDF-`` for PDF; for the Office Open XML and OpenDocument formats (ZIP containers) the
entries inside (``word/document.xml``, ``xl/workbook.xml``; the ODF ``mimetype`` entry naming the
type). The extension must then agree with what the content is.

A ZIP container is judged from its central directory only: the declared sizes, the number of entries,
each entry's compression ratio and the total uncompressed size are checked before any entry is opened,
and then at most a few bytes of one entry (the ODF ``mimetype``) are inflated. A zip bomb (a small file
whose entry unpacks to gigabytes) is refused with a clear message instead of being inflated in memory.
"""

from __future__ import annotations

import zipfile
import zlib
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

#: Limits on a ZIP container (OOXML/ODF), read from its central directory without inflating anything.
#: Real documents stay far below them: a 300-page DOCX has a few hundred entries, its XML compresses
#: about 5-50:1 (a repetitive spreadsheet a few hundred to one) and unpacks to tens of megabytes;
#: DEFLATE cannot exceed about 1030:1, which is what a bomb of zeros uses.
MAX_ARCHIVE_ENTRIES = 5000
MAX_ARCHIVE_UNCOMPRESSED = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 500
#: Below this uncompressed size an entry may have any ratio (tiny highly repetitive XML parts do).
RATIO_FREE_SIZE = 1024 * 1024
#: The most bytes ever inflated from one entry (the ODF ``mimetype`` is about 50 bytes).
MIMETYPE_READ = 100


class UnsafeArchive(Exception):
    """The container's metadata says it would unpack to far more than any real document."""


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
            infos = archive.infolist()
            check_archive(infos)
            names = {info.filename for info in infos}
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    # read(n) inflates only what n bytes need, whatever the entry claims to hold.
                    raw = entry.read(MIMETYPE_READ)
                mimetype = raw.decode("ascii", "replace").strip()
                if mimetype in (ODT, ODS):
                    return mimetype
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError, NotImplementedError, zlib.error):
        return None
    finally:
        fileobj.seek(0)
    return None


def check_archive(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a ZIP whose central directory describes a bomb: too many entries, an entry inflating far
    beyond its compressed size, or more uncompressed bytes in total than any document holds. Only
    metadata is read; nothing is inflated."""
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise UnsafeArchive
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_ARCHIVE_UNCOMPRESSED:
            raise UnsafeArchive
        if info.file_size > RATIO_FREE_SIZE and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive


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
    try:
        content_type = sniff(fileobj)
    except UnsafeArchive:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is a compressed archive that would unpack to far more than any document "
                    "(too many entries or too highly compressed); it was not opened."
                )
                % {"name": name}
            },
            code="archive_bomb",
        ) from None
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

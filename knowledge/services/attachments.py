"""Attachment writes. A rejected upload stores nothing: the content is checked before any row or
file exists, and if the row insert fails the stored file is removed again."""

from __future__ import annotations

import os
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from knowledge.models import Attachment, TenderTemplate
from knowledge.services.common import require_edit
from knowledge.uploads import check_upload


def attachment_add(*, person: Any, template: TenderTemplate, upload: UploadedFile) -> Attachment:
    require_edit(person, template)
    name = os.path.basename(upload.name or "document")[:255]
    sniffed = check_upload(name, upload.size or 0, upload.file if hasattr(upload, "file") else upload)
    attachment = Attachment(
        template=template,
        original_name=name,
        content_type=sniffed.content_type,
        size=upload.size,
        uploaded_by=person,
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, person: Any, attachment: Attachment) -> None:
    require_edit(person, attachment.template)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))

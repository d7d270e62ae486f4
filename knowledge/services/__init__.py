"""Writes for the knowledge library. Views, the API and the demo loader call these; nothing else
writes library rows. Every service takes the acting ``person`` and checks the write rule itself."""

from knowledge.services.attachments import attachment_add, attachment_delete
from knowledge.services.lessons import LessonData, lesson_create, lesson_delete, lesson_update
from knowledge.services.templates import (
    CriterionData,
    TemplateData,
    template_create,
    template_delete,
    template_fork,
    template_publish,
    template_update,
    version_to_fork,
)
from knowledge.services.tenders import (
    TenderData,
    tender_create,
    tender_delete,
    tender_interest_set,
    tender_update,
)

__all__ = [
    "CriterionData",
    "LessonData",
    "TemplateData",
    "TenderData",
    "attachment_add",
    "attachment_delete",
    "lesson_create",
    "lesson_delete",
    "lesson_update",
    "template_create",
    "template_delete",
    "template_fork",
    "template_publish",
    "template_update",
    "tender_create",
    "tender_delete",
    "tender_interest_set",
    "tender_update",
    "version_to_fork",
]

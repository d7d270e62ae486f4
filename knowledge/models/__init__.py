"""Knowledge library models: vocabulary (CPV, labels), tender templates, lessons, planned tenders."""

from knowledge.models.lessons import Lesson
from knowledge.models.templates import Attachment, Criterion, TemplateVersion, TenderTemplate
from knowledge.models.tenders import PlannedTender, TenderInterest
from knowledge.models.vocabulary import CpvCode, Label

__all__ = [
    "Attachment",
    "CpvCode",
    "Criterion",
    "Label",
    "Lesson",
    "PlannedTender",
    "TemplateVersion",
    "TenderInterest",
    "TenderTemplate",
]

"""Knowledge library models: vocabulary (CPV, labels), tender templates, lessons, planned tenders."""

from knowledge.models.lessons import Lesson
from knowledge.models.templates import Attachment, Criterion, TemplateVersion, TenderTemplate
from knowledge.models.tenders import PlannedTender, TenderInterest, TenderInterestChange
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
    "TenderInterestChange",
    "TenderTemplate",
]

# The resource centre declares itself (model included) in one module, knowledge/resources.py.
from knowledge.resources import Resource

__all__ += ["Resource"]

"""Knowledge library models: vocabulary (CPV, labels), tender templates, lessons, planned tenders."""

from knowledge.models.vocabulary import CpvCode, Label

__all__ = ["CpvCode", "Label"]

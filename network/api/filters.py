"""The project's filter backend: django-filter, with every numeric filter held to the 64-bit range."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from network.ids import INT64_MAX, INT64_MIN, out_of_range

#: Form fields whose value becomes a number in SQL (an id, a count, a foreign key).
NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField, forms.ModelChoiceField)


class FilterBackend(DjangoFilterBackend):
    """``?forum=99999999999999999999999`` is refused with a 400 naming the filter, for every FilterSet
    at once, instead of reaching the database driver (``OverflowError`` on SQLite)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, field in filterset.form.fields.items():
            if not isinstance(field, NUMERIC_FIELDS):
                continue
            if any(out_of_range(value) for value in filterset.data.getlist(name)):
                errors[name] = [
                    _("Give a number from %(min)s to %(max)s.") % {"min": INT64_MIN, "max": INT64_MAX}
                ]
        if errors:
            raise ValidationError(errors)
        return filterset

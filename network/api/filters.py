"""The project's filter backend: django-filter, with every numeric filter held to the 64-bit range and
every yes/no filter to a yes or a no."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from network.ids import INT64_MAX, INT64_MIN, out_of_range

#: Form fields whose value becomes a number in SQL (an id, a count, a foreign key).
NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField, forms.ModelChoiceField)
#: What a yes/no filter accepts; django-filter's widget reads anything else as "no filter", so
#: ``?unread=maybe`` would silently list everything.
BOOLEAN_VALUES = {"", "true", "false", "1", "0"}


class FilterBackend(DjangoFilterBackend):
    """``?forum=99999999999999999999999`` is refused with a 400 naming the filter, for every FilterSet
    at once, instead of reaching the database driver (``OverflowError`` on SQLite)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, field in filterset.form.fields.items():
            values = filterset.data.getlist(name)
            if isinstance(field, forms.NullBooleanField):
                if any(value.lower() not in BOOLEAN_VALUES for value in values):
                    errors[name] = [_("Give true or false.")]
                continue
            if not isinstance(field, NUMERIC_FIELDS):
                continue
            if any(out_of_range(value) for value in values):
                errors[name] = [
                    _("Give a number from %(min)s to %(max)s.") % {"min": INT64_MIN, "max": INT64_MAX}
                ]
        if errors:
            raise ValidationError(errors)
        return filterset

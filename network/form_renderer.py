"""The form renderer of the site: Django's templates, with the site's own field template.

``TemplatesSetting`` lets ``templates/forms/field.html`` override how ``{{ field.as_field_group }}``
renders, so every form on the site puts a checkbox before its label and keeps Django's
``aria-describedby`` ids (help text and errors) in one place.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's form templates through the project's TEMPLATES, with the site's field template."""

    field_template_name = "forms/field.html"

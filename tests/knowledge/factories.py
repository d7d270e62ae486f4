"""Knowledge-library test data, built through the real services."""

from __future__ import annotations

from typing import Any

from knowledge import services
from knowledge.models import Label, TenderTemplate
from members.models import Role
from tests import factories as f


def label(slug: str = "tco-certified", name: str = "TCO Certified", **extra: Any) -> Label:
    obj, _created = Label.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "issuer": "TCO Development", "kind": Label.Kind.CERTIFICATION, **extra},
    )
    return obj


def editor(org=None, **extra):
    org = org or f.organisation()
    return f.member(org, role=Role.EDITOR, **extra)


def criteria(*, weights: tuple[int, ...] = (60, 40)) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {
            "stage": "technical_specification",
            "title": "TCO Certified or equivalent",
            "text": "The laptop **shall** hold TCO Certified, generation 10, or an equivalent label.",
            "ambition": "core",
            "means_of_proof": ["label"],
            "labels": ["tco-certified"],
            "verification_text": "A valid certificate.",
        },
        {
            "stage": "contract_performance",
            "title": "Supply chain transparency",
            "text": "The contractor discloses final assembly factories within 30 days of signature.",
            "ambition": "comprehensive",
            "means_of_proof": ["third_party"],
        },
    ]
    for index, weight in enumerate(weights):
        items.append(
            {
                "stage": "award",
                "title": f"Award criterion {index + 1}",
                "text": "Quality points.",
                "weight": weight,
            }
        )
    return items


def template(person, org, *, visibility: str = "private", title: str = "Laptops", **extra) -> TenderTemplate:
    label()
    return services.template_create(
        person=person,
        organisation=org,
        data=services.TemplateData(
            title=title,
            summary="Portable computers, fair and circular.",
            visibility=visibility,
            cpv_codes=extra.pop("cpv_codes", ["30213100-6"]),
            criteria=extra.pop("criteria", criteria()),
            **extra,
        ),
    )


def tender(person, org, *, visibility: str = "private", title: str = "Laptop framework 2027", **data: Any):
    return services.tender_create(
        person=person,
        organisation=org,
        data=services.TenderData(
            **{
                "title": title,
                "description": "Framework agreement for laptops.",
                "cpv_codes": ["30213100-6"],
                "planned_year": 2027,
                "planned_quarter": 2,
                "estimated_quantity": 20000,
                "estimated_value_eur": "12000000",
                "procedure": "open",
                "strategic_goals": ["green:circ-econ", "social:work-cond"],
                "visibility": visibility,
                **data,
            }
        ),
    )


def lesson(person, org, *, visibility: str = "private", title: str = "What we learned", **data: Any):
    return services.lesson_create(
        person=person,
        organisation=org,
        data=services.LessonData(
            **{
                "title": title,
                "stages": ["market_engagement"],
                "context": "Context.",
                "recommendations": ["Talk to the market early."],
                "visibility": visibility,
                **data,
            }
        ),
    )

"""CPV: check digits, validation messages, the shipped divisions and ``import_cpv``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from knowledge import cpv
from knowledge.models import CpvCode

PUBLISHED = [
    "30213100-6",  # portable computers
    "32250000-0",  # mobile telephones
    "30213200-7",  # tablet computers
    "30231000-7",  # computer screens
    "48000000-8",  # software packages
    "72000000-5",  # IT services
    "45000000-7",  # construction work
    "03000000-1",  # agricultural products
    "30000000-9",  # office and computing machinery
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_check_digit_matches_published_codes(code):
    digits, digit = code.split("-")
    assert cpv.check_digit(digits) == int(digit)


@pytest.mark.django_db
def test_shipped_divisions_are_loaded_with_labels():
    assert CpvCode.objects.count() > 1000
    assert set(CpvCode.objects.values_list("division", flat=True).distinct()) == set(cpv.SHIPPED_DIVISIONS)
    laptop = cpv.validate_cpv_code("30213100-6")
    assert laptop.label_en == "Portable computers"
    assert laptop.full_code == "30213100-6"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("30213100", "eight digits, a hyphen and the check digit"),
        ("3021310-6", "eight digits, a hyphen and the check digit"),
        ("30213100-5", "wrong check digit"),
        ("45000000-7", "not in the Common Procurement Vocabulary"),
    ],
)
def test_bad_codes_are_refused_with_a_clear_message(code, message):
    with pytest.raises(ValidationError) as exc:
        cpv.validate_cpv_code(code)
    assert message in exc.value.messages[0]


@pytest.mark.django_db
def test_wrong_check_digit_message_names_the_right_one():
    with pytest.raises(ValidationError) as exc:
        cpv.validate_cpv_code("32250000-1")
    assert "-0" in exc.value.messages[0]


@pytest.mark.django_db
def test_import_cpv_loads_the_full_shipped_list_idempotently():
    """Without a file, import_cpv loads the CPV 2008 list vendored in knowledge/data/."""
    out = StringIO()
    call_command("import_cpv", stdout=out)
    assert CpvCode.objects.count() == 9455
    assert cpv.validate_cpv_code("45000000-7").label_en
    out2 = StringIO()
    call_command("import_cpv", str(cpv.FULL_LIST_FILE), stdout=out2)
    assert "0 added, 0 updated" in out2.getvalue()
    assert CpvCode.objects.count() == 9455


@pytest.mark.django_db
def test_import_cpv_reads_the_eu_xml_format(tmp_path):
    xml = tmp_path / "cpv_2008.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><CPV_CODE>'
        '<CPV CODE="45000000-7"><TEXT LANG="EN">Construction work</TEXT><TEXT LANG="FI">Rakennustyöt</TEXT></CPV>'
        "</CPV_CODE>",
        encoding="utf-8",
    )
    call_command("import_cpv", str(xml), stdout=StringIO())
    assert CpvCode.objects.get(code="45000000").label_en == "Construction work"


@pytest.mark.django_db
def test_import_cpv_refuses_a_file_with_a_wrong_check_digit(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_text("code,label\n45000000-3,Construction work\n", encoding="utf-8")
    with pytest.raises(CommandError, match="wrong check digit"):
        call_command("import_cpv", str(bad), stdout=StringIO())
    assert not CpvCode.objects.filter(code="45000000").exists()

"""Attachments: type decided by content, size limit, nothing stored on rejection, download by policy."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Attachment
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def stored_files(settings) -> list[str]:
    root = os.path.join(settings.MEDIA_ROOT, "knowledge", "attachments")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def setup(api_client):
    org = f.organisation("Helsinki", slug="helsinki")
    author = kf.editor(org)
    template = kf.template(author, org)
    api_client.force_authenticate(author)
    return template, author


def upload(api_client, template, name, content, content_type="application/octet-stream"):
    return api_client.post(
        f"/api/v1/templates/{template.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("spec.pdf", PDF, "application/pdf"),
        ("spec.docx", DOCX, "wordprocessingml"),
        ("prices.xlsx", XLSX, "spreadsheetml"),
        ("spec.odt", ODT, "opendocument.text"),
        ("prices.ods", ODS, "opendocument.spreadsheet"),
    ],
)
def test_allowed_documents_are_stored_and_downloaded(api_client, setup, name, content, kind):
    template, _author = setup
    r = upload(api_client, template, name, content)
    assert r.status_code == 201, r.data
    assert kind in r.data["content_type"]
    download = api_client.get(r.data["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert name in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("archive.pdf", zip_bytes({"a.txt": b"hello"}), "is not a"),
        ("notes.docx", b"just some text, not a document", "is not a"),
        ("spec.docx", PDF, "different document type"),
        ("script.exe", b"MZ\x90\x00", "Only PDF"),
        ("page.html", b"<script>alert(1)</script>", "Only PDF"),
        ("empty.pdf", b"", "empty"),
        ("fake.odt", zip_bytes({"mimetype": b"text/plain"}), "is not a"),
    ],
)
def test_disallowed_uploads_store_nothing(api_client, setup, settings, name, content, message):
    template, _author = setup
    r = upload(api_client, template, name, content, content_type="application/pdf")
    assert r.status_code == 400
    assert message in r.data["detail"]
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_oversized_upload_stores_nothing(api_client, setup, settings):
    template, _author = setup
    settings.MAX_UPLOAD_SIZE = 1024
    r = upload(api_client, template, "big.pdf", PDF + b"0" * 2048)
    assert r.status_code == 400 and "limit" in r.data["detail"]
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_uploading_to_someone_elses_template_is_refused(api_client, setup, settings):
    template, _author = setup
    other = f.organisation("Malmo")
    api_client.force_authenticate(kf.editor(other))
    assert upload(api_client, template, "spec.pdf", PDF).status_code == 404  # private: not even there
    template.visibility = "network"
    template.save()
    assert upload(api_client, template, "spec.pdf", PDF).status_code == 403
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_attachment_download_from_other_organisation_is_404(api_client, client, setup):
    template, _author = setup
    r = upload(api_client, template, "spec.pdf", PDF)
    url = r.data["download"]
    other = f.organisation("Malmo")
    api_client.force_authenticate(kf.editor(other))
    assert api_client.get(url).status_code == 404
    assert api_client.get(f"/api/v1/templates/{template.pk}/attachments/").status_code == 404
    client.force_login(kf.editor(other))
    attachment = Attachment.objects.get()
    assert client.get(attachment.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_html_upload_rejection_shows_message_and_stores_nothing(client, setup, settings):
    template, author = setup
    client.force_login(author)
    r = client.post(
        f"/library/templates/{template.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", b"not a pdf")},
        follow=True,
    )
    assert "is not a PDF, DOCX, ODT, XLSX, ODS document" in r.content.decode()
    assert not Attachment.objects.exists() and stored_files(settings) == []


# --- zip bombs: judged from the central directory, never inflated ------------------------------


def deflated(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


#: A DOCX-looking container whose ``mimetype`` entry unpacks to 64 MiB from about 64 KB.
BOMB = deflated(
    {
        "mimetype": b"\0" * (64 * 1024 * 1024),
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
    }
)


def test_a_zip_bomb_is_refused_without_being_inflated(api_client, setup, settings):
    import tracemalloc

    template, _author = setup
    assert len(BOMB) < 200 * 1024
    tracemalloc.start()
    try:
        r = upload(api_client, template, "spec.docx", BOMB)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 400, r.data
    assert "compressed archive" in r.data["detail"] and r.data["errors"]["file"]
    assert peak < 16 * 1024 * 1024, f"{peak} bytes allocated while checking a 64 MiB bomb"
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_an_archive_with_too_many_entries_is_refused(api_client, setup, settings, monkeypatch):
    from knowledge import uploads

    template, _author = setup
    monkeypatch.setattr(uploads, "MAX_ARCHIVE_ENTRIES", 50)
    many = {f"word/media/{i}.xml": b"<x/>" for i in range(60)}
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **many})
    r = upload(api_client, template, "spec.docx", content)
    assert r.status_code == 400 and "compressed archive" in r.data["detail"]
    assert not Attachment.objects.exists()


def test_an_archive_declaring_a_huge_total_is_refused(api_client, setup, monkeypatch):
    """The total uncompressed size counts every entry, even ones each below the ratio limit."""
    from knowledge import uploads

    template, _author = setup
    monkeypatch.setattr(uploads, "MAX_ARCHIVE_UNCOMPRESSED", 4096)
    content = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" + b"x" * 5000}
    )
    r = upload(api_client, template, "spec.docx", content)
    assert r.status_code == 400 and "compressed archive" in r.data["detail"]


def test_a_real_sized_document_with_compressible_xml_is_still_accepted(api_client, setup):
    """Ordinary XML compresses well; a few MB of it is a document, not a bomb."""
    template, _author = setup
    body = b"".join(
        b"<w:p><w:r><w:t>Lot %d: laptops, TCO Certified.</w:t></w:r></w:p>" % i for i in range(40_000)
    )
    content = deflated({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})
    r = upload(api_client, template, "spec.docx", content)
    assert r.status_code == 201, r.data

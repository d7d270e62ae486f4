"""Finnish and Swedish: every marked string translated, catalogues current, switcher working.

The catalogues live in ``locale/`` (``LOCALE_PATHS``) and are refreshed with ``make messages``,
which extracts every marked string of the project and compiles the ``.mo`` files committed beside
the ``.po`` files. When these tests fail, run ``make messages``, translate what is new (empty
``msgstr`` or ``#, fuzzy``) and commit both files of each language.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fi", "sv")
FIX = "run `make messages`, translate the new entries in locale/<lang>/LC_MESSAGES/django.po, commit .po and .mo"
#: What `make messages` skips (kept in step with the Makefile's MESSAGES_IGNORE).
IGNORED = {".venv", "node_modules", "bench", "tests", "var", ".git", "locale", "bench-results", "media"}


def catalogue(lang: str) -> polib.POFile:
    path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: {FIX}"
    return polib.pofile(str(path))


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_string_is_translated(lang):
    po = catalogue(lang)
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{len(missing)} untranslated {lang} strings ({FIX}):\n" + "\n".join(missing[:40])
    if lang in ("fi", "sv"):
        assert po.metadata.get("Plural-Forms", "").startswith("nplurals=2;"), "plural forms of fi/sv"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    po = catalogue(lang)
    mo_path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: {FIX}"
    mo = polib.mofile(str(mo_path))
    translated = {_key(e) for e in po if not e.obsolete and e.translated() and "fuzzy" not in e.flags}
    compiled = {_key(e) for e in mo if e.msgid}
    assert translated == compiled, f"django.mo is older than django.po: {FIX}"


def test_catalogues_are_not_stale_against_the_source(tmp_path):
    """Extract the messages of the current source into a scratch copy and compare the msgid sets."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed to extract messages: apt-get install gettext")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, ignore=lambda d, names: [n for n in names if n in IGNORED or n.endswith(".pyc")]
    )
    args = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete"]
    args += [f"-l{lang}" for lang in LANGUAGES] + [f"--ignore={name}" for name in sorted(IGNORED)]
    out = subprocess.run(
        args,
        cwd=copy,
        env={**__import__("os").environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "network.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for lang in LANGUAGES:
        fresh = {_key(e) for e in polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))}
        committed = {_key(e) for e in catalogue(lang) if not e.obsolete}
        new, gone = sorted(fresh - committed), sorted(committed - fresh)
        assert not new and not gone, (
            f"locale/{lang} is stale ({FIX}).\nNew in the source: {[k[1] for k in new][:30]}\n"
            f"No longer in the source: {[k[1] for k in gone][:30]}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "library", "search"),
    [("fi", "Kirjasto", "Hae"), ("sv", "Bibliotek", "Sök")],
)
def test_the_language_switcher_renders_pages_in_finnish_and_swedish(lang, library, search):
    c = Client()
    response = c.post("/i18n/setlang/", {"language": lang, "next": "/library/"})
    assert response.status_code == 302 and response.headers["Location"] == "/library/"
    page = c.get("/library/")
    html = page.content.decode()
    assert f'<html lang="{lang}">' in html
    assert f">{library}</a>" in html, "the main navigation is translated"
    assert f">{search}</button>" in html
    assert ">Library</a>" not in html
    back = c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert back.status_code == 302 and ">Library</a>" in c.get("/library/").content.decode()

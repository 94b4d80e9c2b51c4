"""The committed message catalogues: complete in French, and compiled from the current .po."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) per entry of a .po file, continuation lines joined."""
    entries, current, key, fuzzy = [], {}, None, False
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in current:
                entries.append((current["msgid"], current.get("msgstr", ""), fuzzy))
            current, key, fuzzy = {}, None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        else:
            word, _, rest = line.partition(" ")
            key = "msgstr" if word in ("msgstr", "msgstr[0]") else word
            if key in ("msgid", "msgstr"):
                current[key] = rest[1:-1]
            else:
                key = None
    return entries


def test_every_french_message_is_translated():
    entries = _entries(LOCALE / "fr/LC_MESSAGES/django.po")
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if msgid and (not msgstr or fuzzy)]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_the_po_file(language, tmp_path):
    folder = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(folder / "django.po")], check=True)
    with (folder / "django.mo").open("rb") as committed, fresh.open("rb") as rebuilt:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(rebuilt)._catalog
        ), "run: python manage.py compilemessages"


def test_menu_labels_in_both_languages():
    with translation.override("fr"):
        assert translation.gettext("Mass stock edit") == "Édition des stocks en masse"
        assert translation.gettext("Customer returns") == "Retours clients"
    with translation.override("en"):
        assert translation.gettext("Mass stock edit") == "Mass stock edit"

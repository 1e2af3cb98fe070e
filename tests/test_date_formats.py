"""Dates by format name: every name exists in every language, templates name formats instead of patterns, and a
name renders in the reader's language (config/formats/<lang>/formats.py)."""

import datetime
import importlib
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.formats import FORMAT_SETTINGS, date_format

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LITERAL = re.compile(r'\|(?:date|time):"([^"]*)"')


def names(lang: str) -> set[str]:
    module = importlib.import_module(f"config.formats.{lang}.formats")
    return {name for name in vars(module) if name.endswith("_FORMAT")}


def test_it_defines_every_format_name_in_every_language():
    english = names("en")
    for lang, _name in settings.LANGUAGES:
        assert names(lang) == english, lang


def test_it_finds_no_date_pattern_written_in_a_template():
    known = names("en") | FORMAT_SETTINGS
    literal = [
        f"{path.relative_to(TEMPLATES)}: {pattern}"
        for path in TEMPLATES.rglob("*")
        if path.is_file() and path.suffix in {".html", ".txt"}
        for pattern in LITERAL.findall(path.read_text())
        if pattern not in known
    ]
    assert literal == []


def test_it_renders_a_named_format_in_the_readers_language():
    day = datetime.date(2026, 12, 7)
    shown = {}
    for lang in ("en", "pt", "es"):
        with translation.override(lang):
            shown[lang] = date_format(day, "WEEKDAY_DATE_FORMAT")
    assert shown == {"en": "Mon 7 Dec 2026", "pt": "Seg, 7 Dez 2026", "es": "lun 7 Dic 2026"}

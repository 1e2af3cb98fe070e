"""The translation catalogues: complete for what a cleaner sees, compiled to .mo files that match, and used."""

import ast
import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation.template import templatize

from core.preferences import user_language_set
from tests.factories import make_booking, make_cleaning_task, make_property, make_template
from wbs.models import Task
from wbs.services.turnovers import turnovers_sync

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["pt", "es"]
# Everything a cleaner reads: the sign-in page and chrome, the field app, its errors, emails and calendar feed.
CLEANER_TEMPLATES = [
    "templates/base.html",
    "templates/registration/login.html",
    "templates/core/_toast.html",
    "templates/core/language.html",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates/wbs").glob("my_*.html")),
]
CLEANER_MODULES = [
    "core/context_processors.py",
    "core/forms.py",
    "core/views_language.py",
    "wbs/calendar_feeds.py",
    "wbs/forms_turnovers.py",
    "wbs/models.py",
    "wbs/services/field.py",
    "wbs/services/notifications.py",
    "wbs/services/photos.py",
    "wbs/services/problems.py",
    "wbs/services/turnovers.py",
    "wbs/task_queries.py",
    "wbs/transitions.py",
    "wbs/views/field.py",
]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _messages_in_python(source: str) -> set[tuple[str, str]]:
    """(context, msgid) of every gettext call with literal text, the way xgettext would find them."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        texts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if name not in GETTEXT_NAMES or not texts:
            continue
        found.add((texts[0], texts[1]) if name.startswith("pgettext") else ("", texts[0]))
    return found


def used_messages() -> set[tuple[str, str]]:
    """Gathered without GNU gettext: templates go through Django's own templatize (what makemessages does)."""
    found = set()
    for name in CLEANER_TEMPLATES:
        python_like = templatize((ROOT / name).read_text(), origin=name)
        # templatize writes `gettext(...)` calls on lines padded with template text turned into X's and S's.
        calls = re.findall(r"\b(?:n?p?gettext)\((?:[^()']|'(?:[^'\\]|\\.)*')*\)", python_like)
        for call in calls:
            found |= _messages_in_python(call)
    for name in CLEANER_MODULES:
        found |= _messages_in_python((ROOT / name).read_text())
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_message_a_cleaner_sees(language):
    entries = {(entry.msgctxt or "", entry.msgid): entry for entry in catalogue(language) if not entry.obsolete}
    untranslated = []
    for key in sorted(used_messages()):
        entry = entries.get(key)
        if entry is None or "fuzzy" in entry.flags or not entry.translated():
            untranslated.append(key[1])
    assert not untranslated, f"Translate these in locale/{language}/LC_MESSAGES/django.po: {untranslated}"


def test_it_finds_the_messages_of_templates_and_modules():
    # Guards the scanner itself: a message from each kind of source.
    messages = {msgid for _context, msgid in used_messages()}
    assert {"Take photo", "Sign in", "Next: %(guests)s guest, %(day)s", "Tick “%(item)s”.", "To do"} <= messages
    assert ("button", "Done") in used_messages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_each_compiled_catalogue_in_step_with_its_source(language):
    po = catalogue(language)
    compiled = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))

    def table(entries) -> dict:
        return {
            (entry.msgctxt or "", entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in entries
            if entry.msgid
            and (entry.msgstr or any(entry.msgstr_plural.values()))
            and not entry.obsolete
            and "fuzzy" not in entry.flags
        }

    assert table(po) == table(compiled), "Run `python manage.py compilemessages` and commit the .mo files."


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read (labels for screen readers, tooltips, alt text)."""

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.texts.add(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.add(" ".join(data.split()))


def visible_texts(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def cleaners_pages(cleaner):
    """The pages of a cleaner's day, with a task made by the real sync (checklist, photo item, history)."""
    today = timezone.localdate()
    make_template(
        default_assignee=cleaner,
        checklist=[{"text": "Beds"}, {"text": "Living room", "requires_photo": True}, {"text": "Oven [optional]"}],
    )
    booking = make_booking(make_property("Casa Azul", address="Rua Azul 1"), today, guest_name="Ana Reis")
    make_booking(booking.property, today + datetime.timedelta(days=3), guest_name="Rui Sá", adults=2)
    turnovers_sync(booking_ids=[booking.pk])
    task = Task.objects.get(booking=booking)
    make_cleaning_task(assignee=cleaner, title="Restock towels", due_date=today + datetime.timedelta(days=1))
    return [
        reverse("wbs:my_tasks"),
        reverse("wbs:my_task", args=[task.pk]),
        reverse("wbs:my_day_sheet"),
        reverse("wbs:my_problem", args=[task.pk]),
        reverse("wbs:my_calendar"),
        reverse("core:language"),
    ]


# What stays the same in every language: people's data, the product's name, numbers and symbols.
_SAME_IN_EVERY_LANGUAGE = re.compile(
    r"^[\W\d_]*$|^\w$|StayOps|Casa Azul|Rua Azul|Ana Reis|Rui Sá|Beds|Living room|Oven"
    r"|Beach House|Restock towels|Rua do Mar"
)
# Words spelled alike in English and the language at hand, and the languages' own names.
ALIKE = {"Gantt", "Normal", "Menu", *(name for _code, name in settings.LANGUAGES)}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_a_cleaner_no_english_on_the_field_pages(client, cleaner, cleaners_pages, language):
    english, translated = set(), set()
    client.force_login(cleaner)
    for url in cleaners_pages:
        english |= visible_texts(client.get(url).content.decode())
    user_language_set(user=cleaner, language=language)
    for url in cleaners_pages:
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
        translated |= visible_texts(response.content.decode())

    left_in_english = {
        text
        for text in english & translated
        if not _SAME_IN_EVERY_LANGUAGE.search(text)
        and text not in {cleaner.get_username(), cleaner.get_full_name(), *ALIKE}
    }
    assert not left_in_english, sorted(left_in_english)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_the_sign_in_page_in_the_browsers_language(client, language):
    response = client.get(reverse("login"), headers={"accept-language": f"{language},en;q=0.5"})
    english = visible_texts(client.get(reverse("login"), headers={"accept-language": "en"}).content.decode())

    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert not {text for text in english & visible_texts(html) if not _SAME_IN_EVERY_LANGUAGE.search(text)}

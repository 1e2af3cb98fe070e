"""A cleaner reads the field app in their language on a phone: their saved one, else the browser's."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.preferences import user_language_set
from tests.conftest import PHONE
from tests.factories import make_booking, make_property, make_template
from wbs.models import Task
from wbs.services.turnovers import turnovers_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def turnover(cleaner):
    make_template(default_assignee=cleaner, checklist=[{"text": "Camas"}, {"text": "Sala", "requires_photo": True}])
    booking = make_booking(make_property("Casa Azul"), timezone.localdate(), guest_name="Ana Reis")
    turnovers_sync(booking_ids=[booking.pk])
    return Task.objects.get(booking=booking)


def test_it_speaks_portuguese_to_a_cleaner_who_chose_it(login_as, live_server, cleaner, turnover, screenshot):
    user_language_set(user=cleaner, language="pt")
    page = login_as(cleaner, PHONE)

    page.goto(f"{live_server.url}/my/")
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("heading", name="As minhas tarefas")).to_be_visible()
    expect(page.get_by_role("link", name="Folha do dia")).to_be_visible()
    screenshot(page, "language-my-tasks-pt")

    page.goto(f"{live_server.url}/my/tasks/{turnover.pk}/")
    expect(page.get_by_role("button", name="Começar")).to_be_visible()
    expect(page.get_by_role("heading", name="Lista de verificação")).to_be_visible()
    expect(page.get_by_role("link", name="Comunicar um problema")).to_be_visible()
    screenshot(page, "language-task-pt")


def test_it_follows_the_browsers_language_when_none_was_chosen(browser, live_server, cleaner, turnover):
    from django.test import Client

    from tests.conftest import sign_in

    context = browser.new_context(locale="es-ES", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, cleaner, Client)

    page.goto(f"{live_server.url}/my/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Mis tareas")).to_be_visible()
    page.goto(f"{live_server.url}/my/tasks/{turnover.pk}/")
    expect(page.get_by_role("button", name="Empezar")).to_be_visible()
    context.close()

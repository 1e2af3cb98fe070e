"""The task templates pages: list, create with validation, edit; managers only."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import SOON, make_booking, make_property, make_template
from tests.garbage_params import GARBAGE_PARAMS
from wbs.models import Task, TaskTemplate

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "title_pattern": "Clean {property} after {guest}",
        "type": "cleaning",
        "trigger": "after_check_out",
        "offset_hours": "0",
        "duration_minutes": "120",
        "every_n_nights": "",
        "priority": "2",
        "default_assignee": "",
        "backup_assignee": "",
        "booking_statuses": ["confirmed", "booked"],
        "checklist_text": "Beds made\nPhoto of the kitchen [photo]\nRubbish out [optional]",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_visitors_to_sign_in(client):
    assert client.get(reverse("wbs:templates")).status_code == 302


def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(reverse("wbs:templates")).status_code == 403
    assert cleaner_client.post(reverse("wbs:template_create"), form_data()).status_code == 403
    assert TaskTemplate.objects.count() == 0


@pytest.mark.parametrize("count", [1, 6])
def test_it_lists_templates_in_a_fixed_number_of_queries(manager_client, count, django_assert_num_queries):
    prop = make_property()
    for number in range(count):
        make_template(f"Clean {number} {{property}}", properties=[prop], active=number % 2 == 0)

    # session, user, roles, templates, their properties
    with django_assert_num_queries(5):
        response = manager_client.get(reverse("wbs:templates"))

    assert response.content.decode().count('href="/wbs/templates/') == count + 1


def test_it_creates_a_template_with_its_checklist_and_properties(
    manager_client, cleaner, django_capture_on_commit_callbacks
):
    prop = make_property()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("wbs:template_create"), form_data(properties=[prop.pk], default_assignee=cleaner.pk)
        )

    assert response.status_code == 302
    template = TaskTemplate.objects.get()
    assert template.checklist == [
        {"text": "Beds made", "requires_photo": False, "required": True},
        {"text": "Photo of the kitchen", "requires_photo": True, "required": True},
        {"text": "Rubbish out", "requires_photo": False, "required": False},
    ]
    assert list(template.properties.all()) == [prop]
    assert template.default_assignee == cleaner
    assert AuditEntry.objects.for_object(template).get().action == "create"


def test_it_names_an_unknown_placeholder_and_saves_nothing(manager_client):
    response = manager_client.post(reverse("wbs:template_create"), form_data(title_pattern="Clean {house}"))

    assert response.status_code == 400
    assert "Unknown placeholder {house}" in response.content.decode()
    assert 'value="Clean {house}"' in response.content.decode()
    assert TaskTemplate.objects.count() == 0


def test_it_asks_how_many_nights_for_an_every_n_nights_template(manager_client):
    response = manager_client.post(reverse("wbs:template_create"), form_data(trigger="every_n_nights"))
    assert response.status_code == 400
    assert "Say every how many nights" in response.content.decode()
    assert TaskTemplate.objects.count() == 0


def test_it_edits_a_template_and_shows_its_checklist(manager_client):
    template = make_template()
    url = reverse("wbs:template_edit", args=[template.pk])
    assert "Photo of the kitchen [photo]" in manager_client.get(url).content.decode()

    response = manager_client.post(url, form_data(title_pattern="Turnover {property}", active=""))

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.title_pattern, template.active) == ("Turnover {property}", False)
    entry = AuditEntry.objects.for_object(template).get(action="update")
    assert entry.changes["title_pattern"] == ["Clean {property} after {guest}", "Turnover {property}"]


def test_it_answers_404_for_a_missing_template(manager_client):
    assert manager_client.get(reverse("wbs:template_edit", args=[999])).status_code == 404


def test_a_new_template_gives_upcoming_bookings_their_tasks(manager_client, django_capture_on_commit_callbacks):
    upcoming = make_booking(make_property(), SOON)
    past = make_booking(make_property(), SOON - datetime.timedelta(days=60))

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("wbs:template_create"), form_data())

    assert Task.objects.filter(booking=upcoming).count() == 1
    assert not Task.objects.filter(booking=past).exists()


def test_the_list_ignores_parameters_it_does_not_take(manager_client):
    make_template()

    response = manager_client.get(reverse("wbs:templates"), GARBAGE_PARAMS)

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]

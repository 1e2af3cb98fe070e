"""Calendar feeds: a cleaner's private task feed and a property's occupancy feed, RFC 5545, revocable."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import BookingStatus
from tests.factories import make_booking, make_cleaning_task, make_property
from wbs.calendar_feeds import calendar_token_rotate
from wbs.models import CalendarToken

pytestmark = pytest.mark.django_db


def events(response) -> list:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_it_serves_a_cleaners_tasks_without_sign_in(client, cleaner, other_cleaner):
    today = timezone.localdate()
    beach = make_property("Beach House", address="Rua do Mar 12, Lisboa")
    mine = make_cleaning_task(
        assignee=cleaner, property=beach, title="Clean Beach House", due_date=today, same_day=True
    )
    make_cleaning_task(assignee=other_cleaner, title="Not mine", due_date=today)
    token = calendar_token_rotate(user=cleaner)

    feed = events(client.get(reverse("wbs:cleaner_feed", args=[token.token])))

    assert [str(event["summary"]) for event in feed] == ["SAME-DAY · Clean Beach House"]
    assert str(feed[0]["uid"]).startswith(f"task-{mine.pk}@")
    assert "Rua do Mar" in str(feed[0]["location"])


def test_it_answers_404_for_a_revoked_or_unknown_token(client, cleaner):
    old = calendar_token_rotate(user=cleaner)
    new = calendar_token_rotate(user=cleaner)

    assert client.get(reverse("wbs:cleaner_feed", args=[old.token])).status_code == 404
    assert client.get(reverse("wbs:cleaner_feed", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("wbs:cleaner_feed", args=[new.token])).status_code == 200
    assert CalendarToken.objects.live().get(user=cleaner) == new
    assert len(new.token) >= 40


def test_it_answers_404_when_the_user_was_deactivated(client, cleaner):
    token = calendar_token_rotate(user=cleaner)
    cleaner.is_active = False
    cleaner.save()
    assert client.get(reverse("wbs:cleaner_feed", args=[token.token])).status_code == 404


def test_it_serves_a_propertys_stays_without_guest_names(client):
    prop = make_property("Casa Azul")
    stay = make_booking(prop, timezone.localdate(), nights=3, guest_name="Ana Reis", adults=2, children=1)
    make_booking(prop, timezone.localdate() + datetime.timedelta(days=5), status=BookingStatus.CANCELLED)

    feed = events(client.get(reverse("wbs:property_feed", args=[prop.feed_token])))

    assert len(feed) == 1
    assert str(feed[0]["summary"]) == "Booked · 3 guests"
    assert feed[0]["dtstart"].dt == stay.check_in and feed[0]["dtend"].dt == stay.check_out
    assert b"Ana Reis" not in client.get(reverse("wbs:property_feed", args=[prop.feed_token])).content


def test_a_manager_renews_a_property_feed_and_the_old_link_dies(manager_client):
    prop = make_property()
    old_token = prop.feed_token

    response = manager_client.post(reverse("wbs:my_calendar"), {"property": prop.pk})

    assert response.status_code == 302
    prop.refresh_from_db()
    assert prop.feed_token != old_token
    assert manager_client.get(reverse("wbs:property_feed", args=[old_token])).status_code == 404


def test_a_cleaner_makes_a_link_on_the_calendar_page(cleaner_client, cleaner):
    assert "Make my calendar link" in cleaner_client.get(reverse("wbs:my_calendar")).content.decode()

    cleaner_client.post(reverse("wbs:my_calendar"))

    token = CalendarToken.objects.live().get(user=cleaner)
    assert token.token in cleaner_client.get(reverse("wbs:my_calendar")).content.decode()


def test_a_cleaner_cannot_renew_a_property_feed(cleaner_client):
    prop = make_property()
    old_token = prop.feed_token
    cleaner_client.post(reverse("wbs:my_calendar"), {"property": prop.pk})
    prop.refresh_from_db()
    assert prop.feed_token == old_token


@pytest.mark.parametrize("count", [1, 8])
def test_it_builds_a_feed_in_a_fixed_number_of_queries(client, cleaner, count, django_assert_num_queries):
    for number in range(count):
        make_cleaning_task(assignee=cleaner, title=f"Clean {number}", due_date=timezone.localdate())
    token = calendar_token_rotate(user=cleaner)

    # the token with its user, the cleaner's language (calendar apps send no session), the tasks with properties
    with django_assert_num_queries(3):
        response = client.get(reverse("wbs:cleaner_feed", args=[token.token]))

    assert len(events(response)) == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_calendar_page_lists_property_feeds_in_a_fixed_number_of_queries(
    manager_client, count, django_assert_num_queries
):
    for number in range(count):
        make_property(f"House {number}")

    # session, user, roles, the user's token, the properties
    with django_assert_num_queries(5):
        response = manager_client.get(reverse("wbs:my_calendar"))

    assert response.content.decode().count("/feeds/properties/") == count


def test_renewing_a_feed_of_a_property_that_is_not_an_id_answers_400(manager_client):
    response = manager_client.post(reverse("wbs:my_calendar"), {"property": "abc"})

    assert response.status_code == 400

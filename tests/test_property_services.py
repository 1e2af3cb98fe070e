"""Property write services: normalising, unique codes and aliases among live rows, time zones, archive, restore."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Property
from bookings.services.bookings import booking_cancel, booking_create
from bookings.services.properties import property_archive, property_create, property_restore, property_update
from core.errors import InvalidInput
from core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_it_creates_a_property_with_clean_code_and_aliases_and_audits(manager):
    prop = property_create(user=manager, name=" Beach House ", code=" beach ", aliases="Sea view\n\n sea  VIEW\nEricei")
    assert (prop.name, prop.code, prop.aliases) == ("Beach House", "BEACH", ["Sea view", "Ericei"])
    entry = AuditEntry.objects.for_object(prop).get()
    assert entry.action == AuditAction.CREATE
    assert entry.changes["code"] == [None, "BEACH"]


def test_it_refuses_a_code_a_live_property_has_with_a_clear_message(manager):
    property_create(user=manager, name="Beach House", code="BEACH")
    with pytest.raises(ValidationError) as error:
        property_create(user=manager, name="Other", code="Beach")
    assert error.value.message_dict["code"] == ["The code BEACH is already used by Beach House; choose another."]
    assert Property.all_objects.count() == 1


def test_it_refuses_an_alias_that_names_another_property(manager):
    property_create(user=manager, name="Beach House", code="BEACH", aliases=["Sea view"])
    with pytest.raises(ValidationError) as error:
        property_create(user=manager, name="Loft", code="LOFT", aliases=["SEA VIEW", "Beach house"])
    message = error.value.message_dict["aliases"][0]
    assert "“SEA VIEW” (Beach House)" in message
    assert "“Beach house” (Beach House)" in message
    assert Property.all_objects.count() == 1


def test_it_refuses_an_unknown_time_zone(manager):
    with pytest.raises(ValidationError) as error:
        property_create(user=manager, name="Loft", code="LOFT", time_zone="Europe/Atlantis")
    assert "not a time zone name" in error.value.message_dict["time_zone"][0]
    assert Property.all_objects.count() == 0


def test_update_returns_the_diff_and_audits(manager):
    prop = property_create(user=manager, name="Loft", code="LOFT")
    changes = property_update(property=prop, user=manager, name="Alfama Loft", aliases=["Alfama"])
    assert changes == {"name": ["Loft", "Alfama Loft"], "aliases": [[], ["Alfama"]]}
    assert AuditEntry.objects.for_object(prop).filter(action=AuditAction.UPDATE).get().changes == changes
    assert property_update(property=prop, user=manager, name="Alfama Loft") == {}


def test_archive_is_refused_while_stays_are_to_come(manager):
    prop = property_create(user=manager, name="Loft", code="LOFT")
    today = timezone.localdate()
    stay = booking_create(
        user=manager, property=prop, guest_name="Ann", check_in=today, check_out=today + datetime.timedelta(days=2)
    )
    with pytest.raises(InvalidInput, match="1 current or upcoming booking"):
        property_archive(property=prop, user=manager)
    assert not Property.objects.get(pk=prop.pk).is_deleted
    booking_cancel(booking=stay, user=manager)
    property_archive(property=prop, user=manager)
    assert not Property.objects.filter(pk=prop.pk).exists()


def test_archived_code_is_free_and_restore_is_refused_once_taken(manager):
    prop = property_create(user=manager, name="Loft", code="LOFT")
    property_archive(property=prop, user=manager)
    newcomer = property_create(user=manager, name="New Loft", code="loft")
    with pytest.raises(InvalidInput, match="now belongs to New Loft"):
        property_restore(property=Property.all_objects.get(pk=prop.pk), user=manager)
    property_update(property=newcomer, user=manager, code="NEWLOFT")
    property_restore(property=Property.all_objects.get(pk=prop.pk), user=manager)
    assert Property.objects.filter(pk=prop.pk).exists()
    actions = list(AuditEntry.objects.for_object(prop).values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "restore"]

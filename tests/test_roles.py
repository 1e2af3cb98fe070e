"""Role checks: anonymous users sign in first, the wrong role gets 403, superusers pass everywhere."""

import pytest

from core.roles import is_cleaner, is_manager, role_required
from tests.conftest import ensure_role_groups

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_probe")]


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get("/probe/manager/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/probe/manager/")


def test_it_lets_a_manager_in(manager_client):
    assert manager_client.get("/probe/manager/").content == b"manager page"


def test_it_refuses_a_cleaner_on_a_manager_page_with_our_403(cleaner_client):
    response = cleaner_client.get("/probe/manager/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content


def test_it_refuses_a_manager_on_a_cleaner_page(manager_client):
    assert manager_client.get("/probe/cleaner/").status_code == 403


def test_it_lets_a_superuser_in_everywhere(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert client.get("/probe/manager/").status_code == 200
    assert client.get("/probe/cleaner/").status_code == 200
    assert is_manager(admin) and not is_cleaner(admin)


def test_it_reads_roles_once_per_user_object(manager, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_manager(manager)
        assert is_manager(manager)
        assert not is_cleaner(manager)


def test_it_refuses_unknown_role_names():
    with pytest.raises(ValueError, match="Unknown roles"):
        role_required("owner")


def test_the_roles_migration_created_both_groups_with_permissions():
    from django.contrib.auth.models import Group

    # A transactional test run earlier on this worker flushes every table, groups included: the migration's
    # function is what made them, so it makes them again here.
    ensure_role_groups()
    manager = Group.objects.get(name="manager")
    cleaner = Group.objects.get(name="cleaner")
    assert manager.permissions.filter(codename="change_booking").exists()
    assert cleaner.permissions.filter(codename="change_task").exists()
    assert not cleaner.permissions.filter(codename="change_booking").exists()


def test_a_user_without_a_role_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("newbie", password="pw")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"no role yet" in response.content


@pytest.mark.parametrize(
    ("path", "active"),
    [("/bookings/timeline/", "Timeline"), ("/bookings/42/", "Bookings"), ("/wbs/templates/", "Turnovers")],
)
def test_the_menu_marks_the_section_of_the_current_page(rf, manager, path, active):
    from core.context_processors import navigation

    request = rf.get(path)
    request.user = manager
    marked = [link["label"] for link in navigation(request)["navigation"] if link["active"]]
    assert marked == [active]

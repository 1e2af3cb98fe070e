"""The admin for wbs models: every change is audited as an admin change, and it cannot close a dependency loop."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.models import AuditEntry, AuditSource
from wbs.models import Project, Task, TaskDependency, WbsItem
from wbs.scheduling import plan_version
from wbs.services import wbs_tree
from wbs.services.dependencies import dependency_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password="x", email="root@example.com")
    client.force_login(user)
    return client


def test_every_wbs_model_has_an_admin_page():
    from django.apps import apps

    for model in apps.get_app_config("wbs").get_models():
        assert admin.site.is_registered(model), model.__name__


def test_a_task_changed_in_the_admin_is_audited_as_such(admin_client):
    task = Task.objects.create(title="Tile floor")
    response = admin_client.post(
        reverse("admin:wbs_task_change", args=[task.pk]),
        {
            "title": "Tile kitchen floor",
            "type": "other",
            "status": "todo",
            "priority": 2,
            "progress": 0,
            "position": 0,
            "checklist-TOTAL_FORMS": 0,
            "checklist-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.for_object(task).get()
    assert entry.source == AuditSource.ADMIN
    assert entry.changes == {"title": ["Tile floor", "Tile kitchen floor"]}


def test_deleting_a_task_in_the_admin_soft_deletes_it(admin_client):
    task = Task.objects.create(title="Tile floor")
    response = admin_client.post(reverse("admin:wbs_task_delete", args=[task.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Task.all_objects.get(pk=task.pk).is_deleted
    assert AuditEntry.objects.for_object(task).get().action == "delete"


def test_an_item_added_in_the_admin_gets_its_code(admin_client):
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen")
    response = admin_client.post(
        reverse("admin:wbs_wbsitem_add"),
        {"project": project.pk, "parent": kitchen.pk, "title": "Plumbing", "status": "not_started", "weight": "1"},
    )
    assert response.status_code == 302
    assert WbsItem.objects.get(title="Plumbing").code == "1.1"


def test_the_admin_refuses_a_dependency_loop(admin_client):
    tile, grout = Task.objects.create(title="Tile floor"), Task.objects.create(title="Grout")
    dependency_add(predecessor=tile, successor=grout)
    response = admin_client.post(
        reverse("admin:wbs_taskdependency_add"),
        {"predecessor": grout.pk, "successor": tile.pk, "type": "FS", "lag_days": 0},
    )
    assert response.status_code == 200
    assert "would close a loop" in response.content.decode()
    assert TaskDependency.objects.count() == 1
    response = admin_client.post(
        reverse("admin:wbs_taskdependency_add"),
        {"predecessor": Task.objects.create(title="Seal").pk, "successor": tile.pk, "type": "SS", "lag_days": 1},
    )
    assert response.status_code == 302
    assert TaskDependency.objects.count() == 2


def test_a_deleted_task_can_be_restored_from_the_admin(admin_client, manager):
    from wbs.services.tasks import task_delete

    task = Task.objects.create(title="Tile floor")
    task_delete(task=task, user=manager)
    listing = admin_client.get(reverse("admin:wbs_task_changelist") + "?deleted=yes")
    assert "Tile floor" in listing.content.decode()
    response = admin_client.post(
        reverse("admin:wbs_task_changelist"), {"action": "restore_selected", "_selected_action": [task.pk]}
    )
    assert response.status_code == 302
    assert Task.objects.filter(pk=task.pk).exists()
    assert AuditEntry.objects.for_object(task).filter(action="restore").exists()


# Committed (transaction=True): on PostgreSQL the version changes at commit.
@pytest.mark.django_db(transaction=True)
def test_a_link_changed_in_the_admin_changes_the_plan_version_for_the_critical_path_cache(admin_client):
    tile, grout = Task.objects.create(title="Tile floor"), Task.objects.create(title="Grout")
    link = dependency_add(predecessor=tile, successor=grout)
    before = plan_version()
    response = admin_client.post(
        reverse("admin:wbs_taskdependency_change", args=[link.pk]),
        {"predecessor": tile.pk, "successor": grout.pk, "type": "SS", "lag_days": 0},
    )
    assert response.status_code == 302
    assert TaskDependency.objects.get().type == "SS"
    # A database trigger changed the token.
    assert plan_version()[0] != before[0]

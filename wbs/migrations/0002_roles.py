"""The two roles as groups with their permissions. Lives here, at the top of the app graph, because it
grants permissions on the models of core, bookings and wbs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_APPS = ["core", "bookings", "wbs"]
CLEANER_PERMISSIONS = [
    ("wbs", "view_task"),
    ("wbs", "change_task"),
    ("wbs", "view_checklistitem"),
    ("wbs", "change_checklistitem"),
    ("wbs", "add_taskcomment"),
    ("wbs", "view_taskcomment"),
    ("bookings", "view_property"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _ = Group.objects.get_or_create(name="manager")
    manager.permissions.add(*Permission.objects.filter(content_type__app_label__in=MANAGER_APPS))
    cleaner, _ = Group.objects.get_or_create(name="cleaner")
    for app_label, codename in CLEANER_PERMISSIONS:
        cleaner.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["manager", "cleaner"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0001_initial"),
        ("bookings", "0001_initial"),
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

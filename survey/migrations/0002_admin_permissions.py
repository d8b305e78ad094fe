"""Administrators create survey rounds in the admin and issue their invitations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("view", "add", "change", "delete")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; these are needed now.
    app_config = apps.get_app_config("survey")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin_group = Group.objects.filter(name="admin").first()
    if admin_group is not None:
        admin_group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="survey",
                codename__in=[f"{action}_surveyround" for action in ACTIONS],
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin_group = Group.objects.filter(name="admin").first()
    if admin_group is not None:
        admin_group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="survey")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0001_initial"),
        ("accounts", "0003_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

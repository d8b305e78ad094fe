"""The three roles are groups; their model permissions drive the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = "view"
ALL = ("view", "add", "change", "delete")

# Which models each role may touch in the Django admin. Page access is decided
# by the role itself (accounts.models.Role), not by these permissions.
ROLE_PERMISSIONS = {
    "coach": {},
    "manager": {},
    "admin": {
        ("participants", "unit"): ALL,
        ("participants", "district"): ALL,
        ("participants", "participant"): ALL,
        ("participants", "casenote"): (VIEW, "add"),
        ("participants", "supportactivity"): ALL,
        ("participants", "learninggoal"): ALL,
        ("participants", "study"): ALL,
        ("placements", "jobtype"): ALL,
        ("placements", "placementtarget"): ALL,
        ("placements", "workplace"): ALL,
        ("placements", "placement"): ALL,
        ("placements", "internship"): ALL,
        ("placements", "wagesubsidycase"): ALL,
        ("followup", "followup"): ALL,
        ("followup", "registeroutcome"): ALL,
        ("followup", "surveyresponse"): (VIEW,),
        ("accounts", "user"): ALL,
        ("auth", "group"): (VIEW,),
    },
}


def load(apps, schema_editor):
    # Permissions are normally created after all migrations; this migration
    # needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for (app_label, model), actions in grants.items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def unload(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("participants", "0003_districts"),
        ("placements", "0002_job_types_and_2021_targets"),
        ("followup", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(load, unload)]

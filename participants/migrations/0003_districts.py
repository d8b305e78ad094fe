"""Stockholm's 13 districts (stadsdelsområden) since the 2020 reorganisation."""

from django.db import migrations

DISTRICTS = [
    ("bromma", "Bromma"),
    ("enskede-arsta-vantor", "Enskede-Årsta-Vantör"),
    ("farsta", "Farsta"),
    ("hagersten-alvsjo", "Hägersten-Älvsjö"),
    ("hasselby-vallingby", "Hässelby-Vällingby"),
    ("kungsholmen", "Kungsholmen"),
    ("norrmalm", "Norrmalm"),
    ("rinkeby-kista", "Rinkeby-Kista"),
    ("skarpnack", "Skarpnäck"),
    ("skarholmen", "Skärholmen"),
    ("spanga-tensta", "Spånga-Tensta"),
    ("sodermalm", "Södermalm"),
    ("ostermalm", "Östermalm"),
]


def load(apps, schema_editor):
    District = apps.get_model("participants", "District")
    for code, name in DISTRICTS:
        District.objects.update_or_create(code=code, defaults={"name": name})


def unload(apps, schema_editor):
    apps.get_model("participants", "District").objects.filter(
        code__in=[code for code, _ in DISTRICTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]

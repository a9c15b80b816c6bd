from __future__ import annotations

from typing import Any

from django.db import migrations

# Minutes on site by product category × service type (editable in the admin).
DURATIONS = {
    "air_conditioner": {"install": 120, "repair": 75, "maintenance": 60},
    "washing_machine": {"install": 60, "repair": 60, "maintenance": 45},
    "dishwasher": {"install": 90, "repair": 60, "maintenance": 45},
    "water_heater": {"install": 90, "repair": 60, "maintenance": 45},
    "television": {"install": 45, "repair": 60, "maintenance": 30},
    "refrigerator": {"install": 45, "repair": 75, "maintenance": 45},
    "vehicle": {"repair": 120, "maintenance": 90, "inspection": 60},
    "farm_machine": {"repair": 120, "maintenance": 90, "inspection": 60},
}


def seed(apps: Any, schema_editor: Any) -> None:
    settings = apps.get_model("dispatch", "DispatchSettings")
    if not settings.objects.exists():
        settings.objects.create()
    duration = apps.get_model("dispatch", "ServiceDuration")
    for category, per in DURATIONS.items():
        for service_type, minutes in per.items():
            duration.objects.get_or_create(
                category=category, service_type=service_type, defaults={"minutes": minutes}
            )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

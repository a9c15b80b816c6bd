"""The SPEC's defaults (W-1, W-2, W-3, S-1, S-2) as editable rows."""

from decimal import Decimal

from django.db import migrations

D = Decimal

CURRENCIES = [("CNY", 2), ("KRW", 0), ("USD", 2), ("EUR", 2), ("JPY", 0), ("HKD", 2), ("TWD", 2)]

# coverage, parts, labour fee, service fee, travel charged, quote required (W-2)
CHARGES = [
    ("in_warranty", "free", D(0), D(0), False, False),
    ("misuse", "cost", D(0), D(0), False, True),
    ("out_of_warranty", "list", D(0), D(0), True, True),
]

# code, name, kind, amount, min, max, points, automatic (S-1; the seed 001 §四(二))
RULES = [
    ("complaint_at_fault", "Complaint due to the technician", "penalty", 100, 100, 1000, 0, False),
    (
        "complaint_serious",
        "Complaint with serious impact (and dismissal)",
        "penalty",
        3000,
        3000,
        3000,
        0,
        False,
    ),
    (
        "major_demerit",
        "Complaint for quarrel, soliciting, delay or repeat repair: major demerit",
        "penalty",
        0,
        0,
        0,
        1,
        False,
    ),
    ("phone_off", "Phone off or call refused (8:00–22:00)", "penalty", 10, 10, 10, 0, False),
    ("late_arrival", "Late arrival at the customer", "penalty", 50, 50, 50, 0, True),
    (
        "left_without_calling",
        "Left the job without calling headquarters",
        "penalty",
        50,
        50,
        50,
        0,
        False,
    ),
    ("incomplete_report", "Incomplete service report", "penalty", 20, 20, 20, 0, True),
    ("disobeying_dispatch", "Disobeying dispatch", "penalty", 100, 100, 100, 0, False),
    ("soliciting", "Soliciting from dealers or customers", "penalty", 500, 500, 1000, 0, False),
    (
        "multiple_contact",
        "Multiple contact counted on the person (O-11)",
        "penalty",
        20,
        0,
        100,
        0,
        True,
    ),
    ("praise", "Customer praise (letter, pennant)", "reward", 50, 0, 500, 1, False),
    ("ranked_season", "Service season prize", "reward", 300, 0, 500, 0, False),
]

TIERS = [(24, D(30)), (48, D(25)), (72, D(20)), (None, D(15))]


def seed(apps, schema_editor):
    get = apps.get_model
    if not get("warranty", "WarrantyPolicy").objects.exists():
        get("warranty", "WarrantyPolicy").objects.create()
    for code, decimals in CURRENCIES:
        get("warranty", "Currency").objects.get_or_create(
            code=code, defaults={"decimals": decimals}
        )
    for cov, parts, labour, service, travel, quote in CHARGES:
        get("warranty", "ChargeRule").objects.get_or_create(
            coverage=cov,
            defaults={
                "parts": parts,
                "labour_fee": labour,
                "service_fee": service,
                "travel_charged": travel,
                "quote_required": quote,
            },
        )
    for code, name, kind, amount, lo, hi, points, auto in RULES:
        get("warranty", "PenaltyRule").objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "amount": D(amount),
                "min_amount": D(lo),
                "max_amount": D(hi),
                "points": points,
                "automatic": auto,
            },
        )
    tiers = get("warranty", "CommissionTier")
    if not tiers.objects.exists():
        for hours, amount in TIERS:
            tiers.objects.create(max_hours=hours, amount=amount)


class Migration(migrations.Migration):
    dependencies = [("warranty", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

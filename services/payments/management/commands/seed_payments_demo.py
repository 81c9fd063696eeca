"""Demo data for Fee payment: the example fee catalogue and a registry of payers in 8 communities.

    python manage.py seed_payments_demo --town bangsare [--payers 40]

Idempotent: payers are upserted by code. The first payer is H0001 with phone 0812345678, to try the
portal's "find my bills".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from services.payments.catalogue import install_default_catalogue
from services.payments.models import FeeTier, Payer, PayerFee, PayerKind
from tenants.models import Municipality

COMMUNITIES = [
    "ชุมชนบ้านบางเสร่",
    "ชุมชนหาดบางเสร่",
    "ชุมชนตลาดบางเสร่",
    "ชุมชนบ้านเตาถ่าน",
    "ชุมชนบ้านนาวัง",
    "ชุมชนบ้านอ่าวฝรั่ง",
    "ชุมชนบ้านชากแง้ว",
    "ชุมชนบ้านเนินสูง",
]
MEN = ["สมชาย", "ประเสริฐ", "สุนทร", "ชัยวัฒน์", "สมศักดิ์"]
WOMEN = ["สมหญิง", "วันดี", "มาลี", "บุญมี", "จันทร์เพ็ญ"]
LAST_NAMES = ["ใจดี", "รักถิ่น", "ทะเลงาม", "บางเสร่", "มั่นคง", "สุขสบาย", "ศรีสมุทร", "แสงทอง"]


class Command(BaseCommand):
    help = "Install the example fee catalogue and demo payers in a town."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--payers", type=int, default=40)

    def handle(self, *args, **options):
        town = Municipality.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no town {options['town']}")
        with tenant_context(town):
            install_default_catalogue(valid_from=dt.date(2025, 10, 1))
            tiers = {(t.fee_type.code, t.code): t for t in FeeTier.objects.select_related("fee_type")}
            for n in range(1, options["payers"] + 1):
                shop = n % 7 == 0
                payer, _created = Payer.objects.update_or_create(
                    code=f"{'S' if shop else 'H'}{n:04d}",
                    defaults={
                        "name": self.name(n, shop),
                        "kind": PayerKind.SHOP if shop else PayerKind.HOUSEHOLD,
                        "house_no": f"{n}/{n % 9 + 1}",
                        "community": COMMUNITIES[n % 8],
                        "phone": "0812345678" if n == 1 else f"08{n:08d}",
                    },
                )
                garbage = tiers[("garbage", "shop" if shop else "household")]
                PayerFee.objects.update_or_create(
                    payer=payer, tier=garbage, defaults={"quantity": Decimal("1")}
                )
                if n % 3 == 0:
                    wastewater = tiers[("wastewater", "business" if shop else "household")]
                    PayerFee.objects.update_or_create(
                        payer=payer, tier=wastewater, defaults={"quantity": Decimal("12")}
                    )
            self.stdout.write(
                f"{town.slug}: {Payer.objects.count()} payers, {FeeTier.objects.count()} fee tiers"
            )

    @staticmethod
    def name(n: int, shop: bool) -> str:
        if shop:
            return f"ร้าน{WOMEN[n % 5]}พานิช"
        if n % 2:
            return f"นาย{MEN[n % 5]} {LAST_NAMES[n % 8]}"
        return f"นาง{WOMEN[n % 5]} {LAST_NAMES[n % 8]}"

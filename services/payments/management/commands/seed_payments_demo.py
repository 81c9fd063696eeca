"""Demo data for Fee payment: the example fee catalogue and a registry of payers in 8 communities.

    python manage.py seed_payments_demo --town bangsare [--payers 40]

Idempotent: payers are upserted by code. With --citizen, that citizen account is linked to the
payer H0032 (นางมาลี ใจดี, phone 0812345678) through the finance officer's confirmation, the way a
real link is made; no other payer shares the citizen's phone, so nobody sees another's bills.
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
# n = 32 is named นางมาลี ใจดี by name() below: the demo citizen's own household.
CITIZEN_PAYER = 32
CITIZEN_PHONE = "0812345678"
LAST_NAMES = ["ใจดี", "รักถิ่น", "ทะเลงาม", "บางเสร่", "มั่นคง", "สุขสบาย", "ศรีสมุทร", "แสงทอง"]


class Command(BaseCommand):
    help = "Install the example fee catalogue and demo payers in a town."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--payers", type=int, default=40)
        parser.add_argument("--citizen", default="", help="username of the demo citizen to link to H0032")
        parser.add_argument("--officer", default="", help="username of the finance officer who confirms")

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
                        "phone": CITIZEN_PHONE if n == CITIZEN_PAYER else f"08{n:08d}",
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
            if options["citizen"] and options["payers"] >= CITIZEN_PAYER:
                self.link_citizen(options["citizen"], options["officer"])
            self.stdout.write(
                f"{town.slug}: {Payer.objects.count()} payers, {FeeTier.objects.count()} fee tiers"
            )

    @staticmethod
    def link_citizen(username: str, officer_name: str) -> None:
        from services.accounts.models import User
        from services.payments import payer_links
        from services.payments.models import PayerLink

        citizen = User.objects.filter(username=username, kind=User.Kind.CITIZEN).first()
        officer = User.objects.filter(username=officer_name, kind=User.Kind.STAFF).first()
        payer = Payer.objects.get(code=f"H{CITIZEN_PAYER:04d}")
        if citizen is None or officer is None or payer.links.filter(user=citizen).exists():
            return
        link = payer_links.request_payer_link(user=citizen, payer_code=payer.code, note="ผู้ชำระเอง (demo)")
        if link.status == PayerLink.Status.REQUESTED:
            payer_links.decide_payer_link(link_id=link.pk, by=officer, approve=True)

    @staticmethod
    def name(n: int, shop: bool) -> str:
        if shop:
            return f"ร้าน{WOMEN[n % 5]}พานิช"
        if n % 2:
            return f"นาย{MEN[n % 5]} {LAST_NAMES[n % 8]}"
        return f"นาง{WOMEN[n % 5]} {LAST_NAMES[n % 8]}"

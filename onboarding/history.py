"""A lived-in year for a demo town, written through the services' own actions (`seed_history`).

Every step runs with the clock set to the moment it happens (time-machine, docs/decisions.md): the
action stamps its own times, takes its own gapless numbers and writes its own audit rows and
notifications as if it had run then. Nothing is inserted behind a service's back; where a service
offers a bulk path (the bill run, the bank's end-of-day statement import) the history uses it, as a
town with 4,000 payers would.

The story (seeded random, so two runs tell the same one):
- One Stop Service: complaints by category and community, filed at the counter and by phone before
  the town's online OSS went live (about 7 days to fix), online and by LINE after it (about 1 day);
  some reopened by the reporter, some referred to an outside agency, a few rejected; most confirmed
  by the reporter, the rest closed by silence after the reopening period.
- Fee payment: a monthly bill run for every payer (garbage, and wastewater for some); most pay by
  QR before the due date (the bank's statement file reconciles them), some at the counter, a few
  fall into arrears that the next bill carries.
- Building permits and food premises: applications through the whole journey (documents, checks,
  inspection, approval, fee paid by QR, certificate), some returned for fixes, a few refused.
- e-Saraban: paper letters received, registered, presented and endorsed; letters drafted,
  approved and sent; and, once every demo town has its year, letters between the demo towns over
  the exchange (`exchange_letters`), registered on arrival and acknowledged.

Idempotent: each part is skipped when the town already holds its history (one transaction per
part, so a failed run leaves nothing half-written).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

BANGKOK = ZoneInfo("Asia/Bangkok")


@dataclass(frozen=True)
class Profile:
    """How busy a town is (Bang Sare: ~16,000 people, 8 communities, ~4,000 fee payers)."""

    payers: int = 4000
    complaints_per_month: int = 30
    # Months of the window before the online OSS went live (the "before" of the 7 → 1 day story).
    months_before_go_live: int = 4
    permits_per_month: int = 2
    food_per_month: int = 2
    letters_in_per_month: int = 6
    letters_out_per_month: int = 2
    counter_payments_per_month: int = 10


BANG_SARE = Profile()
SMALLER = Profile(payers=1500, complaints_per_month=12, permits_per_month=1, food_per_month=1,
                  letters_in_per_month=3, letters_out_per_month=1, counter_payments_per_month=5)


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (the clock stands still inside)."""
    with time_machine.travel(moment, tick=False):
        yield


def office_moment(rng: random.Random, day: dt.date, *, early: int = 8, late: int = 16) -> dt.datetime:
    """A moment in office hours on `day` (Bangkok)."""
    minutes = rng.randint(early * 60 + 35, late * 60 + 20)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), BANGKOK)


def working_day_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def tiny_jpeg(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG", quality=70)
    return out.getvalue()


# A one-page PDF standing in for a scanned letter or a title deed (the services sniff the type).
SCAN_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def scan(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SCAN_PDF, content_type="application/pdf")


class History:
    """One town's year. Build with the town's staff prefix; call `run()` inside the town's schema."""

    def __init__(self, *, town, prefix: str, months: int, profile: Profile, seed: int = 13, now=None):
        from onboarding.summary import months_back

        self.town = town
        self.prefix = prefix
        self.profile = profile
        self.rng = random.Random(f"{town.slug}:{seed}")  # noqa: S311  (demo data, not secrets)
        self.now = (now or timezone.now()).astimezone(BANGKOK)
        # Stop short of the real clock: nothing may happen "in the future" of the demo.
        self.end = self.now - dt.timedelta(hours=1)
        self.months = months_back(self.now.date(), months)
        self.start = dt.datetime.combine(self.months[0], dt.time.min, BANGKOK)
        self.go_live = self.months[min(profile.months_before_go_live, len(self.months) - 1)]
        self.report: dict[str, str] = {}

    # --- people -------------------------------------------------------------------------------

    def biller_id(self) -> str:
        """The town's PromptPay biller ID (on its registry row; older rows kept it in the wizard's settings)."""
        return getattr(self.town, "promptpay_biller_id", "") or (self.town.service_settings or {}).get(
            "payments", {}
        ).get("promptpay_biller_id", "")

    def staff(self, suffix: str):
        from services.accounts.models import User

        return User.objects.get(username=f"{self.prefix}-{suffix}")

    def run(self) -> dict[str, str]:
        parts = [
            ("complaints", self.complaints),
            ("payments", self.payments),
            ("building_permits", self.permits),
            ("food_premises", self.food),
            ("correspondence", self.letters),
        ]
        from services.common import outbox

        # The year's messages (tracking codes, bill links, receipts …) are written by the services as
        # always, but not queued one by one: nobody can use a month-old SMS. Those older than the
        # outbox's age limit expire here in one statement; the last two days' go out with the sweep.
        with outbox.held():
            for name, part in parts:
                began = time.monotonic()
                with transaction.atomic():
                    outcome = part()
                self.report[name] = f"{outcome} ({time.monotonic() - began:.1f} s)"
        if expired := outbox.expire_stale():
            self.report["messages"] = f"{expired} past messages expired unsent"
        return self.report

    # --- One Stop Service ---------------------------------------------------------------------

    def complaints(self) -> str:
        from services.complaints.models import Category, Community, Complaint, OssSettings

        settings_row = OssSettings.current()
        if settings_row.went_live_on is not None:  # written with the history, in its transaction
            return "already present"
        # The town's own record of when the online OSS went live: the dashboard's "before → now".
        settings_row.went_live_on = self.go_live
        settings_row.save(update_fields=["went_live_on", "updated_at"])
        categories = list(Category.objects.filter(is_active=True).order_by("order", "pk"))
        weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
        communities = list(Community.objects.filter(is_active=True).order_by("order", "pk"))
        ring = self.town.boundary["coordinates"][0]
        (west, south), (east, north) = ring[0], ring[2]
        self.oss, self.officer, self.head = self.staff("oss"), self.staff("officer"), self.staff("head")
        self.after = tiny_jpeg((90, 140, 90))
        filed = 0
        plan = []
        for month in self.months:
            count = self.profile.complaints_per_month + self.rng.randint(-5, 5)
            days = (min(self.end.date(), _month_end(month)) - month).days + 1
            for _n in range(max(0, round(count * days / 30))):
                day = month + dt.timedelta(days=self.rng.randrange(days))
                plan.append(self._filing_moment(day))
        plan = sorted(moment for moment in plan if self.start <= moment < self.end)
        for moment in plan:
            category = self.rng.choices(categories, weights)[0]
            community = self.rng.choice(communities) if communities else None
            latitude = Decimal(str(round(self.rng.uniform(south + 0.002, north - 0.002), 6)))
            longitude = Decimal(str(round(self.rng.uniform(west + 0.002, east - 0.002), 6)))
            self._complaint_life(moment, category, community, latitude, longitude)
            filed += 1
        self._close_silent()
        resolved = Complaint.objects.filter(resolved_at__isnull=False).count()
        return f"{filed} complaints filed, {resolved} resolved (online OSS live from {self.go_live:%Y-%m-%d})"

    def _filing_moment(self, day: dt.date) -> dt.datetime:
        online = day >= self.go_live
        if online and self.rng.random() < 0.35:  # online: any hour, evenings too
            minutes = self.rng.randint(6 * 60, 23 * 60)
            return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), BANGKOK)
        return office_moment(self.rng, working_day_on_or_after(day))

    def _resolution_days(self, filed: dt.datetime) -> float:
        """Calendar days from filing to the fix: ~7 before go-live, falling to ~1 after it."""
        months_live = (filed.year - self.go_live.year) * 12 + filed.month - self.go_live.month
        target = 7.0 if months_live < 0 else {0: 3.0, 1: 1.6}.get(months_live, 1.0)
        return max(0.15, self.rng.lognormvariate(0, 0.35) * target)

    def _complaint_life(self, filed_at, category, community, latitude, longitude) -> None:
        from services.complaints import actions
        from services.complaints.models import Complaint, ReferralAgency
        from services.complaints.referrals import record_agency_result, refer_to_agency

        rng = self.rng
        online = filed_at.date() >= self.go_live
        channel = (
            rng.choices([Complaint.Channel.WEB, Complaint.Channel.WALK_IN, Complaint.Channel.PHONE], [65, 20, 15])[0]
            if online
            else rng.choice([Complaint.Channel.WALK_IN, Complaint.Channel.PHONE])
        )
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        filing = actions.Filing(
            category=category,
            community=community,
            description=rng.choice(DESCRIPTIONS.get(category.code, DESCRIPTIONS["other"])),
            latitude=latitude,
            longitude=longitude,
            address_text=f"{community.name_th if community else ''} ซอย {rng.randint(1, 25)}".strip(),
            reporter_name=name,
            reporter_phone=f"08{rng.randint(10_000_000, 99_999_999)}",
            consent=True,
        )
        staff_filing = channel != Complaint.Channel.WEB
        with at(filed_at):
            complaint = actions.submit_complaint(
                filing=filing,
                channel=channel,
                by=self.oss if staff_filing else None,
                ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            )
        days = self._resolution_days(filed_at)
        resolve_at = filed_at + dt.timedelta(days=days)
        accept_at = filed_at + dt.timedelta(hours=min(days * 24 * 0.15, 30 if not online else 2))
        if accept_at >= self.end:
            return
        if rng.random() < 0.02:
            with at(accept_at):
                actions.reject_complaint(
                    complaint_id=complaint.pk, by=self.oss,
                    reason="ไม่อยู่ในอำนาจหน้าที่ของเทศบาล แนะนำให้ติดต่อหน่วยงานที่รับผิดชอบ",
                )
            return
        with at(accept_at):
            actions.accept_complaint(complaint_id=complaint.pk, by=self.oss)
        agencies = AGENCY_FOR.get(category.code)
        if agencies and rng.random() < 0.25:
            agency = ReferralAgency.objects.filter(kind=agencies, is_active=True).first()
            if agency is not None:
                refer_at = accept_at + dt.timedelta(minutes=20)
                done_at = refer_at + dt.timedelta(days=rng.uniform(2, 6))
                with at(refer_at):
                    refer_to_agency(
                        complaint_id=complaint.pk, by=self.oss, agency_id=agency.pk,
                        reason="อยู่ในความรับผิดชอบของหน่วยงานภายนอก ประสานส่งต่อแล้ว",
                        agency_reference=f"REF-{rng.randint(1000, 9999)}",
                    )
                if done_at < self.end:
                    with at(done_at):
                        record_agency_result(
                            complaint_id=complaint.pk, by=self.head,
                            result="หน่วยงานแจ้งว่าดำเนินการแก้ไขเรียบร้อยแล้ว",
                            after_photos=self._after_photos(category),
                        )
                    self._verdict(complaint.pk, done_at, category)
                return
        officer = self.officer if rng.random() < 0.8 else self.head
        assign_at = accept_at + dt.timedelta(minutes=rng.randint(5, 60))
        start_at = assign_at + dt.timedelta(hours=min(days * 24 * 0.3, 48))
        if assign_at >= self.end:
            return
        with at(assign_at):
            actions.assign_complaint(complaint_id=complaint.pk, by=self.oss, officer=officer)
        if start_at >= self.end:
            return
        with at(start_at):
            actions.start_work(complaint_id=complaint.pk, by=officer)
        resolve_at = max(resolve_at, start_at + dt.timedelta(minutes=30))
        if resolve_at >= self.end:
            return
        with at(resolve_at):
            actions.resolve_complaint(
                complaint_id=complaint.pk, by=officer, reply="ดำเนินการแก้ไขเรียบร้อยแล้ว ขอบคุณที่แจ้ง",
                after_photos=self._after_photos(category),
            )
        reopen_rate = 0.08 if not online else 0.04
        if rng.random() < reopen_rate:
            reopen_at = resolve_at + dt.timedelta(days=rng.uniform(0.5, 3))
            if reopen_at >= self.end:
                return
            with at(reopen_at):
                actions.reopen_complaint(complaint_id=complaint.pk, reason="ยังไม่เรียบร้อย ปัญหากลับมาอีก")
            again = reopen_at + dt.timedelta(days=self._resolution_days(filed_at) * 0.6)
            if again >= self.end:
                return
            with at(again):
                actions.start_work(complaint_id=complaint.pk, by=officer)
                actions.resolve_complaint(
                    complaint_id=complaint.pk, by=officer, reply="แก้ไขเพิ่มเติมเรียบร้อยแล้ว",
                    after_photos=self._after_photos(category),
                )
            resolve_at = again
        self._verdict(complaint.pk, resolve_at, category)

    def _after_photos(self, category) -> list[SimpleUploadedFile]:
        if not category.requires_after_photo:
            return []
        return [SimpleUploadedFile("after.jpg", self.after, content_type="image/jpeg")]

    def _verdict(self, complaint_id: int, resolved_at: dt.datetime, category) -> None:
        """Most reporters confirm and rate; the others say nothing (closed by silence later)."""
        from services.complaints import actions

        if self.rng.random() < 0.35:
            return
        moment = resolved_at + dt.timedelta(hours=self.rng.uniform(1, 40))
        if moment >= self.end:
            return
        with at(moment):
            actions.confirm_resolution(
                complaint_id=complaint_id, rating=self.rng.choices([5, 4, 3, 2], [55, 30, 10, 5])[0]
            )

    def _close_silent(self) -> None:
        from services.complaints import actions

        for month in self.months[1:]:
            with at(dt.datetime.combine(month, dt.time(1, 0), BANGKOK)):
                actions.close_confirmed_by_silence()
        with at(self.end):
            actions.close_confirmed_by_silence()

    # --- fee payment ----------------------------------------------------------------------------

    def payments(self) -> str:
        from services.payments.models import BillRun

        first = self.months[0]
        if BillRun.objects.filter(period=first).exists():
            return "already present"
        finance = self.staff("finance")
        self._earlier_rates(self.staff("admin"))
        self._register_payers(finance)
        habits = {}  # payer code → chance of paying a given month's bill on time
        paid = counter = bills = 0
        for month in self.months:
            run_at = office_moment(self.rng, working_day_on_or_after(month), early=9, late=10)
            if run_at >= self.end:
                break
            from services.payments.billing import run_bill_run

            with at(run_at):
                run = run_bill_run(period=month, by=finance)
            bills += run.invoice_count
            lines, at_counter = self._month_of_payments(run, habits, run_at)
            paid += len(lines)
            if lines:
                # A bank sends a file a day; the demo imports the month's payments as one file (the
                # same reconciliation, each payment with its own date and time) to stay quick.
                file_day = max(line.paid_at for line in lines).astimezone(BANGKOK).date() + dt.timedelta(days=1)
                moment = min(office_moment(self.rng, file_day, early=8, late=9), self.end)
                self._import_statement(lines, file_day, moment, finance)
            for invoice_id, moment in at_counter:
                from services.payments.actions import record_counter_payment
                from services.payments.models import Invoice

                with at(moment):
                    invoice = Invoice.objects.get(pk=invoice_id)
                    if invoice.status == "open":
                        record_counter_payment(invoice_id=invoice_id, amount=invoice.outstanding, by=finance)
                        counter += 1
        return f"{self.profile.payers} payers, {bills} bills, {paid} paid by QR, {counter} at the counter"

    def _earlier_rates(self, admin) -> None:
        """The ordinance's rates before the town's catalogue starts (it starts with the current fiscal
        year), entered by the town admin as earlier dated versions so the whole year can be billed."""
        from services.common.buddhist_era import fiscal_year, fiscal_year_bounds
        from services.payments.actions import save_fee_catalogue_entry
        from services.payments.models import FeeTier

        since, _end = fiscal_year_bounds(fiscal_year(self.months[0]))
        earliest: dict = {}
        for tier in FeeTier.objects.order_by("valid_from"):
            earliest.setdefault((tier.fee_type_id, tier.code), tier)
        for tier in earliest.values():
            if tier.valid_from <= since:
                continue
            with at(self.start - dt.timedelta(days=5)):
                save_fee_catalogue_entry(
                    instance=FeeTier(
                        fee_type_id=tier.fee_type_id, code=tier.code, name_th=tier.name_th,
                        payer_kind=tier.payer_kind, frequency=tier.frequency, basis=tier.basis,
                        amount=tier.amount, valid_from=since, valid_to=tier.valid_from - dt.timedelta(days=1),
                        rate_version=f"ข้อบัญญัติ (ปีงบประมาณ {fiscal_year(since)})",
                    ),
                    by=admin,
                )

    def _register_payers(self, finance) -> None:
        """The town's payer ledger, imported by the finance officer as a CSV (the registry's own
        import); the demo's first payers (seed_payments_demo) are kept as they are."""
        import csv

        from services.complaints.models import Community
        from services.payments.models import Payer
        from services.payments.payer_import import import_payers

        communities = list(Community.objects.order_by("order", "pk").values_list("name_th", flat=True)) or [""]
        known = set(Payer.objects.values_list("code", flat=True))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["code", "name", "kind", "house_no", "community", "phone",
                         "garbage_tier", "wastewater_tier", "wastewater_m3"])
        rng = random.Random(f"{self.town.slug}:payers")  # noqa: S311  (demo data, not secrets)
        for n in range(1, self.profile.payers + 1):
            shop = n % 7 == 0
            code = f"{'S' if shop else 'H'}{n:04d}"
            if code in known:
                continue
            name = (
                f"ร้าน{rng.choice(FIRST_NAMES)}พานิช" if shop
                else f"{'นาย' if n % 2 else 'นาง'}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            )
            wastewater = n % 3 == 0
            writer.writerow([
                code, name, "shop" if shop else "household", f"{n % 400 + 1}/{n % 9 + 1}",
                communities[n % len(communities)],
                f"08{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else "",
                "shop" if shop else "household",
                ("business" if shop else "household") if wastewater else "",
                str(rng.choice([8, 10, 12, 15, 20])) if wastewater else "",
            ])
        with at(self.start - dt.timedelta(days=3)):
            report = import_payers(data=out.getvalue().encode("utf-8"), by=finance)
        if report.errors:
            raise RuntimeError(f"payer import refused rows: {report.errors[:3]}")

    def _month_of_payments(self, run, habits: dict, run_at: dt.datetime):
        """Who pays this month's bills, when and how: most by QR within the due date, a few at the
        counter, some not at all (their bill is carried into the next one)."""
        from services.payments.models import Invoice
        from services.payments.statements import StatementLine

        lines, at_counter = [], []
        biller = self.biller_id()
        counter_left = self.profile.counter_payments_per_month
        for pk, ref1, payer_code, payer_name, total, due in (
            Invoice.objects.filter(bill_run=run, status="open")
            .order_by("number")
            .values_list("pk", "ref1", "ref2", "payer_name", "total", "due_date")
        ):
            habit = habits.setdefault(payer_code, self.rng.choices([0.97, 0.85, 0.5, 0.0], [70, 20, 8, 2])[0])
            if self.rng.random() >= habit:
                continue  # not this month: in arrears until the next bill carries it
            days = min(self.rng.expovariate(1 / 7), (due - run_at.date()).days - 1, 27)
            moment = run_at + dt.timedelta(days=days, hours=self.rng.uniform(0, 9))
            if moment >= self.end - dt.timedelta(days=1):
                continue
            if counter_left and self.rng.random() < 0.01:
                counter_left -= 1
                at_counter.append((pk, office_moment(self.rng, working_day_on_or_after(moment.date()))))
                continue
            lines.append(
                StatementLine(
                    line_no=0, paid_at=moment, amount=total, ref1=ref1, ref2=payer_code, biller_id=biller,
                    payer_name=payer_name[:50], bank_code=self.rng.choice(["014", "004", "002", "006"]),
                    transaction_id=f"T{pk}",
                )
            )
        at_counter = [(pk, moment) for pk, moment in at_counter if moment < self.end]
        return lines, at_counter

    def _import_statement(self, lines, file_day: dt.date, moment: dt.datetime, finance) -> None:
        from services.payments.actions import import_statement
        from services.payments.statements import StatementLine, format_bot_file

        numbered = [
            StatementLine(
                line_no=n, paid_at=line.paid_at, amount=line.amount, ref1=line.ref1, ref2=line.ref2,
                biller_id=line.biller_id, payer_name=line.payer_name, bank_code=line.bank_code,
                transaction_id=line.transaction_id,
            )
            for n, line in enumerate(sorted(lines, key=lambda item: item.paid_at), start=2)
        ]
        data = format_bot_file(numbered, day=file_day, company_name=self.town.name_en[:40])
        with at(moment):
            import_statement(
                data=data, file_name=f"BOT-{self.town.short_code}-{file_day:%Y%m%d}.txt", statement_format="bot",
                by=finance,
            )

    # --- building permits and food premises ------------------------------------------------------

    def applicants(self) -> list:
        """A few residents with portal accounts, who apply for permits and certificates."""
        from services.accounts.actions import sign_up_citizen
        from services.accounts.models import User

        from . import demo

        people = []
        for n, (first, last) in enumerate(APPLICANTS, start=1):
            username = f"{self.prefix}-resident{n}"
            user = User.objects.filter(username=username).first()
            if user is None:
                with at(self.start - dt.timedelta(days=10)):
                    user = sign_up_citizen(
                        username=username, email=f"{username}@example.org", phone=f"0861{n:06d}",
                        first_name=first, last_name=last, password=demo.DEMO_PASSWORD,
                    )
            people.append(user)
        return people

    def _case_moments(self, per_month: int) -> list[dt.datetime]:
        moments = []
        for month in self.months:
            for _n in range(per_month + self.rng.choice([-1, 0, 0, 1])):
                day = month + dt.timedelta(days=self.rng.randrange(28))
                moments.append(office_moment(self.rng, working_day_on_or_after(day), early=9, late=15))
        return sorted(m for m in moments if self.start <= m < self.end)

    def _pay_fee_by_qr(self, case, moment: dt.datetime) -> bool:
        """The applicant scans the fee's Thai QR; the bank's callback pays the invoice, which marks
        the fee paid (payments → casework signal); the worker then issues the certificate."""
        from services.casework import actions as casework
        from services.payments.actions import receive_bank_confirmation
        from services.payments.banks.callbacks import Confirmation
        from services.payments.models import Invoice

        fee = case.fees.filter(purpose="issue").first()
        if fee is None or not fee.invoice_reference:
            return False
        invoice = Invoice.objects.get(number=fee.invoice_reference)
        biller = self.biller_id()
        with at(moment):
            receive_bank_confirmation(
                confirmation=Confirmation(
                    transaction_id=f"{self.town.short_code}{invoice.number}", amount=invoice.total,
                    paid_at=moment, ref1=invoice.ref1, ref2=invoice.ref2, biller_id=biller,
                    payer_name=case.applicant_name[:50], bank_code="014",
                ),
                bank="scb",
            )
        with at(moment + dt.timedelta(minutes=2)):
            return casework.issue_paid_certificate(case_id=case.pk) is not None

    def permits(self) -> str:
        from services.building_permits import actions as permit_actions
        from services.casework import actions as casework
        from services.casework.models import Case

        if Case.objects.filter(kind="building_permit", applicant__username__startswith=f"{self.prefix}-resident").exists():
            return "already present"
        engineer, boss = self.staff("engineer"), self.staff("exec")
        people = self.applicants()
        ring = self.town.boundary["coordinates"][0]
        (west, south), (east, north) = ring[0], ring[2]
        issued = refused = filed = 0
        for moment in self._case_moments(self.profile.permits_per_month):
            rng = self.rng
            applicant = rng.choice(people)
            data = {
                "applicant_name": applicant.get_full_name(), "applicant_national_id": rng.choice(THAI_IDS),
                "applicant_phone": applicant.phone, "applicant_email": applicant.email,
                "applicant_is_owner": True, "owner_name": "", "owner_national_id": "",
                "deed_type": "chanote", "deed_number": str(rng.randint(10000, 99999)),
                "parcel_number": str(rng.randint(1, 400)), "survey_page": str(rng.randint(100, 999)),
                "address": f"{rng.randint(1, 300)} หมู่ {rng.randint(1, 8)} {self.town.name_th}",
                "latitude": f"{rng.uniform(south + 0.003, north - 0.003):.6f}",
                "longitude": f"{rng.uniform(west + 0.003, east - 0.003):.6f}",
                "building_use": "house", "floors": rng.choice([1, 1, 2]),
                "height_m": rng.choice(["4.50", "5.50", "7.80"]),
                "floor_area_m2": f"{rng.uniform(60, 150):.2f}", "plan_source": "own", "standard_plan": "",
                "engineer_name": "วิศวกร ออกแบบดี", "engineer_licence": f"สย.{rng.randint(10000, 99999)}",
                "architect_name": "", "architect_licence": "",
            }
            with at(moment):
                case = permit_actions.save_application_draft(by=applicant, data=data)
                self._attach_all(case, applicant)
                casework.submit_case(case_id=case.pk, by=applicant)
            filed += 1
            step = moment + dt.timedelta(days=rng.uniform(1, 4))
            if rng.random() < 0.2:  # incomplete: the engineer lists what is missing, the applicant fixes it
                if not self._before_end(step):
                    continue
                with at(step):
                    casework.return_for_fixes(
                        case_id=case.pk, by=engineer, items=[{"text": "แบบแปลนพื้นชั้นล่างไม่มีมาตราส่วน"}],
                    )
                step += dt.timedelta(days=rng.uniform(2, 8))
                if not self._before_end(step):
                    continue
                with at(step):
                    casework.submit_case(case_id=case.pk, by=applicant, reply="แก้ไขแบบแปลนแล้ว")
                step += dt.timedelta(days=rng.uniform(1, 3))
            for action in ("accept", "inspect", "review", "decide"):
                step += dt.timedelta(days=rng.uniform(2, 9) if action != "accept" else rng.uniform(0.5, 2))
                step = office_moment(rng, working_day_on_or_after(step.date()))
                if not self._before_end(step):
                    break
                with at(step):
                    if action == "accept":
                        casework.accept_case(case_id=case.pk, by=engineer)
                    elif action == "inspect":
                        casework.record_inspection(case_id=case.pk, by=engineer, result="pass", notes="ตรงตามแบบ")
                    elif action == "review":
                        casework.record_technical_review(case_id=case.pk, by=engineer, note="โครงสร้างถูกต้อง")
                    elif rng.random() < 0.08:
                        casework.refuse_case(case_id=case.pk, by=boss, reason="ระยะร่นจากถนนไม่เป็นไปตามกฎหมาย")
                        refused += 1
                    else:
                        casework.approve_case(case_id=case.pk, by=boss)
                        paid_at = step + dt.timedelta(days=rng.uniform(0.2, 5))
                        if self._before_end(paid_at):
                            issued += self._pay_fee_by_qr(Case.objects.get(pk=case.pk), paid_at)
        return f"{filed} permit applications, {issued} permits issued, {refused} refused"

    def food(self) -> str:
        from services.casework import actions as casework
        from services.casework.models import Case
        from services.food_premises import actions as food_actions

        if Case.objects.filter(kind="food_notification", applicant__username__startswith=f"{self.prefix}-resident").exists():
            return "already present"
        officer, boss = self.staff("health"), self.staff("exec")
        people = self.applicants()
        ring = self.town.boundary["coordinates"][0]
        (west, south), (east, north) = ring[0], ring[2]
        issued = filed = 0
        for moment in self._case_moments(self.profile.food_per_month):
            rng = self.rng
            applicant = rng.choice(people)
            name = applicant.get_full_name()
            data = {
                "applicant_name": name, "applicant_national_id": rng.choice(THAI_IDS),
                "applicant_phone": applicant.phone, "applicant_email": applicant.email,
                "operator_type": "person", "operator_name": name, "operator_id": rng.choice(THAI_IDS),
                "premises_name": rng.choice(PREMISES), "address": f"{rng.randint(1, 300)} หมู่ {rng.randint(1, 8)}",
                "latitude": f"{rng.uniform(south + 0.003, north - 0.003):.6f}",
                "longitude": f"{rng.uniform(west + 0.003, east - 0.003):.6f}",
                "business_kind": "selling", "area_m2": str(rng.randint(20, 180)),
                "food_types": "อาหารตามสั่ง เครื่องดื่ม", "seats": rng.randint(8, 40), "staff_count": rng.randint(1, 6),
                "hygiene_self_check": {"prep_height": True, "pests": True},
            }
            with at(moment):
                case = food_actions.save_notification_draft(by=applicant, data=data)
                self._attach_all(case, applicant)
                casework.submit_case(case_id=case.pk, by=applicant)
            filed += 1
            step = moment
            for action in ("accept", "inspect", "decide"):
                step += dt.timedelta(days=rng.uniform(0.5, 3))
                step = office_moment(rng, working_day_on_or_after(step.date()))
                if not self._before_end(step):
                    break
                with at(step):
                    if action == "accept":
                        casework.accept_case(case_id=case.pk, by=officer)
                    elif action == "inspect":
                        casework.record_inspection(
                            case_id=case.pk, by=officer, result="pass", notes="สุขลักษณะผ่านเกณฑ์"
                        )
                    else:
                        casework.approve_case(case_id=case.pk, by=boss)
                        paid_at = step + dt.timedelta(days=rng.uniform(0.2, 3))
                        if self._before_end(paid_at):
                            issued += self._pay_fee_by_qr(Case.objects.get(pk=case.pk), paid_at)
        return f"{filed} food notifications, {issued} certificates issued"

    def _attach_all(self, case, applicant) -> None:
        from services.casework import actions as casework

        for requirement in casework.missing_requirements(case):
            casework.attach_document(
                case_id=case.pk, requirement_id=requirement.pk, upload=scan(f"{requirement.code}.pdf"), by=applicant
            )

    def _before_end(self, moment: dt.datetime) -> bool:
        return moment < self.end

    # --- e-Saraban ------------------------------------------------------------------------------

    def letters(self) -> str:
        from services.correspondence import actions as saraban
        from services.correspondence.models import Letter

        if Letter.objects.filter(created_by__username=f"{self.prefix}-clerk", sender_name__in=INCOMING_SENDERS).exists():
            return "already present"
        clerk, boss, officer = self.staff("clerk"), self.staff("exec"), self.staff("officer")
        config = saraban.saraban_settings()
        if not config.letter_prefix:
            # The prefix the wizard recorded (the settings page's field; provisioning does not pass it on yet).
            config.letter_prefix = (self.town.service_settings.get("correspondence") or {}).get("letter_prefix", "")
            config.save(update_fields=["letter_prefix"])
        received = sent = 0
        for moment in self._case_moments(self.profile.letters_in_per_month):
            rng = self.rng
            sender, subject = rng.choice(INCOMING_LETTERS)
            with at(moment):
                letter = saraban.register_paper_letter(
                    by=clerk, subject=subject, sender_name=sender,
                    letter_number=f"ที่ ชบ {rng.randint(10000, 99999)}/{rng.randint(100, 9999)}",
                    letter_date=moment.date() - dt.timedelta(days=rng.randint(1, 5)),
                    scans=[scan("scan.pdf")],
                )
            received += 1
            step = moment + dt.timedelta(hours=rng.uniform(1, 6))
            if not self._before_end(step):
                continue
            with at(step):
                saraban.present_letter(letter_id=letter.pk, by=clerk, to=boss)
            step += dt.timedelta(hours=rng.uniform(2, 30))
            if not self._before_end(step):
                continue
            with at(step):
                saraban.endorse_letter(
                    letter_id=letter.pk, by=boss, order_text="ทราบ มอบผู้เกี่ยวข้องดำเนินการ", to_users=[officer]
                )
            step += dt.timedelta(days=rng.uniform(1, 10))
            if self._before_end(step) and rng.random() < 0.7:
                with at(step):
                    saraban.close_letter(letter_id=letter.pk, by=clerk, note="ดำเนินการแล้ว")
        for moment in self._case_moments(self.profile.letters_out_per_month):
            rng = self.rng
            recipient, subject = rng.choice(OUTGOING_LETTERS)
            with at(moment):
                letter = saraban.draft_letter(
                    by=officer, subject=subject, recipient_name=recipient, salutation=f"เรียน {recipient}",
                    body=f"ด้วย{self.town.name_th}ขอแจ้งเรื่อง{subject} รายละเอียดตามสิ่งที่ส่งมาด้วย",
                )
                saraban.submit_for_approval(letter_id=letter.pk, by=officer, approver_ids=[boss.pk])
            step = moment + dt.timedelta(hours=rng.uniform(2, 26))
            if not self._before_end(step):
                continue
            with at(step):
                saraban.decide_approval(letter_id=letter.pk, by=boss, approve=True)
            step += dt.timedelta(hours=rng.uniform(1, 5))
            if not self._before_end(step):
                continue
            with at(step):
                saraban.send_letter(letter_id=letter.pk, by=clerk, paper_recipients=[recipient])
            sent += 1
        return f"{received} letters received and registered, {sent} sent"


# What the demo towns write to each other (subject, what the letter asks).
EXCHANGED_LETTERS = [
    ("ขอความร่วมมือประชาสัมพันธ์การชำระค่าธรรมเนียมเก็บขยะผ่าน QR", "ขอความร่วมมือประชาสัมพันธ์ให้ประชาชนทราบ"),
    ("ขอเชิญร่วมประชุมเครือข่ายศูนย์บริการร่วม", "ขอเชิญผู้แทนเข้าร่วมประชุมตามวันเวลาที่กำหนด"),
]


def exchange_letters(towns: list[tuple], *, now: dt.datetime | None = None) -> int:
    """Letters between the demo towns over the e-Saraban exchange, in the last working days:
    drafted, approved, signed and sent by one town, delivered into the other's inbox, registered
    there, and the acknowledgement with its receiving number carried back. `towns` holds
    (Municipality, staff prefix) pairs. Each letter is one transaction and is delivered in this
    process at its moment (the broker's task then finds it delivered), so the delivery time the
    national figures show is the one the story tells. Returns how many letters were sent; a town
    that has already written to the other sends nothing again."""
    import itertools

    from django_tenants.utils import tenant_context

    from services.accounts.models import User
    from services.correspondence import actions as saraban
    from services.correspondence.models import Direction, Letter, LetterRecipient, LetterStatus
    from services.exchange import actions as exchange
    from services.exchange.models import ExchangeMessage, MessageStatus

    now = (now or timezone.now()).astimezone(BANGKOK)
    sent = 0
    for (sender, sender_prefix), (receiver, receiver_prefix) in itertools.permutations(towns, 2):
        with tenant_context(sender):
            if LetterRecipient.objects.filter(agency_code=receiver.lao_code).exists():
                continue
        day = now.date()
        for subject, ask in EXCHANGED_LETTERS:
            day = _working_day_before(day)
            moment = dt.datetime.combine(day, dt.time(9, 40), BANGKOK)
            with transaction.atomic():
                with tenant_context(sender):
                    staff = {s: User.objects.get(username=f"{sender_prefix}-{s}") for s in ("officer", "exec", "clerk")}
                    with at(moment):
                        letter = saraban.draft_letter(
                            by=staff["officer"], subject=subject, recipient_name=f"นายก{receiver.name_th}",
                            salutation=f"เรียน นายก{receiver.name_th}",
                            body=f"ด้วย{sender.name_th}{ask} จึงเรียนมาเพื่อโปรดพิจารณา",
                        )
                        saraban.submit_for_approval(letter_id=letter.pk, by=staff["officer"],
                                                    approver_ids=[staff["exec"].pk])
                    with at(moment + dt.timedelta(hours=2)):
                        saraban.decide_approval(letter_id=letter.pk, by=staff["exec"], approve=True)
                    with at(moment + dt.timedelta(hours=3)):
                        saraban.send_letter(letter_id=letter.pk, by=staff["clerk"], recipient_codes=[receiver.lao_code])
                    public_id = LetterRecipient.objects.get(letter=letter).exchange_message_id
                message = ExchangeMessage.objects.get(public_id=public_id)
                with at(moment + dt.timedelta(hours=3, minutes=1)):
                    exchange.deliver(message.pk)
                with tenant_context(receiver):
                    arrived = Letter.objects.get(exchange_message_id=public_id, direction=Direction.INCOMING)
                    if arrived.status == LetterStatus.RECEIVED:  # the town registers exchange letters by hand
                        clerk = User.objects.get(username=f"{receiver_prefix}-clerk")
                        with at(moment + dt.timedelta(hours=4, minutes=30)):
                            saraban.register_received(letter_id=arrived.pk, by=clerk)
                with at(moment + dt.timedelta(hours=4, minutes=31)):
                    for ack in ExchangeMessage.objects.filter(answers=message, status=MessageStatus.QUEUED):
                        exchange.deliver(ack.pk)
            sent += 1
    return sent


def _working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _month_end(month: dt.date) -> dt.date:
    from onboarding.summary import next_month

    return next_month(month) - dt.timedelta(days=1)


# Relative weights of categories in a seaside subdistrict town (codes of both default sets).
CATEGORY_WEIGHTS = {
    "road": 14, "streetlight": 16, "lighting": 16, "garbage": 14, "waste": 14, "drainage": 10,
    "water": 8, "tree": 7, "trees": 7, "animal": 5, "animals": 5, "nuisance": 6, "mosquito": 4,
    "staff": 1, "other": 4,
}
AGENCY_FOR = {"water": "waterworks", "streetlight": "electricity", "lighting": "electricity"}
FIRST_NAMES = ["สมชาย", "สมหญิง", "ประเสริฐ", "วันดี", "สุนทร", "มาลี", "ชัยวัฒน์", "บุญมี", "จันทร์เพ็ญ", "สมศักดิ์"]
LAST_NAMES = ["ใจดี", "รักถิ่น", "ทะเลงาม", "มั่นคง", "สุขสบาย", "ศรีสมุทร", "แสงทอง", "บุญเรือง"]
APPLICANTS = [("สมพร", "บุญมา"), ("วิไล", "ทองดี"), ("ธนากร", "ศรีทะเล"), ("ปราณี", "แก้วใส"),
              ("อำนาจ", "ชัยมงคล"), ("รัตนา", "สมบูรณ์")]
# Checksum-valid, made-up national IDs (domain.md: the check digit rule).
THAI_IDS = ["1101700203450", "1101700230708", "3100600123450", "1209900012344"]
PREMISES = ["ร้านข้าวแกงริมทาง", "ร้านก๋วยเตี๋ยวเรือ", "ร้านกาแฟหน้าหาด", "ร้านส้มตำป้าแดง", "ร้านข้าวมันไก่"]
INCOMING_LETTERS = [
    ("อำเภอสัตหีบ", "ขอเชิญประชุมประจำเดือนกำนันผู้ใหญ่บ้าน"),
    ("จังหวัดชลบุรี", "การเตรียมการป้องกันและแก้ไขปัญหาอุทกภัย"),
    ("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชลบุรี", "การจัดทำแผนพัฒนาท้องถิ่น"),
    ("การไฟฟ้าส่วนภูมิภาคสาขาสัตหีบ", "แจ้งดับไฟเพื่อบำรุงรักษาระบบ"),
    ("โรงเรียนวัดบางเสร่", "ขอความอนุเคราะห์รถน้ำ"),
]
INCOMING_SENDERS = [sender for sender, _subject in INCOMING_LETTERS]
OUTGOING_LETTERS = [
    ("นายอำเภอสัตหีบ", "รายงานผลการดำเนินงานศูนย์บริการร่วม"),
    ("ผู้ว่าราชการจังหวัดชลบุรี", "ขอรับการสนับสนุนงบประมาณซ่อมถนน"),
    ("ผู้จัดการการประปาส่วนภูมิภาคสาขาสัตหีบ", "ขอให้ซ่อมท่อประปาแตก"),
]
DESCRIPTIONS = {
    "road": ["ถนนเป็นหลุมบ่อ รถจักรยานยนต์ล้มบ่อย", "ทางเท้าทรุด กระเบื้องแตก เดินลำบาก", "ผิวถนนแตกร้าวหลังฝนตกหนัก"],
    "streetlight": ["ไฟทางดับหลายต้น กลางคืนมืดมาก", "เสาไฟฟ้าส่องสว่างหน้าซอยดับมาหลายวัน", "ไฟกะพริบติด ๆ ดับ ๆ"],
    "lighting": ["ไฟทางดับหลายต้น กลางคืนมืดมาก", "เสาไฟฟ้าส่องสว่างหน้าซอยดับมาหลายวัน"],
    "garbage": ["ขยะไม่ได้เก็บหลายวัน ส่งกลิ่นเหม็น", "ถังขยะหน้าบ้านชำรุด ขอถังใหม่", "มีการลักลอบทิ้งขยะริมถนน"],
    "waste": ["ขยะไม่ได้เก็บหลายวัน ส่งกลิ่นเหม็น", "มีการลักลอบทิ้งขยะริมถนน"],
    "drainage": ["ท่อระบายน้ำอุดตัน น้ำท่วมขังหลังฝนตก", "ฝาท่อระบายน้ำแตก อันตราย"],
    "water": ["น้ำประปาไม่ไหลตั้งแต่เช้า", "ท่อประปาแตกริมถนน น้ำรั่วไหล"],
    "tree": ["กิ่งไม้ใหญ่หักพาดสายไฟ", "ต้นไม้บังป้ายจราจร ขอตัดแต่ง"],
    "trees": ["กิ่งไม้ใหญ่หักพาดสายไฟ", "ต้นไม้บังป้ายจราจร ขอตัดแต่ง"],
    "animal": ["สุนัขจรจัดไล่กัดเด็กนักเรียน", "พบงูเข้าบ้าน ขอความช่วยเหลือ"],
    "animals": ["สุนัขจรจัดไล่กัดเด็กนักเรียน", "พบงูเข้าบ้าน ขอความช่วยเหลือ"],
    "nuisance": ["ร้านค้าเปิดเพลงเสียงดังเกินเวลา", "มีการเผาขยะ ควันเข้าบ้าน"],
    "mosquito": ["ยุงชุม มีผู้ป่วยไข้เลือดออกในซอย ขอพ่นหมอกควัน"],
    "staff": ["เจ้าหน้าที่ให้บริการล่าช้า ขอให้ปรับปรุง"],
    "other": ["ขอให้ติดตั้งป้ายชื่อซอย", "ขอรับบริการรถน้ำสำหรับงานบุญ", "สอบถามการชำระภาษีป้าย"],
}

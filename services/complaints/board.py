"""Public board (กระดานสาธารณะ) and "me too" (ฉันก็เจอปัญหานี้): reads and writes.

What the board shows of a complaint: category, community, status, age, supporter count and, once
resolved, the officer's "after" photos. Never the reporter (name, phone, email, LINE), the address
text or the description: the description is typed by the citizen and often carries a name, a house
number or a phone number, and nobody reviews it before publication.

Which complaints: only when the town has switched the board on (`OssSettings.public_board_enabled`),
only categories opted in (`Category.on_public_board`), and only open, resolved or closed cases.
Rejected and merged cases are not shown (they are not problems of their own); referred cases are not
shown either: another body now owns them, and the receiving town's board shows its copy if it has
opted in. Categories marked private (`Category.is_private`) never show the reporter's spot: their pin
is snapped to the community's point (`Community.latitude/longitude`, set in the OSS settings); a
case whose community has no point is listed with its community only, without a pin. Private cases
never show photos (an "after" photo would show the very place the category hides).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.accounts.models import User
from services.common import outbox
from services.common.links import town_url
from services.common.thai_phone import normalize_thai_phone
from tenants.current import current_town

from . import rate_limit
from .models import Category, Community, Complaint, ComplaintEvent, ComplaintPhoto, OssSettings, Supporter
from .workflow import OPEN_STATUSES, ComplaintStatus

S = ComplaintStatus
RESOLVED_STATUSES = (S.RESOLVED, S.CLOSED)
BOARD_STATUSES = (*OPEN_STATUSES, *RESOLVED_STATUSES)
GEOJSON_MAX_FEATURES = 500
GEOJSON_CACHE_SECONDS = 60
STOP_SALT = "oss-board-stop"


class NotOnBoard(Exception):
    """No such complaint on this town's board (unknown, not opted in, board off): a 404."""


class CaseClosed(Exception):
    """The case is no longer open; nobody can add themselves to it."""

    message = gettext_lazy("เรื่องนี้ปิดแล้ว ไม่สามารถแจ้งว่าพบปัญหาเดียวกันได้ (This case is closed; it cannot be supported)")


class SupportRateLimited(Exception):
    """Too many "me too" from one IP address (hourly) or phone number (daily)."""

    message = gettext_lazy("แจ้งบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่ (Too many requests; please try again later)")


# --- reads ---------------------------------------------------------------------------------------


def board_enabled() -> bool:
    return OssSettings.current().public_board_enabled


def board_categories() -> QuerySet[Category]:
    return Category.objects.filter(on_public_board=True, is_active=True).order_by("order", "name_th")


def board_communities() -> QuerySet[Community]:
    return Community.objects.filter(is_active=True)


def _board_cases() -> QuerySet[Complaint]:
    """Every complaint the board may show, or none when the board is off."""
    if not board_enabled():
        return Complaint.objects.none()
    return Complaint.objects.filter(category__on_public_board=True, status__in=BOARD_STATUSES)


@dataclass
class BoardFilter:
    status: str = ""  # "open" | "resolved" | ""
    category: str = ""  # Category.code
    community: str = ""  # Community.pk

    @classmethod
    def from_params(cls, params) -> BoardFilter:
        status = str(params.get("status", "")).strip()
        community = str(params.get("community", "")).strip()
        return cls(
            status=status if status in ("open", "resolved") else "",
            category=str(params.get("category", "")).strip()[:40],
            community=community if community.isdigit() and len(community) < 10 else "",
        )

    def cache_part(self) -> str:
        return f"{self.status}|{self.category}|{self.community}"


def board_list(filters: BoardFilter) -> QuerySet[Complaint]:
    """The list of the board, newest first, with what a card shows and nothing else loaded."""
    qs = _board_cases()
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "resolved":
        qs = qs.filter(status__in=RESOLVED_STATUSES)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.community:
        qs = qs.filter(community_id=int(filters.community))
    after = ComplaintPhoto.objects.filter(kind=ComplaintPhoto.Kind.AFTER).select_related("file")
    return (
        qs.select_related("category", "community")
        .prefetch_related(Prefetch("photos", queryset=after, to_attr="after_photos"))
        .only(
            "pk",
            "status",
            "received_at",
            "resolved_at",
            "supporter_count",
            "latitude",
            "longitude",
            "category__code",
            "category__name_th",
            "category__name_en",
            "category__icon",
            "category__is_private",
            "community__name_th",
            "community__name_en",
            "community__latitude",
            "community__longitude",
        )
        .order_by("-received_at", "-pk")
    )


def board_case(complaint_id: int) -> Complaint:
    """One complaint as the board shows it; NotOnBoard when it is not on this town's board."""
    case = board_list(BoardFilter()).filter(pk=complaint_id).first()
    if case is None:
        raise NotOnBoard
    return case


def public_photos(case: Complaint) -> list[ComplaintPhoto]:
    """The "after" photos the board may show: resolved cases of non-private categories only."""
    if case.status not in RESOLVED_STATUSES or case.category.is_private:
        return []
    return list(getattr(case, "after_photos", None) or case.photos.filter(kind=ComplaintPhoto.Kind.AFTER))


def board_photo(public_id) -> ComplaintPhoto | None:
    """An "after" photo of a complaint the board shows, resolved, not private; never a report photo."""
    return (
        ComplaintPhoto.objects.select_related("file")
        .filter(
            kind=ComplaintPhoto.Kind.AFTER,
            file__public_id=public_id,
            complaint__in=_board_cases().filter(status__in=RESOLVED_STATUSES, category__is_private=False),
        )
        .first()
    )


def age_days(case: Complaint, now: dt.datetime | None = None) -> int:
    return max(((now or timezone.now()) - case.received_at).days, 0)


def pin_of(case: Complaint) -> tuple[float, float] | None:
    """Where the board may put the pin: the exact spot; for private categories the community's
    point (snapped), or nothing when the community has none."""
    if not case.category.is_private:
        return float(case.latitude), float(case.longitude)
    community = case.community
    if community is None or community.latitude is None or community.longitude is None:
        return None
    return float(community.latitude), float(community.longitude)


def geojson(filters: BoardFilter, *, language: str = "th") -> dict:
    """The map feed: at most GEOJSON_MAX_FEATURES newest pins, cached briefly per town and filter."""
    key = f"oss-board-geo:{connection.schema_name}:{language}:{filters.cache_part()}"
    data = cache.get(key)
    if data is not None:
        return data
    features = []
    cases = board_list(filters).filter(
        Q(category__is_private=False) | Q(community__latitude__isnull=False, community__longitude__isnull=False)
    )
    now = timezone.now()
    rows = list(cases[: GEOJSON_MAX_FEATURES + 1])
    for case in rows[:GEOJSON_MAX_FEATURES]:
        pin = pin_of(case)
        if pin is None:
            continue
        lat, lon = pin
        category = case.category.name_en if (language == "en" and case.category.name_en) else case.category.name_th
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "id": case.pk,
                    "category": category,
                    "icon": case.category.icon,
                    "status": case.status,
                    "status_label": str(S(case.status).label),
                    "resolved": case.status in RESOLVED_STATUSES,
                    "community": case.community.name_th if case.community else "",
                    "age_days": age_days(case, now),
                    "supporters": case.supporter_count,
                    "snapped": bool(case.category.is_private),
                },
            }
        )
    data = {
        "type": "FeatureCollection",
        "features": features,
        "truncated": len(rows) > GEOJSON_MAX_FEATURES,
    }
    cache.set(key, data, GEOJSON_CACHE_SECONDS)
    return data


# --- "me too" ------------------------------------------------------------------------------------


def _check_support_rate(*, ip: str, phone: str) -> None:
    limits = OssSettings.current()
    if not rate_limit.hit("support-ip", ip, limit=limits.supports_per_ip_per_hour, window_seconds=3600):
        raise SupportRateLimited
    if phone and not rate_limit.hit(
        "support-phone", phone, limit=limits.supports_per_phone_per_day, window_seconds=86400
    ):
        raise SupportRateLimited


def support_complaint(
    *, complaint_id: int, user: User | None = None, phone: str = "", ip: str = ""
) -> tuple[Complaint, bool]:
    """Add one supporter to an open board complaint; returns (complaint, added).

    The caller has identified the person: a signed-in citizen (`user`) or a phone number verified
    with a one-time code (`phone`). A second "me too" from the same person (or from the reporter
    themselves) adds nothing and returns added=False. Raises NotOnBoard, CaseClosed,
    SupportRateLimited or ValidationError."""
    user = user if (user is not None and user.is_authenticated) else None
    phone = normalize_thai_phone(phone)
    if user is not None and not phone:
        phone = normalize_thai_phone(user.phone or "")
    if user is None and not phone:
        raise ValidationError({"phone": _("กรุณายืนยันเบอร์โทรศัพท์หรือเข้าสู่ระบบ (Verify a phone number or sign in)")})
    if not _board_cases().filter(pk=complaint_id).exists():
        raise NotOnBoard
    _check_support_rate(ip=ip, phone=phone)
    return _add_supporter(complaint_id=complaint_id, user=user, phone=phone)


@transaction.atomic
def _add_supporter(*, complaint_id: int, user: User | None, phone: str) -> tuple[Complaint, bool]:
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("category").get(pk=complaint_id)
    if complaint.status not in OPEN_STATUSES:
        raise CaseClosed
    same_person = Q(user=user) if user is not None else Q(pk__in=[])
    if phone:
        same_person |= Q(phone=phone)
    is_reporter = (user is not None and complaint.reporter_user_id == user.pk) or (
        phone and complaint.reporter_phone == phone
    )
    # The row lock on the complaint serialises supporters of one case: no race between the two.
    if is_reporter or complaint.supporters.filter(same_person).exists():
        return complaint, False
    Supporter.objects.create(complaint=complaint, user=user, phone=phone)
    Complaint.objects.filter(pk=complaint.pk).update(supporter_count=F("supporter_count") + 1)
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.SUPPORT,
        is_public=False,
        text=_("มีผู้แจ้งว่าพบปัญหาเดียวกัน (ยืนยันด้วย%(how)s)") % {"how": _("บัญชีผู้ใช้") if user is not None else _("เบอร์โทรศัพท์")},
    )
    complaint.refresh_from_db(fields=["supporter_count"])
    return complaint, True


def stop_token(supporter: Supporter) -> str:
    """A signed token for the "stop telling me" link of one supporter in this town."""
    return signing.dumps({"s": supporter.pk, "t": connection.schema_name}, salt=STOP_SALT, compress=True)


def supporter_for_stop_token(token: str) -> Supporter | None:
    try:
        data = signing.loads(token, salt=STOP_SALT, max_age=dt.timedelta(days=400))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != connection.schema_name or not isinstance(data.get("s"), int):
        return None
    return Supporter.objects.filter(pk=data["s"]).first()


def stop_notifications(*, token: str) -> bool:
    """The supporter no longer wants progress messages; False when the token is not valid here."""
    supporter = supporter_for_stop_token(token)
    if supporter is None:
        return False
    if supporter.notify:
        supporter.notify = False
        supporter.save(update_fields=["notify"])  # audited (auditlog)
    return True


def notify_supporters(complaint: Complaint, *, key: str, text: str) -> None:
    """Progress for the people who said "me too" (of this case and of cases merged into it), by SMS
    and email, once per supporter and event. Only the status text: an officer's note or a reporter's
    reason may be about the reporter, so it is never forwarded to supporters."""
    town = current_town()
    subject = f"[{town.short_code}] {complaint.category.name_th}"
    supporters = (
        Supporter.objects.filter(notify=True)
        .filter(Q(complaint=complaint) | Q(complaint__merged_into=complaint))
        .select_related("user")
    )
    link = town_url(reverse("complaints:board_case", args=[complaint.pk]))
    for supporter in supporters:
        stop = town_url(reverse("complaints:board_stop", args=[stop_token(supporter)]))
        body = f"{town.name_th}: {text}\n{link}\n" + _("หยุดรับแจ้ง (Stop): %(url)s") % {"url": stop}
        email = supporter.user.email if supporter.user is not None else ""
        for channel, recipient in (("sms", supporter.phone), ("email", email)):
            outbox.enqueue(
                channel=channel,
                recipient=recipient,
                body=body,
                subject=subject,
                key=f"oss:{complaint.pk}:{key}:sup{supporter.pk}:{channel}",
            )

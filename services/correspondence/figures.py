"""e-Saraban figures for the national summary: letters registered (received and sent), letters
exchanged with other agencies electronically, and how long an exchanged letter took from our
sending registration to the recipient's receiving registration. Aggregates only."""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.db.models import Count, Min, OuterRef, Subquery

from .models import Direction, Letter, LetterEvent, LetterRecipient, Register, RegisterEntry

ACKNOWLEDGED_REGISTERED = "acknowledged:registered"


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    entries = dict(
        RegisterEntry.objects.filter(registered_at__gte=start, registered_at__lt=end)
        .values("register")
        .annotate(n=Count("pk"))
        .values_list("register", "n")
    )
    sent_electronically = LetterRecipient.objects.filter(
        exchange_message_id__isnull=False,
        letter__register_entries__register=Register.SENDING,
        letter__register_entries__registered_at__gte=start,
        letter__register_entries__registered_at__lt=end,
    ).count()
    received_electronically = Letter.objects.filter(
        direction=Direction.INCOMING, exchange_message_id__isnull=False, created_at__gte=start, created_at__lt=end
    ).count()
    # Delivery: our sending registration → the recipient's acknowledgement that it registered the letter.
    sent_at = RegisterEntry.objects.filter(letter=OuterRef("letter"), register=Register.SENDING).values(
        "registered_at"
    )[:1]
    deliveries = (
        LetterEvent.objects.filter(action=ACKNOWLEDGED_REGISTERED, at__gte=start, at__lt=end)
        .values("letter", "note")
        .annotate(at=Min("at"), sent=Subquery(sent_at))
        .values_list("at", "sent")
    )
    hours = sorted((at - sent).total_seconds() / 3600 for at, sent in deliveries if sent is not None and at >= sent)
    received = entries.get(Register.RECEIVING, 0)
    sent = entries.get(Register.SENDING, 0)
    if not (received or sent or received_electronically or sent_electronically or hours):
        return None
    count = len(hours)

    def shape(value):
        return {"median": round(value, 2), "weight": count} if count else None

    return {
        "letters_registered": received + sent,
        "letters_received": received,
        "letters_sent": sent,
        "exchanged_sent": sent_electronically,
        "exchanged_received": received_electronically,
        "median_delivery_hours": shape(statistics.median(hours)) if hours else None,
        "p90_delivery_hours": shape(hours[math.ceil(0.9 * count) - 1]) if hours else None,
    }

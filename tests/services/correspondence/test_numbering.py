"""Registration numbers are gapless and distinct under concurrency (real PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from services.common.buddhist_era import be_year
from services.common.numbering import peek_last_number
from services.correspondence import actions
from services.correspondence.models import Letter, LetterAttachment, LetterEvent, Register, RegisterEntry
from tests.factories import make_user
from tests.services.correspondence.helpers import configure_town, scan

THREADS = 8
PER_THREAD = 4


class Boom(Exception):
    pass


def test_concurrent_registrations_get_distinct_gapless_numbers(django_db_setup, django_db_blocker):
    from django.utils import timezone

    from tenants.models import Municipality

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        connection.set_tenant(town)
        clerk = make_user(roles=("saraban_clerk",))
        configure_town()
        year = be_year(timezone.now())
        start = peek_last_number("saraban.receiving", year)
        connection.set_schema_to_public()
        barrier = threading.Barrier(THREADS)
        errors: list[BaseException] = []
        created: list[int] = []
        lock = threading.Lock()

        def worker(index: int) -> None:
            try:
                connections["default"].set_tenant(town)
                barrier.wait()
                for n in range(PER_THREAD):
                    try:
                        with transaction.atomic():
                            letter = actions.register_paper_letter(
                                by=clerk,
                                subject=f"หนังสือ {index}-{n}",
                                sender_name="จังหวัดชลบุรี",
                                letter_number=f"ชบ 0023/{index}{n}",
                                letter_date=timezone.localdate(),
                                scans=[scan()],
                            )
                            if n == 1:
                                # A transaction that fails after taking its number gives the number back.
                                raise Boom
                            with lock:
                                created.append(letter.pk)
                    except Boom:
                        pass
            except BaseException as exc:  # surfaced in the main thread
                errors.append(exc)
            finally:
                connections["default"].close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        connection.set_tenant(town)
        try:
            assert not errors, errors
            numbers = sorted(
                RegisterEntry.objects.filter(
                    register=Register.RECEIVING, year=year, letter_id__in=created
                ).values_list("number", flat=True)
            )
            expected_count = THREADS * (PER_THREAD - 1)
            assert len(created) == expected_count
            assert numbers == list(range(start + 1, start + expected_count + 1))  # distinct and no gap
            assert peek_last_number("saraban.receiving", year) == start + expected_count
            assert not Letter.objects.filter(subject__endswith="-1", pk__gt=0, created_by=clerk).exists()
        finally:
            RegisterEntry.objects.filter(letter_id__in=created).delete()
            LetterEvent.objects.filter(letter_id__in=created).delete()
            LetterAttachment.objects.filter(letter_id__in=created).delete()
            Letter.objects.filter(pk__in=created).delete()
            from services.common.models import NumberSeries

            NumberSeries.objects.filter(series="saraban.receiving", period=str(year)).update(last_value=start)
            clerk.delete()
            connection.set_schema_to_public()


@pytest.mark.django_db
def test_outgoing_letter_number_uses_the_town_prefix_and_the_sending_register(in_town_a, town_b):
    from tests.services.correspondence.helpers import approved_letter, staff_set

    configure_town("ชบ 52105")
    people = staff_set()
    first = approved_letter(people)
    second = approved_letter(people, subject="ขอความอนุเคราะห์")
    actions.send_letter(letter_id=first.pk, by=people["clerk"], recipient_codes=[town_b.lao_code])
    actions.send_letter(letter_id=second.pk, by=people["clerk"], paper_recipients=["สำนักงานจังหวัดชลบุรี"])
    first.refresh_from_db()
    second.refresh_from_db()
    n1 = first.register_entries.get().number
    assert first.letter_number == f"ที่ ชบ 52105/{n1}"
    assert second.letter_number == f"ที่ ชบ 52105/{n1 + 1}"


@pytest.mark.django_db
def test_a_letter_cannot_be_numbered_without_the_town_prefix(in_town_a, town_b):
    from django.core.exceptions import ValidationError

    from tests.services.correspondence.helpers import approved_letter, staff_set

    people = staff_set()
    letter = approved_letter(people)
    with pytest.raises(ValidationError):
        actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[town_b.lao_code])
    letter.refresh_from_db()
    assert letter.letter_number == ""
    assert not letter.register_entries.exists()

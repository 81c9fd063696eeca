"""One-time codes: the try limit and the single use hold against concurrent guesses (real threads,
each with its own database connection and transaction)."""

from __future__ import annotations

import re
import threading

from django.db import connections
from django_tenants.utils import tenant_context

from services.common import phone_verification
from services.common.models import OutboxMessage, PhoneCode
from tenants.models import Municipality

PHONE = "0819990001"
PURPOSE = "concurrency-test"


def _code_texted() -> str:
    message = OutboxMessage.objects.filter(recipient=PHONE, idempotency_key__startswith=f"otp:{PURPOSE}").latest("pk")
    return re.search(r"\d{6}", message.body).group(0)


def _guess_at_once(town, codes: list[str]) -> list:
    results: list = [None] * len(codes)
    barrier = threading.Barrier(len(codes))

    def guess(index: int) -> None:
        try:
            with tenant_context(town):
                barrier.wait()
                results[index] = phone_verification.check_code(phone=PHONE, purpose=PURPOSE, code=codes[index])
        except Exception as exc:  # surfaced by the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(codes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _cleanup(town) -> None:
    with tenant_context(town):
        PhoneCode.objects.filter(purpose=PURPOSE).delete()
        OutboxMessage.objects.filter(idempotency_key__startswith=f"otp:{PURPOSE}").delete()


def test_twenty_concurrent_wrong_guesses_get_at_most_five_answers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        try:
            with tenant_context(town):
                assert phone_verification.send_code(phone=PHONE, purpose=PURPOSE)
                right = _code_texted()
            wrong = "000000" if right != "000000" else "111111"
            results = _guess_at_once(town, [wrong] * 20)
            assert not [r for r in results if isinstance(r, Exception)], results
            compared = [r for r in results if r is phone_verification.Check.WRONG]
            assert len(compared) == phone_verification.MAX_TRIES
            with tenant_context(town):
                # The code died with the fifth wrong try: the right one no longer works.
                assert (
                    phone_verification.check_code(phone=PHONE, purpose=PURPOSE, code=right)
                    is phone_verification.Check.EXPIRED
                )
        finally:
            _cleanup(town)


def test_the_right_code_sent_ten_times_at_once_works_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        try:
            with tenant_context(town):
                assert phone_verification.send_code(phone=PHONE, purpose=PURPOSE)
                right = _code_texted()
            results = _guess_at_once(town, [right] * 10)
            assert results.count(phone_verification.Check.OK) == 1, results
        finally:
            _cleanup(town)


def test_a_code_of_one_town_is_not_live_in_another(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        alpha = Municipality.objects.get(slug="alpha")
        beta = Municipality.objects.get(slug="beta")
        try:
            with tenant_context(alpha):
                phone_verification.send_code(phone=PHONE, purpose=PURPOSE)
                right = _code_texted()
            with tenant_context(beta):
                assert (
                    phone_verification.check_code(phone=PHONE, purpose=PURPOSE, code=right)
                    is phone_verification.Check.EXPIRED
                )
        finally:
            _cleanup(alpha)

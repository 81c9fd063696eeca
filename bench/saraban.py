"""e-Saraban benchmark: gapless registration throughput (sequential and 8 threads), letter PDF
rendering, and town-to-town delivery. Runs on a throw-away test database with two towns.

    DATABASE_URL=postgres://... .venv/bin/python bench/saraban.py

Rewrites the "e-Saraban (saraban)" section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("THONGTHIN_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

SEQUENTIAL = 200
THREADS, PER_THREAD = 8, 25
PDFS = 20
DELIVERIES = 30


def main() -> None:
    from services.common.buddhist_era import be_year
    from services.correspondence import actions
    from services.correspondence.models import Letter, Register, RegisterEntry
    from services.correspondence.pdf import render_letter_pdf
    from services.exchange import actions as exchange
    from tests.factories import TOWN_SPECS, make_town, make_user

    # Deliveries are measured explicitly below; don't queue Celery tasks nobody will consume.
    exchange._dispatch_after_commit = lambda message: None
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    results: dict[str, str] = {}
    try:
        town_a, town_b = (make_town(**spec) for spec in TOWN_SPECS)
        connection.set_tenant(town_a)
        clerk = make_user(roles=("saraban_clerk",))
        executive = make_user(roles=("executive",))
        settings_row = actions.saraban_settings()
        settings_row.letter_prefix = "ชบ 52105"
        settings_row.save()

        def register_one(subject: str) -> None:
            with transaction.atomic():
                letter = Letter.objects.create(direction="incoming", status="registered", subject=subject)
                actions._register(letter, Register.RECEIVING, clerk)

        start = time.perf_counter()
        for n in range(SEQUENTIAL):
            register_one(f"seq {n}")
        elapsed = time.perf_counter() - start
        results["sequential"] = (
            f"{SEQUENTIAL / elapsed:,.0f} registrations/s ({SEQUENTIAL} in {elapsed:.2f} s)"
        )

        barrier = threading.Barrier(THREADS)

        def worker(index: int) -> None:
            connections["default"].set_tenant(town_a)
            barrier.wait()
            for n in range(PER_THREAD):
                register_one(f"thread {index}-{n}")
            connections["default"].close()

        start = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        connection.set_tenant(town_a)
        numbers = list(
            RegisterEntry.objects.filter(register=Register.RECEIVING, year=be_year(timezone.now()))
            .order_by("number")
            .values_list("number", flat=True)
        )
        gapless = numbers == list(range(1, len(numbers) + 1))
        total = THREADS * PER_THREAD
        results["concurrent"] = (
            f"{total / elapsed:,.0f} registrations/s ({THREADS} threads × {PER_THREAD}, "
            f"{elapsed:.2f} s); numbers 1..{len(numbers)} gapless: {gapless}"
        )

        letter = actions.draft_letter(
            by=clerk, subject="ขอเชิญประชุม", body="ด้วยเทศบาล… " * 40, recipient_name="นายกเทศมนตรีตำบลเบตา"
        )
        render_letter_pdf(letter)  # warm the font cache
        timings = []
        for _n in range(PDFS):
            start = time.perf_counter()
            render_letter_pdf(letter)
            timings.append(time.perf_counter() - start)
        results["pdf"] = (
            f"median {statistics.median(timings) * 1000:.0f} ms, "
            f"max {max(timings) * 1000:.0f} ms ({PDFS} renders)"
        )

        message_ids = []
        start = time.perf_counter()
        for n in range(DELIVERIES):
            draft = actions.draft_letter(by=clerk, subject=f"หนังสือ {n}", body="ข้อความ", recipient_name="เบตา")
            actions.submit_for_approval(letter_id=draft.pk, by=clerk, approver_ids=[executive.pk])
            actions.decide_approval(letter_id=draft.pk, by=executive, approve=True)
            actions.send_letter(letter_id=draft.pk, by=clerk, recipient_codes=[town_b.lao_code])
            message_ids.append(draft.recipients.get().exchange_message_id)
        send_elapsed = time.perf_counter() - start
        from services.exchange.models import ExchangeMessage

        start = time.perf_counter()
        for pk in ExchangeMessage.objects.filter(public_id__in=message_ids).values_list("pk", flat=True):
            exchange.deliver(pk)
        deliver_elapsed = time.perf_counter() - start
        results["send"] = (
            f"{send_elapsed / DELIVERIES * 1000:.0f} ms per letter "
            f"(number + PDF + queue; {DELIVERIES} letters)"
        )
        results["deliver"] = (
            f"{deliver_elapsed / DELIVERIES * 1000:.0f} ms per letter into the other town's schema"
        )
    finally:
        connection.set_schema_to_public()
        connections.close_all()
        teardown_databases(config, verbosity=0)
    write_section(results)


def write_section(results: dict[str, str]) -> None:
    lines = [
        "## e-Saraban (saraban)",
        "",
        "`DATABASE_URL=… .venv/bin/python bench/saraban.py` — throw-away test database, two towns, "
        "PostgreSQL on 127.0.0.1.",
        "",
        f"- Gapless registration, one connection: {results['sequential']}",
        f"- Gapless registration, concurrent: {results['concurrent']}",
        f"- Letter PDF (WeasyPrint, Sarabun, A4 one page): {results['pdf']}",
        f"- Send a signed-off letter to another town: {results['send']}",
        f"- Exchange delivery (task body, in process): {results['deliver']}",
        "",
    ]
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8")
    section = "\n".join(lines)
    pattern = re.compile(r"## e-Saraban \(saraban\)\n.*?(?=\n## |\Z)", re.S)
    text = (
        pattern.sub(section.rstrip("\n"), text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    path.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()

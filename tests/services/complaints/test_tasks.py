"""Escalation through the real beat fan-out and a real Celery worker: the overdue case of one town
is escalated in that town's schema and the department head's message is delivered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.models import Municipality
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def test_overdue_case_is_escalated_by_the_worker(live_worker, django_db_blocker):
    from celery import current_app

    from services.accounts.models import Department
    from services.common.models import NumberSeries, OutboxMessage
    from services.complaints import actions
    from services.complaints.models import Category, Complaint, Holiday, HolidayYear
    from tests.factories import make_user

    with django_db_blocker.unblock():
        alpha = Municipality.objects.get(slug="alpha")
        beta = Municipality.objects.get(slug="beta")
        with tenant_context(alpha):
            works = Department.objects.create(code="worker-works", name_th="กองช่าง")
            head = make_user(roles=("department_head",), department=works, email="head-worker@example.org")
            category = Category.objects.get(code="road")
            complaint = actions.submit_complaint(
                filing=actions.Filing(
                    category=category,
                    description="ถนนพังทดสอบ worker",
                    latitude="12.75",
                    longitude="100.9",
                    is_anonymous=True,
                )
            )
            Complaint.objects.filter(pk=complaint.pk).update(
                department=works, due_at=timezone.now() - dt.timedelta(hours=2)
            )
        with tenant_context(beta):
            beta_before = OutboxMessage.objects.count()
        try:
            connection.set_schema_to_public()
            current_app.send_task(
                "tenants.tasks.for_each_town", args=("services.complaints.tasks.escalate_overdue",)
            )
            live_worker.start()

            def delivered() -> bool:
                with tenant_context(alpha):
                    message = OutboxMessage.objects.filter(recipient="head-worker@example.org").first()
                    return message is not None and message.status == "sent"

            assert wait_for(delivered), "the worker did not escalate and notify the department head"
            with tenant_context(alpha):
                assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
            with tenant_context(beta):
                assert OutboxMessage.objects.count() == beta_before
        finally:
            with tenant_context(alpha):
                Complaint.objects.filter(pk=complaint.pk).delete()
                OutboxMessage.objects.filter(recipient="head-worker@example.org").delete()
                NumberSeries.objects.filter(series="complaint").delete()
                Holiday.objects.all().delete()
                HolidayYear.objects.all().delete()
                head.delete()
                works.delete()

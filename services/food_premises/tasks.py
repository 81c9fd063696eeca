"""Thin Celery wrappers; run once per town by the fan-out."""

from celery import shared_task

from . import actions


@shared_task(name="services.food_premises.tasks.run_fee_cycle")
def run_fee_cycle() -> dict:
    return actions.run_fee_cycle()

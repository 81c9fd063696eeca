from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .boundaries import sync_boundary
from .directory import directory
from .models import Domain, Municipality


@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=Municipality)
def forget_cached_hosts(sender, **kwargs) -> None:
    # Clear now (this process must not serve the old state) and again after commit (another
    # request may have cached the pre-commit state in between).
    directory.invalidate()
    transaction.on_commit(directory.invalidate)


@receiver(post_save, sender=Municipality)
def index_boundary(sender, instance: Municipality, raw: bool = False, **kwargs) -> None:
    # The public boundary index follows every change of boundary, names or status (a suspended
    # town stops being offered to citizens at once).
    if not raw:
        sync_boundary(instance)

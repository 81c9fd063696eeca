"""Writes on accounts: staff invited and managed by the town admin, citizens signing up."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from services.common import outbox
from services.common.links import town_url

from .models import Department, User
from .roles import ROLE_CODES


def set_password_link(user: User) -> str:
    """A one-time link to choose a password (Django's reset token: valid until used or expired), on
    the town's configured address (town_url), not the Host of the request that made it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return town_url(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in ROLE_CODES]
    if unknown:
        raise ValidationError(_("ไม่รู้จักบทบาท (Unknown role): %(roles)s") % {"roles": ", ".join(unknown)})
    return roles


@transaction.atomic
def invite_staff(*, by: User | None, email: str, first_name: str, last_name: str, roles: Iterable[str],
                 department: Department | None = None, phone: str = "", position: str = "") -> User:
    """Create a staff account without a usable password and e-mail a set-password link."""
    if by is not None and not by.has_perm("accounts.manage_staff"):
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("อีเมลนี้มีบัญชีอยู่แล้ว (This e-mail already has an account)")})
    user = User(username=email, email=email, first_name=first_name, last_name=last_name, phone=phone,
                position=position, department=department, kind=User.Kind.STAFF)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=_check_roles(roles)))
    link = set_password_link(user)
    outbox.enqueue(
        channel="email", recipient=email, key=f"staff-invite-{user.pk}",
        subject="เชิญเข้าใช้งานระบบ / Your staff account",
        body=(f"เรียน {user.get_full_name()}\n\nท่านได้รับเชิญให้ใช้งานระบบงานเจ้าหน้าที่ "
              f"กรุณาตั้งรหัสผ่านที่ลิงก์นี้:\n{link}\n\n"
              f"You have a staff account. Choose your password here:\n{link}\n"),
    )
    return user


@transaction.atomic
def update_staff(*, by: User, user_id: int, roles: Iterable[str], department: Department | None,
                 is_active: bool, position: str = "") -> User:
    """Change a staff member's roles, department or active flag (audited through auditlog)."""
    if not by.has_perm("accounts.manage_staff"):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user_id, kind=User.Kind.STAFF)
    if user.pk == by.pk and not is_active:
        raise ValidationError(_("ไม่สามารถระงับบัญชีของตนเอง (You cannot deactivate yourself)"))
    user.department = department
    user.is_active = is_active
    user.position = position
    user.save(update_fields=["department", "is_active", "position"])
    user.groups.set(Group.objects.filter(name__in=_check_roles(roles)))
    return user


@transaction.atomic
def sign_up_citizen(*, username: str, email: str, phone: str, first_name: str, last_name: str,
                    password: str) -> User:
    """A resident opens an account on their town's portal (to follow their requests and bills)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("ชื่อผู้ใช้นี้ถูกใช้แล้ว (This username is taken)")})
    user = User(username=username, email=email, phone=phone, first_name=first_name, last_name=last_name,
                kind=User.Kind.CITIZEN)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user

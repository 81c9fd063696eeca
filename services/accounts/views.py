"""Town admin's staff directory, and citizen sign-up on the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from services.common.params import query_param
from services.common.views import backoffice_menu, staff_required

from . import actions, selectors
from .forms import CitizenSignUpForm, StaffEditForm, StaffInviteForm
from .models import Department, User
from .roles import ROLES


def _require_manager(user) -> None:
    if not user.has_perm("accounts.manage_staff"):
        raise PermissionDenied


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
def staff_list(request):
    _require_manager(request.user)
    department = request.GET.get("department") or None
    people = selectors.staff_directory(
        query=query_param(request.GET, "q"), role=query_param(request.GET, "role"),
        department_id=int(department) if department and department.isdigit() else None,
        include_inactive=request.GET.get("inactive") == "1",
    )
    return render(request, "accounts/staff_list.html", {
        "page": Paginator(people, 30).get_page(request.GET.get("page")), "roles": ROLES,
        "departments": Department.objects.all(), "backoffice_menu": backoffice_menu(request.user),
    })


class SignInView(auth_views.LoginView):
    """Signing in without a `next` lands each person where their work is: staff on the staff home,
    citizens on the portal."""

    def get_default_redirect_url(self):
        if getattr(self.request.user, "is_staff_member", False):
            return reverse("backoffice:home")
        return super().get_default_redirect_url()


@staff_required
def staff_invite(request):
    _require_manager(request.user)
    form = StaffInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.invite_staff(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("ส่งคำเชิญไปที่ %(email)s แล้ว") % {"email": user.email})
            return redirect("people:list")
    return render(request, "accounts/staff_form.html", {
        "form": form, "title": _("เพิ่มเจ้าหน้าที่"), "backoffice_menu": backoffice_menu(request.user),
    })


@staff_required
def staff_edit(request, user_id: int):
    _require_manager(request.user)
    person = get_object_or_404(User, pk=user_id, kind=User.Kind.STAFF)
    initial = {"position": person.position, "department": person.department, "is_active": person.is_active,
               "roles": person.role_codes()}
    form = StaffEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_staff(by=request.user, user_id=person.pk, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("people:list")
    return render(request, "accounts/staff_form.html", {
        "form": form, "title": person.display_name, "person": person,
        "backoffice_menu": backoffice_menu(request.user),
    })


def citizen_sign_up(request):
    if getattr(request, "town", None) is None:
        raise PermissionDenied  # the platform host has no citizens
    form = CitizenSignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.sign_up_citizen(username=data["username"], email=data["email"], phone=data["phone"],
                                           first_name=data["first_name"], last_name=data["last_name"],
                                           password=data["password1"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("สร้างบัญชีเรียบร้อย"))
            return redirect("home")
    return render(request, "accounts/sign_up.html", {"form": form})

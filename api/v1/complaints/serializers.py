"""Serializers of the staff OSS API. Names are unique module-level names (drf-spectacular)."""

from __future__ import annotations

from rest_framework import serializers

from services.complaints.models import DESCRIPTION_MAX, Category, Complaint, ComplaintEvent, Holiday


class OssCategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name_th",
            "name_en",
            "icon",
            "group",
            "sla_hours",
            "allow_anonymous",
            "department",
            "is_active",
        ]


class OssComplaintOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    assigned_to = serializers.CharField(source="assigned_to.username", default=None, read_only=True)
    department = serializers.CharField(source="department.code", default=None, read_only=True)
    channel = serializers.CharField(
        read_only=True, help_text="web | walk_in | phone | bbuddy | open311 | line"
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_code",
            "category",
            "status",
            "status_label",
            "channel",
            "description",
            "latitude",
            "longitude",
            "address_text",
            "community",
            "department",
            "assigned_to",
            "received_at",
            "due_at",
            "resolved_at",
            "closed_at",
            "is_overdue",
            "escalation_level",
            "reopen_count",
            "rating",
            "supporter_count",
        ]


class OssEventOutput(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "from_status", "to_status", "text", "is_public", "by", "created_at"]


class OssComplaintDetailOutput(OssComplaintOutput):
    events = OssEventOutput(many=True, read_only=True)
    reporter_name = serializers.CharField(read_only=True)
    reporter_phone = serializers.CharField(read_only=True)
    reporter_email = serializers.CharField(read_only=True)
    filed_by = serializers.CharField(source="filed_by.username", default=None, read_only=True)
    merged_into = serializers.CharField(source="merged_into.tracking_code", default=None, read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, read_only=True)
    closure = serializers.CharField(read_only=True, help_text="'' | confirmed | unconfirmed")

    class Meta(OssComplaintOutput.Meta):
        fields = [
            *OssComplaintOutput.Meta.fields,
            "is_anonymous",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "filed_by",
            "merged_into",
            "attributes",
            "resolution_working_hours",
            "rating_comment",
            "resolved_by",
            "resolved_without_photo",
            "photo_exception_reason",
            "closure",
            "events",
        ]


class OssComplaintCreateInput(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=[Complaint.Channel.WALK_IN, Complaint.Channel.PHONE, Complaint.Channel.BBUDDY]
    )
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    address_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    community = serializers.IntegerField(required=False, allow_null=True, default=None)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    reporter_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    consent = serializers.BooleanField(
        help_text="The resident agreed to the PDPA notice (read out by staff)."
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=5)


class OssAcceptInput(serializers.Serializer):
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Department code; empty keeps the category's department",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OssReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class OssMergeInput(serializers.Serializer):
    into = serializers.CharField(max_length=30, help_text="Tracking code of the surviving case")


class OssRecategoriseInput(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )


class OssAssignInput(serializers.Serializer):
    officer = serializers.CharField(help_text="Username of the officer")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OssResolveInput(serializers.Serializer):
    reply = serializers.CharField(max_length=DESCRIPTION_MAX)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=5,
        help_text="“After” photos (multipart). Required where the category says so: taken after filing, "
        "within the town's distance of the pin when they carry GPS.",
    )
    photo_exception_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a photo lies farther from the pin than allowed (kept internal, counted on the dashboard)",
    )


class OssTextInput(serializers.Serializer):
    text = serializers.CharField(max_length=DESCRIPTION_MAX)


class OssDashboardOutput(serializers.Serializer):
    summary = serializers.DictField()
    days = serializers.ListField(child=serializers.DictField())
    by_category = serializers.ListField(child=serializers.DictField())
    by_department = serializers.ListField(child=serializers.DictField())
    by_community = serializers.ListField(child=serializers.DictField())
    heat = serializers.ListField(child=serializers.ListField())
    quality = serializers.DictField(
        help_text="Proof of resolution for the town and per department and officer (outliers first): resolved, "
        "reopen_percent, confirmed_percent, without_photo_percent, exception_percent, outlier_score, is_outlier"
    )


class OssHolidayOutput(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "is_active", "is_seeded"]


class OssHolidayInput(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=200)
    is_active = serializers.BooleanField(required=False, default=True)


class OssReferInput(serializers.Serializer):
    """Refer a case to another town on the platform (`town_code`, its LAO code) or to an outside
    agency of the town's directory (`agency`)."""

    target = serializers.ChoiceField(choices=["town", "agency"])
    town_code = serializers.CharField(max_length=20, required=False, default="")
    agency = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, default=None)
    reason = serializers.CharField(max_length=1000)
    share_contact = serializers.BooleanField(
        required=False, default=False, help_text="The reporter agreed that their contact goes with the case"
    )
    agency_reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    follow_up_on = serializers.DateField(required=False, default=None, allow_null=True)

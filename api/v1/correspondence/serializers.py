"""Serializers of the e-Saraban API (unique module-level names for drf-spectacular)."""

from __future__ import annotations

from rest_framework import serializers

from services.correspondence.models import DocumentForm, Letter, LetterKind, RegisterEntry, Secrecy, Urgency


class LetterRegisterEntryOutput(serializers.ModelSerializer):
    class Meta:
        model = RegisterEntry
        fields = ["register", "year", "number", "registered_at"]


class LetterRecipientOutput(serializers.Serializer):
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    status = serializers.CharField()
    their_reference = serializers.CharField()
    note = serializers.CharField()


class LetterOutput(serializers.ModelSerializer):
    register_entries = LetterRegisterEntryOutput(many=True, read_only=True)
    recipients = LetterRecipientOutput(many=True, read_only=True)

    class Meta:
        model = Letter
        fields = [
            "id",
            "direction",
            "kind",
            "form",
            "edition",
            "effective_from",
            "urgency",
            "secrecy",
            "status",
            "is_circular",
            "letter_number",
            "letter_date",
            "subject",
            "salutation",
            "reference_to",
            "enclosures",
            "body",
            "sender_name",
            "sender_code",
            "recipient_name",
            "action_note",
            "notes",
            "created_at",
            "register_entries",
            "recipients",
        ]


class LetterDraftInput(serializers.Serializer):
    subject = serializers.CharField(max_length=500)
    body = serializers.CharField()
    recipient_name = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=LetterKind.choices, default=LetterKind.EXTERNAL)
    form = serializers.ChoiceField(choices=DocumentForm.choices, required=False, allow_blank=True, default="")
    edition = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=999)
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)
    committee = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    meeting_place = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    meeting_started = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    meeting_ended = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    present = serializers.CharField(required=False, allow_blank=True, default="")
    absent = serializers.CharField(required=False, allow_blank=True, default="")
    attending = serializers.CharField(required=False, allow_blank=True, default="")
    minutes_taker = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NORMAL)
    salutation = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    reference_to = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    enclosures = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    is_circular = serializers.BooleanField(default=False)
    signer_position = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class LetterSubmitInput(serializers.Serializer):
    approver_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=10)


class LetterDecisionInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class LetterSendInput(serializers.Serializer):
    recipient_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    paper_recipients = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list
    )


class LetterRegisterInput(serializers.Serializer):
    action_note = serializers.CharField(required=False, allow_blank=True, default="")


class LetterReturnInput(serializers.Serializer):
    reason = serializers.CharField()


class LetterPresentInput(serializers.Serializer):
    to_user_id = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LetterRouteInput(serializers.Serializer):
    order_text = serializers.CharField(required=False, allow_blank=True, default="")
    to_user_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    to_department_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class AgencyOutput(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    is_platform_town = serializers.BooleanField()


class InboundAccepted(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    duplicate = serializers.BooleanField()


class PaperLetterInput(serializers.Serializer):
    subject = serializers.CharField(max_length=500)
    sender_name = serializers.CharField(max_length=255)
    letter_number = serializers.CharField(max_length=100)
    letter_date = serializers.DateField()
    recipient_name = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=LetterKind.choices, default=LetterKind.EXTERNAL)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NORMAL)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    action_note = serializers.CharField(required=False, allow_blank=True, default="")
    scans = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=20)


class RegisterRowOutput(serializers.Serializer):
    number = serializers.IntegerField()
    year = serializers.IntegerField()
    registered_at = serializers.DateTimeField()
    letter_id = serializers.IntegerField()
    letter_number = serializers.CharField()
    letter_date = serializers.CharField()
    sender = serializers.CharField()
    recipient = serializers.CharField()
    subject = serializers.CharField()
    action = serializers.CharField()
    remarks = serializers.CharField()

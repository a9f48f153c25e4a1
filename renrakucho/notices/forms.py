"""Forms of the notice screens (the publish form with its segment pickers)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renrakucho.facilities.models import FacilityType
from renrakucho.files.uploads import PDF, check_upload
from renrakucho.networks.models import Network

from .selectors import Segment
from .services import MAX_ATTACHMENTS

# Megabytes per attached PDF (a ministry notice with annexes is rarely above a few MB).
NOTICE_ATTACHMENT_MAX_MB = 20


def attachment_max_bytes() -> int:
    return int(
        float(getattr(settings, "NOTICE_ATTACHMENT_MAX_MB", NOTICE_ATTACHMENT_MAX_MB)) * 1024 * 1024
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        kwargs.setdefault("error_messages", {"empty": _("ファイルが空です。")})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class FacilityChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, show_network: bool = False, **kwargs):
        self.show_network = show_network
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        label = f"{obj.name}（{obj.get_facility_type_display()}）"
        return f"{obj.network.name}: {label}" if self.show_network else label


class OccupationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class NoticeForm(forms.Form):
    AUDIENCE_ALL = "all"
    AUDIENCE_SEGMENT = "segment"

    network = forms.ModelChoiceField(
        queryset=None,
        label=_("ネットワーク"),
        to_field_name="uuid",
        empty_label=None,
        error_messages={"required": _("ネットワークを選んでください。")},
    )
    title = forms.CharField(
        label=_("件名"),
        max_length=200,
        error_messages={"required": _("件名を入力してください。")},
    )
    body = forms.CharField(
        label=_("本文"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("本文を入力してください。")},
    )
    attachments = MultipleFileField(
        label=_("添付ファイル（PDF）"),
        required=False,
        help_text=_("PDFのみ、1件%(mb)sMBまで、%(n)d件まで。"),
    )
    confirmation_required = forms.BooleanField(
        label=_("確認必須（受け取った人に「確認しました」の登録を求める）"), required=False
    )
    audience = forms.ChoiceField(
        label=_("配信先"),
        choices=[
            (AUDIENCE_ALL, _("ネットワークの登録者全員")),
            (AUDIENCE_SEGMENT, _("条件で絞り込む")),
        ],
        initial=AUDIENCE_ALL,
        widget=forms.RadioSelect,
    )
    occupations = OccupationChoiceField(
        queryset=None,
        label=_("職種"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    facility_types = forms.MultipleChoiceField(
        label=_("事業所の種別"),
        choices=FacilityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    facilities = FacilityChoiceField(
        queryset=None,
        label=_("事業所（個別に指定）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="uuid",
    )

    def __init__(self, *args, networks, occupations, facilities, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(pk__in=[n.pk for n in networks])
        self.fields["occupations"].queryset = occupations
        self.fields["facilities"].queryset = facilities
        self.fields["facilities"].show_network = len(networks) > 1
        if len(networks) == 1:
            self.fields["network"].initial = networks[0].uuid
            self.fields["network"].widget = forms.HiddenInput()
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {
            "mb": f"{attachment_max_bytes() / (1024 * 1024):g}",
            "n": MAX_ATTACHMENTS,
        }
        self.checked_files = []

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("添付できるファイルは%(n)d件までです。") % {"n": MAX_ATTACHMENTS}
            )
        checked, errors = [], []
        for upload in files:
            try:
                safe = check_upload(
                    upload, max_bytes=attachment_max_bytes(), kinds=(PDF,), match_name=True
                )
            except ValidationError as error:
                errors.extend(f"{upload.name}: {message}" for message in error.messages)
                continue
            safe.original_name = upload.name
            checked.append(safe)
        if errors:
            raise ValidationError(errors)
        self.checked_files = checked
        return files

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == self.AUDIENCE_SEGMENT and not (
            cleaned.get("occupations") or cleaned.get("facility_types") or cleaned.get("facilities")
        ):
            self.add_error(
                "audience", _("職種・事業所の種別・事業所のいずれかを1つ以上選んでください。")
            )
        network = cleaned.get("network")
        if network is not None:
            outside = [f for f in cleaned.get("facilities") or [] if f.network_id != network.pk]
            if outside:
                self.add_error(
                    "facilities",
                    _("選択したネットワークに属していない事業所が含まれています。"),
                )
        return cleaned

    def segment(self) -> Segment:
        if self.cleaned_data["audience"] == self.AUDIENCE_ALL:
            return Segment()
        return Segment(
            occupations=tuple(self.cleaned_data["occupations"]),
            facility_types=tuple(self.cleaned_data["facility_types"]),
            facilities=tuple(self.cleaned_data["facilities"]),
        )

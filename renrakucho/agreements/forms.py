"""Forms of the Agreement screens: propose, invite, and the reason of a decline, leave or end."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renrakucho.networks.models import Network

from .models import Allows


def network_label(network: Network) -> str:
    """「ネットワーク名（伊那市・上伊那）」: the Network and the municipalities it serves."""
    places = "・".join(m.name for m in network.municipalities.all())
    return f"{network.name}（{places}）" if places else network.name


class NetworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return network_label(obj)


class NetworksChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return network_label(obj)


class ProposeForm(forms.Form):
    network = forms.ModelChoiceField(
        queryset=Network.objects.none(),
        label=_("提案するネットワーク"),
        to_field_name="uuid",
        error_messages={"required": _("提案するネットワークを選んでください。")},
    )
    name = forms.CharField(
        label=_("協定の名称"),
        max_length=200,
        error_messages={"required": _("協定の名称を入力してください。")},
    )
    starts_on = forms.DateField(
        label=_("開始日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("開始日を入力してください。"),
            "invalid": _("日付の形式が正しくありません（例: 2024-04-01）。"),
        },
    )
    ends_on = forms.DateField(
        label=_("終了日（任意）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付の形式が正しくありません（例: 2024-04-01）。")},
    )
    allows = forms.MultipleChoiceField(
        label=_("協定で認める連携"),
        choices=Allows.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Allows.TEAMS.value],
    )
    partner_networks = NetworksChoiceField(
        queryset=Network.objects.none(),
        label=_("相手のネットワーク"),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("選べないネットワークが含まれています。")},
    )
    description = forms.CharField(
        label=_("説明（任意）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, networks: list[Network], partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(id__in=[n.id for n in networks])
        self.fields["network"].choices = [(n.uuid, n.name) for n in networks]
        if len(networks) == 1:
            self.fields["network"].initial = networks[0].uuid
            self.fields["network"].widget = forms.HiddenInput()
        field = self.fields["partner_networks"]
        field.queryset = Network.objects.filter(is_active=True)
        # The choices are the Networks already loaded (with their municipalities).
        field.choices = [(n.uuid, network_label(n)) for n in partners]


class InviteForm(forms.Form):
    network = NetworkChoiceField(
        queryset=Network.objects.none(),
        label=_("招待するネットワーク"),
        to_field_name="uuid",
        error_messages={
            "required": _("招待するネットワークを選んでください。"),
            "invalid_choice": _("選べないネットワークです。"),
        },
    )

    def __init__(self, *args, networks: list[Network], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["network"]
        field.queryset = Network.objects.filter(id__in=[n.id for n in networks])
        field.choices = [("", "---------"), *((n.uuid, network_label(n)) for n in networks)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由（任意）"), required=False, max_length=500)

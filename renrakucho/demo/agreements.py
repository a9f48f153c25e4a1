"""Demo data of the agreements app (issue 5): 伊那市 ("ina") and 南箕輪村 ("minamiminowa")
share the 定住自立圏 Agreement (care teams and groups across the two Networks); 箕輪町
("minowa", a Network with no staff yet) is invited and has not accepted.

Written through agreements.services as the demo operators (demo-operator proposes and
invites, mk-operator accepts): audited AGREEMENT_PROPOSE / ACCEPT / INVITE, operators
notified. An Agreement that exists already (by name) is left as it is — a Network that
declined or left is not brought back — so a second run creates nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils import timezone

from renrakucho.agreements import services
from renrakucho.agreements.models import Agreement, AgreementParty

NAME = "定住自立圏にもとづく在宅医療・介護連携推進事業の広域連携協定"
DESCRIPTION = (
    "伊那市と南箕輪村は定住自立圏の形成協定にもとづき、在宅医療・介護連携推進事業を共同で"
    "進めています。この協定により、両市村の専門職は互いの支援チームとグループに参加できます"
    "（ID・パスワードは各市町村が管理します）。"
)
STARTS_ON = datetime.date(2024, 4, 1)
SIGNED_ON = datetime.date(2024, 3, 25)


def seed_agreements(users, facilities, networks, created: Counter) -> None:
    if Agreement.objects.filter(name=NAME).exists():
        return
    agreement = services.agreement_propose(
        actor=users["demo-operator"],
        network=networks["ina"],
        name=NAME,
        description=DESCRIPTION,
        starts_on=STARTS_ON,
        allows_teams=True,
        allows_groups=True,
        partner_networks=[networks["minamiminowa"]],
    )
    services.party_accept(
        actor=users["mk-operator"],
        party=agreement.parties.get(network=networks["minamiminowa"]),
    )
    # Signed before the demo's month: dated like it (the parties' answers too).
    signed = timezone.make_aware(datetime.datetime.combine(SIGNED_ON, datetime.time(10)))
    Agreement.objects.filter(pk=agreement.pk).update(created_at=signed)
    AgreementParty.objects.filter(agreement=agreement).update(created_at=signed, decided_at=signed)
    created["agreements"] += 1
    minowa = networks.get("minowa")
    if minowa is not None:
        services.agreement_invite(actor=users["demo-operator"], agreement=agreement, network=minowa)
    created["agreement parties"] += AgreementParty.objects.filter(agreement=agreement).count()

"""The shared persona set every access test uses (ARCHITECTURE.md "Tests").

Network A: resident R with a doctor, a visiting nurse and a care manager (lead) on R's team,
a consent in force; a pharmacist of A on no team (same-Network outsider); A's operator.
Network B: a nurse (federated with A in a later issue; for now simply another Network).
Network C: an operator of an unrelated Network.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from renrakucho.accounts.models import Occupation, User
from renrakucho.facilities.models import Affiliation, Facility, FacilityType
from renrakucho.networks.models import Municipality, Network, OperatorRole
from renrakucho.residents.models import CareLevel, CareTeamMember, Consent, Resident, TeamRole

PASSWORD = "persona-pass-123"


@dataclass
class Personas:
    net_a: Network
    net_b: Network
    net_c: Network
    clinic_a: Facility
    nursing_a: Facility
    care_office_a: Facility
    pharmacy_a: Facility
    city_hall_a: Facility
    nursing_b: Facility
    city_hall_c: Facility
    doctor: User
    nurse: User
    caremanager: User
    pharmacist: User
    operator_a: User
    nurse_b: User
    operator_c: User
    resident: Resident
    consent: Consent

    @property
    def team(self) -> list[User]:
        return [self.doctor, self.nurse, self.caremanager]


def make_network(code: str, name: str, slug: str) -> Network:
    municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": name})
    network = Network.objects.create(
        name=f"{name}電子連絡帳", slug=slug, operator_organisation=name
    )
    network.municipalities.add(municipality)
    return network


def make_facility(network: Network, name: str, facility_type: str) -> Facility:
    return Facility.objects.create(
        network=network,
        name=name,
        facility_type=facility_type,
        address="長野県伊那市下新田3050",
        phone="0265-78-4111",
        status=Facility.Status.APPROVED,
    )


def make_user(
    username: str, name: str, kana: str, occupation: str, facility: Facility, *, admin=False
) -> User:
    user = User.objects.create_user(username, PASSWORD, name=name, name_kana=kana)
    user.occupations.add(Occupation.objects.get(code=occupation))
    Affiliation.objects.create(
        user=user, facility=facility, is_admin=admin, status=Affiliation.Status.ACTIVE
    )
    return user


def make_resident(network: Network, creator: User, name="山田 花子", kana="ヤマダ ハナコ", **extra):
    return Resident.objects.create(
        network=network,
        name=name,
        name_kana=kana,
        birth_date=extra.pop("birth_date", datetime.date(1938, 4, 12)),
        sex=extra.pop("sex", "female"),
        care_level=extra.pop("care_level", CareLevel.CARE_2),
        address=extra.pop("address", "長野県伊那市荒井1-1"),
        phone=extra.pop("phone", "0265-00-0000"),
        created_by=creator,
        **extra,
    )


def add_member(resident: Resident, user: User, role: str, *, lead=False) -> CareTeamMember:
    return CareTeamMember.objects.create(
        resident=resident,
        user=user,
        role=role,
        is_lead=lead,
        status=CareTeamMember.Status.ACTIVE,
        joined_at=timezone.now(),
        invited_by=user,
    )


def add_consent(resident: Resident, recorder: User, **scopes) -> Consent:
    return Consent.objects.create(
        resident=resident,
        consenter=Consent.Consenter.SELF,
        consented_on=timezone.localdate() - datetime.timedelta(days=30),
        scope_team=scopes.get("team", True),
        scope_family=scopes.get("family", False),
        scope_emergency=scopes.get("emergency", True),
        scope_cross_network=scopes.get("cross_network", False),
        recorded_by=recorder,
    )


def make_personas() -> Personas:
    net_a = make_network("202096", "伊那市", "ina")
    net_b = make_network("203858", "南箕輪村", "minamiminowa")
    net_c = make_network("203840", "箕輪町", "minowa")
    clinic_a = make_facility(net_a, "いーなクリニック", FacilityType.CLINIC)
    nursing_a = make_facility(net_a, "いーな訪問看護ステーション", FacilityType.VISITING_NURSING)
    care_office_a = make_facility(net_a, "いーな居宅介護支援事業所", FacilityType.CARE_MANAGEMENT)
    pharmacy_a = make_facility(net_a, "いーな薬局", FacilityType.PHARMACY)
    city_hall_a = make_facility(net_a, "伊那市 保健福祉部", FacilityType.MUNICIPAL_DEPARTMENT)
    nursing_b = make_facility(net_b, "まっくん訪問看護", FacilityType.VISITING_NURSING)
    city_hall_c = make_facility(net_c, "箕輪町 福祉課", FacilityType.MUNICIPAL_DEPARTMENT)

    doctor = make_user("p-doctor", "伊那 一郎", "イナ イチロウ", "doctor", clinic_a, admin=True)
    nurse = make_user("p-nurse", "看護 花子", "カンゴ ハナコ", "nurse", nursing_a, admin=True)
    caremanager = make_user(
        "p-caremanager", "介護 支援", "カイゴ シエン", "care_manager", care_office_a, admin=True
    )
    pharmacist = make_user("p-pharmacist", "薬 太郎", "クスリ タロウ", "pharmacist", pharmacy_a)
    operator_a = make_user(
        "p-operator-a", "運営 伊那", "ウンエイ イナ", "municipal_officer", city_hall_a, admin=True
    )
    OperatorRole.objects.create(network=net_a, user=operator_a)
    nurse_b = make_user("p-nurse-b", "南 看護", "ミナミ カンゴ", "nurse", nursing_b)
    operator_c = make_user(
        "p-operator-c", "運営 箕輪", "ウンエイ ミノワ", "municipal_officer", city_hall_c, admin=True
    )
    OperatorRole.objects.create(network=net_c, user=operator_c)

    resident = make_resident(net_a, caremanager)
    add_member(resident, caremanager, TeamRole.CARE_MANAGER, lead=True)
    add_member(resident, doctor, TeamRole.PRIMARY_DOCTOR)
    add_member(resident, nurse, TeamRole.VISITING_NURSE)
    consent = add_consent(resident, caremanager)
    return Personas(
        net_a=net_a, net_b=net_b, net_c=net_c,
        clinic_a=clinic_a, nursing_a=nursing_a, care_office_a=care_office_a,
        pharmacy_a=pharmacy_a, city_hall_a=city_hall_a, nursing_b=nursing_b,
        city_hall_c=city_hall_c,
        doctor=doctor, nurse=nurse, caremanager=caremanager, pharmacist=pharmacist,
        operator_a=operator_a, nurse_b=nurse_b, operator_c=operator_c,
        resident=resident, consent=consent,
    )  # fmt: skip

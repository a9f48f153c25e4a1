"""Load the demo data set (renrakucho.demo.data) idempotently.

Every row is looked up by its natural key first and created only when missing; existing rows
are never changed, so a second run writes nothing and what people did with the demo survives
(a member who left a team is not re-added, a revoked consent is not restored). The seed of
Networks, people and residents writes no audit rows (it is not anyone's access to resident
data); the demo timeline (demo.timeline) is written through the services as the demo users,
with their audit rows and notifications.
"""

from __future__ import annotations

import importlib
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from renrakucho.accounts.models import Occupation, User
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import MedicalArea, Municipality, Network, OperatorRole
from renrakucho.residents.models import CareTeamMember, Consent, KeyPerson, Resident

from . import data
from .agreements import seed_agreements
from .chat import seed_chat
from .facility_status import seed_facility_status
from .groups import seed_groups
from .meetings import seed_meetings
from .timeline import seed_timeline


@transaction.atomic
def seed_demo() -> Counter:
    """Create whatever of the demo data set is missing. Returns counts of rows created."""
    created: Counter = Counter()
    now = timezone.now()

    area, new = MedicalArea.objects.get_or_create(
        prefecture=data.MEDICAL_AREA[0], name=data.MEDICAL_AREA[1]
    )
    created["medical areas"] += new
    municipalities = {}
    for code, name, kana in data.MUNICIPALITIES:
        municipality, new = Municipality.objects.get_or_create(
            code=code, defaults={"name": name, "name_kana": kana, "medical_area": area}
        )
        municipalities[code] = municipality
        created["municipalities"] += new

    networks = {}
    for spec in data.NETWORKS:
        network, new = Network.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "operator_organisation": spec.operator_organisation,
                "contact": spec.contact,
            },
        )
        if new:
            network.municipalities.add(municipalities[spec.municipality_code])
        networks[spec.slug] = network
        created["networks"] += new

    facilities = {}
    for spec in data.FACILITIES:
        facility, new = Facility.objects.get_or_create(
            network=networks[spec.network],
            name=spec.name,
            defaults={
                "name_kana": spec.name_kana,
                "facility_type": spec.facility_type,
                "facility_number": spec.facility_number,
                "address": spec.address,
                "phone": spec.phone,
                "status": Facility.Status.APPROVED,
                "decided_at": now,
            },
        )
        facilities[spec.key] = facility
        created["facilities"] += new

    occupations = _occupations(created)
    users = {}
    password_hash = None
    for spec in data.USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            # Hashed once for every demo account (one shared, published password): Argon2
            # per account would be most of the seed's time.
            password_hash = password_hash or make_password(data.PASSWORD)
            user = User(username=spec.username, name=spec.name, name_kana=spec.name_kana)
            user.password = password_hash
            user.save()
            user.occupations.add(*(occupations[code] for code in spec.occupations))
            created["users"] += 1
        users[spec.username] = user
        facility = facilities[spec.facility]
        if not Affiliation.objects.filter(user=user, facility=facility).exists():
            Affiliation.objects.create(
                user=user,
                facility=facility,
                is_admin=spec.admin,
                status=Affiliation.Status.ACTIVE,
                approved_at=now,
            )
            created["affiliations"] += 1
        if spec.operator_of:
            _, new = OperatorRole.objects.get_or_create(
                network=networks[spec.operator_of], user=user
            )
            created["operator roles"] += new

    for spec in data.RESIDENTS:
        _seed_resident(spec, networks[spec.network], users, now, created)
    # Before the timeline: 田中 一郎's team has a member of 南箕輪村, who may act (and post)
    # for him only while the Agreement is in force.
    seed_agreements(users, facilities, networks, created)
    # Posts, lists and notices go through the services (which audit and notify).
    seed_timeline(users, created)
    seed_groups(users, facilities, networks, created)
    seed_chat(users, facilities, networks, created)
    seed_facility_status(users, facilities, networks, created)
    seed_meetings(users, facilities, networks, created)  # after groups: group meetings
    return created


def _occupations(created: Counter) -> dict[str, Occupation]:
    """The 職種 list, restored from its data migration when missing: a TransactionTestCase
    (the browser tests) flushes every table, migration-seeded rows included."""
    occupations = {o.code: o for o in Occupation.objects.all()}
    migration = importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations")
    for order, (code, name, category) in enumerate(migration.OCCUPATIONS, start=1):
        if code not in occupations:
            occupations[code] = Occupation.objects.create(
                code=code, name=name, category=category, sort_order=order * 10
            )
            created["occupations"] += 1
    return occupations


def _seed_resident(spec: data.ResidentSpec, network, users, now, created: Counter) -> None:
    lead = users[spec.team[0][0]]
    # Seeding is an operator job with no user: the natural-key lookup is not an access path.
    resident = Resident.objects.filter(
        network=network, name=spec.name, birth_date=spec.birth_date
    ).first()
    if resident is None:
        resident = Resident(
            network=network,
            name=spec.name,
            name_kana=spec.name_kana,
            birth_date=spec.birth_date,
            sex=spec.sex,
            care_level=spec.care_level,
            address=spec.address,
            latitude=spec.latitude,
            longitude=spec.longitude,
            phone=spec.phone,
            note=spec.note,
            primary_doctor=users.get(spec.primary_doctor),
            created_by=lead,
            **{flag: True for flag in spec.flags},
        )
        resident.full_clean()
        resident.save()
        created["residents"] += 1

    if not KeyPerson.objects.filter(resident=resident).exists():
        KeyPerson.objects.bulk_create(
            KeyPerson(
                resident=resident,
                name=kp.name,
                name_kana=kp.name_kana,
                relation=kp.relation,
                phone=kp.phone,
                address=kp.address,
                is_guardian=kp.is_guardian,
            )
            for kp in spec.key_persons
        )
        created["key persons"] += len(spec.key_persons)

    if spec.consent is not None and not Consent.objects.filter(resident=resident).exists():
        c = spec.consent
        consent = Consent(
            resident=resident,
            consenter=Consent.Consenter.PROXY if c.proxy else Consent.Consenter.SELF,
            proxy_name=c.proxy[0] if c.proxy else "",
            proxy_relation=c.proxy[1] if c.proxy else "",
            consented_on=c.consented_on,
            scope_team=True,
            scope_family=c.family,
            scope_emergency=c.emergency,
            scope_cross_network=c.cross_network,
            recorded_by=lead,
            revoked_on=c.revoked_on,
            revocation_reason=c.revocation_reason,
            revoked_by=lead if c.revoked_on else None,
        )
        consent.full_clean()
        consent.save()
        created["consents"] += 1

    already = set(
        CareTeamMember.objects.filter(resident=resident).values_list("user__username", flat=True)
    )
    for position, (username, role) in enumerate(spec.team):
        if username in already:
            continue
        CareTeamMember.objects.create(
            resident=resident,
            user=users[username],
            role=role,
            is_lead=position == 0,
            status=CareTeamMember.Status.ACTIVE,
            invited_by=lead,
            joined_at=now,
        )
        created["team members"] += 1

"""make bench: response time and query count of the main pages at two data sizes.

Method: Django's test client, in process (no HTTP server, no network), against a throwaway
test database made the way the test suite makes it — in-memory SQLite by default, or
`test_<name>` on PostgreSQL when DATABASE_URL is set — and dropped at the end. The figures
measure the application (middleware, views, ORM, templates, audit writes); `ratio` divides
each p50 by the p50 of /healthz measured in the same run at the same size, which is the
comparable number across machines.

Prints one JSON line per (page, size):
    {"name", "rows", "p50_ms", "p95_ms", "queries", "status", "ratio"}
A page that does not exist yet is reported with "error": "missing route (404)".

Then the timeline (bench/timeline.py): the first page of a resident's timeline, as a page and
through the API, for a resident with 1,000 posts and one with 100,000 ("rows" = posts), and
one line per measure comparing them (p95 ratio, query counts, API p95 under 50 ms).

    .venv/bin/python bench/run.py [--sizes 20,2000] [--timeline-sizes 1000,100000]
                                  [--requests 30] [--budget 10] [--explain]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renrakucho.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "true")
os.environ.pop("REDIS_URL", None)
# Keep the developer's var/ (SQLite file, secret key) out of it.
os.environ.setdefault("RENRAKUCHO_VAR_DIR", tempfile.mkdtemp(prefix="renrakucho-bench-"))
Path(os.environ["RENRAKUCHO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from renrakucho.accounts.models import ApiToken, Occupation, User  # noqa: E402
from renrakucho.core.text import fold  # noqa: E402
from renrakucho.facilities.models import Affiliation, Facility  # noqa: E402
from renrakucho.networks.models import Network  # noqa: E402
from renrakucho.residents.models import (  # noqa: E402
    CareTeamMember,
    Consent,
    KeyPerson,
    Resident,
)

FAMILY = [("山田", "ヤマダ"), ("伊藤", "イトウ"), ("小松", "コマツ"), ("北原", "キタハラ"),
          ("春日", "カスガ"), ("唐澤", "カラサワ"), ("有賀", "アルガ"), ("酒井", "サカイ"),
          ("小池", "コイケ"), ("田中", "タナカ"), ("宮下", "ミヤシタ"), ("中村", "ナカムラ")]  # fmt: skip
GIVEN = [("花子", "ハナコ"), ("正男", "マサオ"), ("トミ", "トミ"), ("武", "タケシ"),
         ("キヨ", "キヨ"), ("清", "キヨシ"), ("ハル", "ハル"), ("義雄", "ヨシオ"),
         ("ふみ", "フミ"), ("勇", "イサム"), ("サダ", "サダ")]  # fmt: skip


class Bench:
    def __init__(self) -> None:
        self.network = Network.objects.create(
            name="ベンチ電子@連絡帳", slug="bench", operator_organisation="ベンチ市"
        )
        self.facility = Facility.objects.create(
            network=self.network,
            name="ベンチ居宅介護支援事業所",
            facility_type="care_management",
            address="長野県伊那市荒井3500",
            phone="0265-00-0000",
            status=Facility.Status.APPROVED,
        )
        self.user = self._user("bench-cm", "care_manager")
        self.colleagues = [self._user("bench-dr", "doctor"), self._user("bench-ns", "nurse")]
        self.client = Client()
        self.client.force_login(
            self.user, backend="renrakucho.accounts.backends.AffiliatedUserBackend"
        )
        self.anonymous = Client()
        _, raw = ApiToken.issue(user=self.user, name="bench")
        self.api_headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        self.residents = 0
        self.first_resident = None

    def _user(self, username: str, occupation: str) -> User:
        user = User.objects.create_user(username, None, name=username, name_kana="ベンチ")
        user.occupations.add(Occupation.objects.get(code=occupation))
        Affiliation.objects.create(
            user=user, facility=self.facility, status=Affiliation.Status.ACTIVE
        )
        return user

    def grow_to(self, rows: int) -> None:
        """Residents on the bench user's team (lead), each with two colleagues, a consent in
        force and a key person: every list the user sees has `rows` entries."""
        now = timezone.now()
        today = timezone.localdate()
        new = []
        for i in range(self.residents, rows):
            family, family_kana = FAMILY[i % len(FAMILY)]
            given, given_kana = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
            name, kana = f"{family} {given}", f"{family_kana} {given_kana}"
            new.append(
                Resident(
                    network=self.network,
                    name=name,
                    name_kana=kana,
                    birth_date=datetime.date(1930 + i % 25, 1 + i % 12, 1 + i % 28),
                    sex="female" if i % 2 else "male",
                    care_level="care_2",
                    address="長野県伊那市荒井3428",
                    created_by=self.user,
                    search_key=fold(f"{name} {kana}"),
                )
            )
        created = Resident.objects.bulk_create(new)  # pks set on PostgreSQL and SQLite 3.35+
        members, consents, keys = [], [], []
        for resident in created:
            for position, user in enumerate([self.user, *self.colleagues]):
                members.append(
                    CareTeamMember(
                        resident=resident,
                        user=user,
                        role=["care_manager", "primary_doctor", "visiting_nurse"][position],
                        is_lead=position == 0,
                        status=CareTeamMember.Status.ACTIVE,
                        joined_at=now,
                        invited_by=self.user,
                    )
                )
            consents.append(
                Consent(
                    resident=resident,
                    consenter=Consent.Consenter.SELF,
                    consented_on=today - datetime.timedelta(days=30),
                    recorded_by=self.user,
                )
            )
            keys.append(KeyPerson(resident=resident, name="家族 太郎", relation="長男"))
        CareTeamMember.objects.bulk_create(members)
        Consent.objects.bulk_create(consents)
        KeyPerson.objects.bulk_create(keys)
        self.residents = rows
        if self.first_resident is None:
            self.first_resident = Resident.objects.order_by("id").first()

    def pages(self):
        uuid = self.first_resident.uuid
        return [
            ("healthz", self.anonymous, "/healthz", {}),
            ("dashboard", self.client, "/", {}),
            ("resident_list", self.client, "/residents/", {}),
            ("resident_search", self.client, "/residents/?q=やまだ", {}),
            ("resident_card", self.client, f"/residents/{uuid}/", {}),
            ("api_residents", self.anonymous, "/api/v1/residents", self.api_headers),
        ]


def measure(client, path, headers, *, requests: int, budget: float) -> dict:
    response = client.get(path, **headers)  # warm-up (template and URL caches)
    if response.status_code == 404:
        return {"error": "missing route (404)", "status": 404}
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}", "status": response.status_code}
    with CaptureQueriesContext(connection) as captured:
        client.get(path, **headers)
    # Counted now: the next request's request_started signal empties the connection's log.
    queries = len(captured)
    gc.collect()  # every series starts with the same garbage collector state
    timings = []
    started = time.perf_counter()
    while len(timings) < requests and (len(timings) < 5 or time.perf_counter() - started < budget):
        t0 = time.perf_counter()
        client.get(path, **headers)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(p95, 2),
        "queries": queries,
        "status": 200,
        "samples": len(timings),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,2000", help="resident counts (default 20,2000)")
    parser.add_argument(
        "--timeline-sizes",
        default="1000,100000",
        help="posts of the timeline residents (default 1000,100000; empty to skip)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plans of the timeline queries at the largest size (stderr)",
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per page at most")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(
        f"# bench: Django test client in process; throwaway {connection.vendor} database "
        f"({connection.settings_dict['NAME']}); sizes {sizes}",
        file=sys.stderr,
    )
    failures = 0
    try:
        bench = Bench()
        for rows in sizes:
            bench.grow_to(rows)
            baseline = None
            for name, client, path, headers in bench.pages():
                result = measure(client, path, headers, requests=args.requests, budget=args.budget)
                line = {"name": name, "rows": rows, **result}
                if name == "healthz" and "p50_ms" in result:
                    baseline = result["p50_ms"]
                if baseline and "p50_ms" in result:
                    line["ratio"] = round(result["p50_ms"] / baseline, 1)
                failures += "error" in result and result.get("status") != 404
                print(json.dumps(line, ensure_ascii=False), flush=True)
        timeline_sizes = [int(size) for size in args.timeline_sizes.split(",") if size.strip()]
        if timeline_sizes:
            from bench.timeline import run as run_timeline

            failures += run_timeline(
                bench,
                measure,
                sizes=timeline_sizes,
                requests=args.requests,
                budget=args.budget,
                show_plans=args.explain,
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

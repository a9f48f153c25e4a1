"""make bench, the timeline part: the first page of a resident's timeline at 1,000 and
100,000 posts, as a page and through the API.

The data is the benchmark's own, written with bulk_create in batches (not through the
services): one resident per size, on the bench user's team with four colleagues, with
  - posts of every kind from the five members (the bench user's own among them), 5 % of
    them medical-only (hidden from the bench user, a care manager), the newest 10 unread;
  - vital signs on ~30 % of posts, a photo or PDF attachment on ~5 %;
  - read receipts by ~3 readers a post (team members other than the author).

Measured (run.measure: one warm-up, then up to `requests` timed requests; the query count of
one request):
  timeline_page  GET /residents/<uuid>/timeline/
  api_posts      GET /api/v1/residents/<uuid>/posts   (bearer token)

Then one line per measure comparing the sizes: the p95 ratio (largest size / smallest, target
≤ 1.5), whether the query count is the same, and for the API whether p95 < 50 ms.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.accounts.models import Occupation, User
from renrakucho.core.text import fold
from renrakucho.facilities.models import Affiliation
from renrakucho.residents.models import CareTeamMember, Consent, Resident
from renrakucho.timeline.models import Attachment, Post, ReadReceipt, VitalSigns

BATCH = 2000
P95_RATIO_TARGET = 1.5
API_P95_TARGET_MS = 50.0

BODIES = [
    ("visit", "訪問看護。血圧安定、両膝の痛みはNRS 3程度。シャワー浴の介助を行い皮膚トラブルなし。"
              "お薬カレンダーを確認し、飲み忘れなし。下肢の筋力訓練を一緒に実施しました。"),
    ("life", "調理・掃除で訪問。昼食はご飯半膳・煮物・味噌汁をほぼ全量。水分はお茶3杯。"
             "排便あり（普通便）。テレビの相撲の話で笑顔が多く、機嫌良好でした。"),
    ("medication", "居宅療養管理指導。28日分をお薬カレンダーにセット（朝・夕）。残薬はなし。"
                   "湿布の使用量を確認し、1日1枚を守れています。"),
    ("vitals", "定時のバイタル測定。特記事項なし。"),
    ("message", "来週火曜のデイサービスは祝日のため水曜に変更になりました。送迎は9時ごろです。"),
    ("consultation", "夜間に何度か目が覚めるとのこと。日中の過ごし方について、次回の担当者会議で"
                     "相談させてください。"),
    ("report", "サービス担当者会議を開催しました。決定事項：週1回のデイサービスを継続、"
               "入浴は訪問看護時のシャワー浴を継続。"),
    ("medical_care", "右前腕の創の処置。滲出液少量、発赤・熱感なし。ドレッシング材を交換しました。"),
]  # fmt: skip
FOLDED = [(kind, body, fold(body)) for kind, body in BODIES]
COLLEAGUES = [
    ("bench-tl-ph", "pharmacist"),
    ("bench-tl-hh", "home_helper"),
]


def _bulk(model, rows: list) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH])
    return created


class TimelineData:
    """Residents with `n` posts each, on the team of `bench.user` with its colleagues."""

    def __init__(self, bench) -> None:
        self.bench = bench
        self.members = [bench.user, *bench.colleagues]
        for username, occupation in COLLEAGUES:
            user = User.objects.filter(username=username).first() or self._user(
                username, occupation
            )
            self.members.append(user)

    def _user(self, username: str, occupation: str) -> User:
        user = User.objects.create_user(username, None, name=username, name_kana="ベンチ")
        user.occupations.add(Occupation.objects.get(code=occupation))
        Affiliation.objects.create(
            user=user, facility=self.bench.facility, status=Affiliation.Status.ACTIVE
        )
        return user

    def resident(self, posts: int) -> Resident:
        bench = self.bench
        now = timezone.now()
        name = f"時系 {posts}件"
        resident = Resident.objects.create(
            network=bench.network,
            name=name,
            name_kana="ジケイ",
            birth_date=datetime.date(1938, 4, 12),
            sex="female",
            care_level="care_2",
            address="長野県伊那市荒井3428",
            created_by=bench.user,
            search_key=fold(f"{name} ジケイ"),
        )
        roles = ["care_manager", "primary_doctor", "visiting_nurse", "pharmacist", "home_helper"]
        CareTeamMember.objects.bulk_create(
            CareTeamMember(
                resident=resident,
                user=user,
                role=role,
                is_lead=user == bench.user,
                status=CareTeamMember.Status.ACTIVE,
                joined_at=now,
                invited_by=bench.user,
            )
            for user, role in zip(self.members, roles, strict=True)
        )
        Consent.objects.create(
            resident=resident,
            consenter=Consent.Consenter.SELF,
            consented_on=timezone.localdate() - datetime.timedelta(days=30),
            recorded_by=bench.user,
        )
        started = time.perf_counter()
        for start in range(0, posts, 10_000):
            self._posts(resident, start, min(posts, start + 10_000), total=posts)
        print(
            f"# bench: {posts:,} posts with vitals, attachments and read receipts seeded in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        return resident

    def _posts(self, resident: Resident, start: int, stop: int, *, total: int) -> None:
        """Posts number start … stop-1 (oldest first), with their vitals, attachments and
        read receipts."""
        members = self.members
        network_id = self.bench.network.pk
        first = timezone.now() - datetime.timedelta(minutes=30 * total)
        rows = []
        for i in range(start, stop):
            kind, body, key = FOLDED[i % len(FOLDED)]
            rows.append(
                Post(
                    resident=resident,
                    author=members[(i * 7) % len(members)],
                    author_network_id=network_id,
                    kind=kind,
                    body=body,
                    visited_at=first + datetime.timedelta(minutes=30 * i)
                    if kind == "visit"
                    else None,
                    visibility="medical" if i % 20 == 7 else "team",
                    urgent=i % 200 == 3,
                    search_key=key,
                )
            )
        posts = _bulk(Post, rows)
        vitals, attachments, receipts = [], [], []
        for i, post in zip(range(start, stop), posts, strict=True):
            at = first + datetime.timedelta(minutes=30 * i)
            if i % 10 < 3:  # 30 %
                vitals.append(
                    VitalSigns(
                        post=post,
                        resident=resident,
                        measured_at=at,
                        systolic=120 + i % 30,
                        diastolic=70 + i % 15,
                        pulse=60 + i % 25,
                        temperature=Decimal("36.0") + Decimal(i % 10) / 10,
                        spo2=94 + i % 5,
                        abnormal=[],
                    )
                )
            if i % 20 == 11:  # 5 %
                pdf = i % 40 == 11
                attachments.append(
                    Attachment(
                        post=post,
                        resident=resident,
                        uploaded_by=post.author,
                        kind=Attachment.Kind.PDF if pdf else Attachment.Kind.PHOTO,
                        file=f"timeline/bench/{post.uuid.hex}.{'pdf' if pdf else 'jpg'}",
                        thumbnail=f"timeline/thumbs/bench/{post.uuid.hex}.jpg",
                        content_type="application/pdf" if pdf else "image/jpeg",
                        size=180_000 + i % 1000,
                        width=None if pdf else 1280,
                        height=None if pdf else 960,
                    )
                )
            # ~3 readers: every other member but the author (4), the bench user's own
            # reading left out for the newest 10 and every fourth reader skipped.
            readers = [m for m in members if m.pk != post.author_id]
            for number, reader in enumerate(readers):
                if reader == self.bench.user and i >= total - 10:
                    continue
                if (i + number) % 4 == 0 and reader != self.bench.user:
                    continue
                if post.visibility == "medical" and reader.username in (
                    "bench-cm",
                    "bench-tl-hh",
                ):
                    continue
                receipts.append(
                    ReadReceipt(
                        post=post, user=reader, read_at=at + datetime.timedelta(minutes=number)
                    )
                )
        _bulk(VitalSigns, vitals)
        _bulk(Attachment, attachments)
        _bulk(ReadReceipt, receipts)


def analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would have done on
    a production PostgreSQL database long before a resident reached 100,000 posts."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def explain(client, path: str, headers: dict) -> None:
    """Print each SELECT of one request with its plan (EXPLAIN ANALYZE), to stderr."""
    with CaptureQueriesContext(connection) as captured:
        client.get(path, **headers)
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    for number, query in enumerate(captured.captured_queries, start=1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            plan = "\n    ".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        print(f"# {path} query {number} ({query['time']} s):\n  {sql}\n    {plan}", file=sys.stderr)


def run(
    bench, measure, *, sizes: list[int], requests: int, budget: float, show_plans: bool = False
) -> int:
    """Seed and measure; prints JSON lines. Returns the number of failed measures (errors,
    not missed targets: those are reported in the comparison lines). With `show_plans`, the
    plans of the queries at the largest size go to stderr."""
    data = TimelineData(bench)
    results: dict[str, dict[int, dict]] = {}
    failures = 0
    # Every resident is seeded before anything is measured: the small timeline is measured in
    # the same large tables as the big one, as it would be in production.
    residents = {size: data.resident(size) for size in sorted(sizes)}
    analyze()
    for size, resident in residents.items():
        pages = [
            ("timeline_page", bench.client, f"/residents/{resident.uuid}/timeline/", {}),
            (
                "api_posts",
                bench.anonymous,
                f"/api/v1/residents/{resident.uuid}/posts",
                bench.api_headers,
            ),
        ]
        for name, client, path, headers in pages:
            result = measure(client, path, headers, requests=requests, budget=budget)
            results.setdefault(name, {})[size] = result
            failures += "error" in result
            print(json.dumps({"name": name, "rows": size, **result}), flush=True)
            if show_plans and size == max(sizes):
                explain(client, path, headers)
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        for name, by_size in results.items():
            a, b = by_size.get(small, {}), by_size.get(large, {})
            if "p95_ms" not in a or "p95_ms" not in b:
                continue
            line = {
                "name": f"{name}_p95_ratio",
                "rows": f"{large}/{small}",
                "ratio": round(b["p95_ms"] / a["p95_ms"], 2),
                "ratio_ok": b["p95_ms"] / a["p95_ms"] <= P95_RATIO_TARGET,
                "queries": [a["queries"], b["queries"]],
                "queries_ok": a["queries"] == b["queries"],
            }
            if name == "api_posts":
                line["p95_under_50ms"] = max(a["p95_ms"], b["p95_ms"]) < API_P95_TARGET_MS
            print(json.dumps(line), flush=True)
            missed = [key for key, value in line.items() if key.endswith("ok") and not value]
            missed += ["p95_under_50ms"] if line.get("p95_under_50ms") is False else []
            if missed:
                print(f"# bench: {name} missed {', '.join(missed)}", file=sys.stderr)
    return failures

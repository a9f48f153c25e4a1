"""The demo timeline: a month of 山田 花子's care as her team would write it, a few posts on
other residents (田中 一郎's by 南箕輪村's visiting nurse too: 広域連携), her medication and
disease lists, and two notices of 伊那市's operator.

Times are relative to the day the seed runs: `(days ago, "HH:MM")` local time, or an int for
"hours ago". Keys (`key=`) tie comments, acknowledgements, requests and edits to their post.
Everything is fictional; drug names are ordinary generic names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

When = tuple[int, str] | int


@dataclass(frozen=True)
class PdfSpec:
    filename: str
    # The first line is the title. "{start}" / "{end}" become 和暦 dates of the seed's day and
    # six months later.
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PostSpec:
    key: str
    when: When
    author: str
    kind: str
    body: str
    vitals: dict | None = None
    visibility: str = "team"
    urgent: bool = False
    photo: str = ""  # file name of a generated wound photo
    pdf: PdfSpec | None = None


@dataclass(frozen=True)
class CommentSpec:
    post: str
    minutes: int  # after the post
    author: str
    body: str


@dataclass(frozen=True)
class AckSpec:
    post: str
    minutes: int
    user: str


@dataclass(frozen=True)
class RequestSpec:
    """A request (依頼) on `post`, by its author to `assignee`, due `due_in_days` from the
    seed's day (negative: in the past, for one already done). `moves` are the assignee's
    (status, minutes after the post, note)."""

    post: str
    assignee: str
    due_in_days: int
    moves: tuple[tuple[str, int, str], ...] = ()


@dataclass(frozen=True)
class EditSpec:
    post: str
    minutes: int
    body: str


@dataclass(frozen=True)
class TimelineSpec:
    network: str
    resident: str  # name, as in data.RESIDENTS
    posts: tuple[PostSpec, ...]
    comments: tuple[CommentSpec, ...] = ()
    acks: tuple[AckSpec, ...] = ()
    requests: tuple[RequestSpec, ...] = ()
    edits: tuple[EditSpec, ...] = ()
    # Posts this recent are read only by these team members (the rest by everyone who may
    # see them), so the dashboard shows unread counts.
    recent_hours: int = 72
    recent_readers: tuple[str, ...] = ()


CM, DR, NS, PH, HH = (
    "demo-caremanager",
    "demo-doctor",
    "demo-nurse",
    "demo-pharmacist",
    "demo-helper",
)


def _v(bp: str = "", pulse=None, temp=None, spo2=None, resp=None, pain=None, **more) -> dict:
    """Vitals as the API takes them: _v("138/78", 72, "36.4", 96)."""
    values: dict = dict(more)
    if bp:
        systolic, diastolic = bp.split("/")
        values.update(systolic=int(systolic), diastolic=int(diastolic))
    for key, value in (
        ("pulse", pulse),
        ("temperature", temp),
        ("spo2", spo2),
        ("respiration", resp),
        ("pain", pain),
    ):
        if value is not None:
            values[key] = value
    return values


INSTRUCTION_PDF = PdfSpec(
    "houmon-kango-shijisho.pdf",
    (
        "訪問看護指示書（見本）",
        "Home-visit nursing instructions - demo sample",
        "患者氏名　山田 花子 様（昭和13年4月12日生）",
        "指示期間　{start} 〜 {end}",
        "主たる傷病名　高血圧症、変形性膝関節症",
        "現在の状況　杖歩行、屋内自立。両膝痛（NRS 2〜4）。",
        "留意事項及び指示事項",
        "　1. 血圧・SpO2の観察（SpO2 90%未満は主治医へ連絡）",
        "　2. 転倒予防のための下肢筋力訓練・歩行の見守り",
        "　3. 服薬状況の確認（お薬カレンダー）",
        "　4. 皮膚の観察、必要時創傷処置",
        "緊急時の連絡先　いなまち内科クリニック 0265-00-1101",
        "医療機関名　いなまち内科クリニック　医師　宮坂 誠",
        "（デモ用の架空の文書です）",
    ),
)

NOTICE_PDF = PdfSpec(
    "nenmatsu-nenshi-renraku-taisei.pdf",
    (
        "年末年始の連絡体制（一覧）",
        "Year-end contact list - demo sample",
        "対象期間　{start} 〜",
        "伊那市 高齢者福祉課　0265-00-1110（平日 8:30〜17:15）",
        "伊那市地域包括支援センター　0265-00-1109",
        "上伊那広域消防本部 伊那消防署　0265-00-1111",
        "休日当番医は市報・市ホームページでご確認ください。",
        "（デモ用の架空の文書です）",
    ),
)

YAMADA = TimelineSpec(
    network="ina",
    resident="山田 花子",
    posts=(
        PostSpec(
            "cm-monitoring",
            (29, "09:30"),
            CM,
            "visit",
            "月1回のモニタリング訪問。ご本人「膝は寒くなると痛むけど、杖があれば家の中は"
            "大丈夫」。訪問介護（週3回）・訪問看護（週1回）・訪問診療（月2回）とも利用状況に"
            "問題なし。長男の一郎さんから、冬場の入浴が心配との話あり。次回のサービス担当者"
            "会議で相談します。",
        ),
        PostSpec(
            "ns-29",
            (29, "14:10"),
            NS,
            "visit",
            "訪問看護。血圧安定。両膝の痛みはNRS 3程度で、屋内は杖歩行で安定。シャワー浴の"
            "介助を行い、皮膚トラブルなし。お薬カレンダーを確認し、飲み忘れなし。",
            _v("138/78", 72, "36.4", 96, 16, pain=3),
        ),
        PostSpec(
            "hh-28",
            (28, "10:05"),
            HH,
            "life",
            "調理・掃除で訪問。昼食はご飯半膳・かぼちゃの煮物・味噌汁をほぼ全量。水分はお茶を"
            "3杯。排便あり（普通便）。テレビの相撲の話で笑顔が多く、機嫌良好でした。",
        ),
        PostSpec(
            "dr-28",
            (28, "15:30"),
            DR,
            "visit",
            "定期訪問診療。血圧はやや高めですが家庭血圧は130台で推移しており、アムロジピン"
            "5mgを継続します。膝痛はセレコキシブで自制内。次回採血予定。処方は前回どおり"
            "（28日分）。",
            _v("142/80", 70, "36.5", 96, 16, pain=3),
        ),
        PostSpec(
            "ph-27",
            (27, "16:00"),
            PH,
            "medication",
            "居宅療養管理指導。28日分をお薬カレンダーにセット（朝・夕）。残薬はセレコキシブ"
            "2錠、マグミット4錠。便がゆるい日は飲んでいないとのこと。マグミットの調整について"
            "主治医の先生に相談させてください。",
        ),
        PostSpec(
            "hh-26",
            (26, "10:00"),
            HH,
            "life",
            "掃除・買い物で訪問。朝食はパンと牛乳、昼食は配食弁当を8割。排尿は日中5回、"
            "排便なし（2日目）。「膝が少し痛い」と話されるが、表情は穏やか。",
        ),
        PostSpec(
            "ns-26",
            (26, "14:00"),
            NS,
            "visit",
            "訪問看護。下肢のむくみ軽度（両足首）。下肢の筋力訓練（椅子からの立ち上がり10回）"
            "を一緒に実施。腹部の張りなし、排便は2日なし。水分を多めにとるよう声かけ。",
            _v("136/76", 74, "36.6", 97, 16, pain=2),
        ),
        PostSpec(
            "hh-25",
            (25, "11:00"),
            HH,
            "life",
            "買い物代行（牛乳・豆腐・バナナ・トイレットペーパー）。夜間2回トイレに起きる"
            "とのこと、ふらつきなし。排便あり。",
        ),
        PostSpec(
            "hh-23",
            (23, "10:00"),
            HH,
            "life",
            "昼食は配食弁当を7割。「最近、夜よく眠れない。3時ごろ目が覚めてしまう」と"
            "話されました。日中はこたつでうとうとしていることが多いです。",
        ),
        PostSpec(
            "cm-sleep",
            (23, "18:00"),
            CM,
            "consultation",
            "ヘルパーさんから、夜眠れないとの話があったと連絡がありました。次回の往診で先生に"
            "ご相談させてください。日中の活動量を増やすため、デイサービスの利用も検討します。",
        ),
        PostSpec(
            "ns-22",
            (22, "14:00"),
            NS,
            "visit",
            "訪問看護。睡眠について伺う：寝つきは良いが3時ごろに目が覚める。昼寝が2時間ほど"
            "ある。日中の過ごし方（散歩、洗濯物たたみ）を一緒に考えました。",
            _v("134/76", 70, "36.5", 96, 16, pain=2),
        ),
        PostSpec(
            "hh-21",
            (21, "10:00"),
            HH,
            "life",
            "調理（けんちん汁・焼き魚）。昼食は全量。排便あり。洗濯物たたみを一緒に行い、"
            "「こういうのは得意なのよ」と楽しそうでした。",
        ),
        PostSpec(
            "dr-pdf",
            (20, "17:00"),
            DR,
            "report",
            "訪問看護指示書（次期分）を発行しました。PDFを添付します（原本は訪問看護"
            "ステーション あおばへ郵送します）。転倒予防のための下肢筋力訓練を指示に加えて"
            "います。",
            pdf=INSTRUCTION_PDF,
        ),
        PostSpec(
            "hh-19",
            (19, "10:00"),
            HH,
            "life",
            "昼食はおにぎり1個と味噌汁。水分はお茶2杯と牛乳。排尿・排便とも問題なし。"
            "夜は0時と4時に目が覚めたとのこと。",
        ),
        PostSpec(
            "ns-19",
            (19, "14:00"),
            NS,
            "visit",
            "訪問看護。シャワー浴介助。皮膚乾燥あり、保湿剤を塗布。下肢筋力訓練を継続。",
            _v("132/74", 72, "36.3", 97, 16, pain=2),
        ),
        PostSpec(
            "cm-meeting",
            (16, "13:30"),
            CM,
            "report",
            "サービス担当者会議をご本人宅で開催しました（ご本人、長男、医師、看護師、薬剤師、"
            "ヘルパー、ケアマネジャー）。決定事項：①週1回デイサービス（ひだまり）を試行する"
            "②入浴は訪問看護時のシャワー浴を継続 ③夜間のトイレまでの動線に足元灯を設置する"
            "（長男が手配）。",
        ),
        PostSpec(
            "hh-16",
            (16, "10:00"),
            HH,
            "life",
            "昼食は煮込みうどんを全量。排便あり。会議の前で少し緊張されていましたが、"
            "「みんなが来てくれてありがたい」と話されていました。",
        ),
        PostSpec(
            "dr-14",
            (14, "10:30"),
            DR,
            "visit",
            "定期訪問診療。採血を実施（結果は後日）。不眠については、まず昼寝を1時間以内に"
            "する工夫から。睡眠薬は転倒のリスクを考え、当面使わない方針です。マグミットは"
            "1日1回（夕食後）に減量します。",
            _v("138/78", 68, "36.4", 96, 16, pain=2),
        ),
        PostSpec(
            "ph-13",
            (13, "16:00"),
            PH,
            "medication",
            "居宅療養管理指導。主治医の指示でマグミットを1日2回から1日1回（夕食後）に変更し、"
            "お薬カレンダーをセットし直しました。残薬なし。",
        ),
        PostSpec(
            "dr-labs",
            (13, "17:30"),
            DR,
            "report",
            "血液検査の結果（前日採血）：Cr 0.92、eGFR 44、K 4.3、Hb 11.8、HbA1c 5.8。"
            "腎機能の軽度低下あり。セレコキシブは継続しますが、長期使用には注意します。"
            "湿布の使い過ぎにも気をつけてください。",
            visibility="medical",
        ),
        PostSpec(
            "hh-12",
            (12, "10:00"),
            HH,
            "life",
            "調理・掃除。昼食は全量。「昼寝は1時間にしているよ」と話されました。昨夜は"
            "一度だけトイレに起きたそうです。",
        ),
        PostSpec(
            "ns-12",
            (12, "14:00"),
            NS,
            "visit",
            "訪問看護。睡眠は少し改善（夜間の覚醒1回）。足元灯が設置されていました。歩行は安定。",
            _v("130/74", 70, "36.5", 97, 16, pain=2),
        ),
        PostSpec(
            "cm-day",
            (11, "09:00"),
            CM,
            "message",
            "デイサービス ひだまりの初回利用が決まりました（来週火曜、送迎は9時ごろ）。"
            "ご本人は少し不安そうですが前向きです。",
        ),
        PostSpec(
            "hh-9",
            (9, "10:00"),
            HH,
            "life",
            "昨日、初めてデイサービスに行かれました。「お風呂が広くて気持ちよかった。"
            "昔の同級生に会えた」と嬉しそう。昼食は全量、排便あり。",
        ),
        PostSpec(
            "ns-8",
            (8, "14:00"),
            NS,
            "visit",
            "訪問看護。デイサービスでの入浴のため、シャワー浴はなし。下肢筋力訓練を実施。"
            "夜はよく眠れているとのこと。",
            _v("128/72", 72, "36.4", 97, 16, pain=2),
        ),
        PostSpec(
            "hh-7",
            (7, "10:00"),
            HH,
            "life",
            "買い物代行と掃除。昼食はご飯1膳・焼き魚・ほうれん草のおひたしを全量。機嫌良好。",
        ),
        PostSpec(
            "hh-fall",
            (6, "10:20"),
            HH,
            "report",
            "【緊急】訪問時、居間で座り込んでいるところを発見しました（朝、トイレから戻る"
            "途中に転倒したとのこと）。意識ははっきりしていて会話もできますが、右膝の痛みが"
            "強く自力で立ち上がれません。右前腕に擦り傷があります。訪問看護ステーションに"
            "電話連絡済みです。",
            urgent=True,
        ),
        PostSpec(
            "ns-wound",
            (6, "11:50"),
            NS,
            "visit",
            "緊急訪問。右前腕に皮膚剥離（3×2cm）あり、洗浄しドレッシング材で保護しました"
            "（写真添付）。右膝の腫れは軽度、杖で歩行可能。頭部打撲なし。",
            _v("152/88", 92, "36.8", 95, 18, pain=5),
            photo="wound-right-forearm.jpg",
        ),
        PostSpec(
            "dr-fall",
            (6, "14:40"),
            DR,
            "visit",
            "臨時往診。右膝打撲。膝の動きに制限なく、骨折を疑う所見はありません。湿布で経過を"
            "みます。痛みが強くなる、腫れが広がる場合は整形外科を受診してください。",
            _v("146/84", 84, "36.7", 96, 16, pain=4),
        ),
        PostSpec(
            "hh-5",
            (5, "10:00"),
            HH,
            "life",
            "転倒後、初めての訪問。右膝の痛みは「昨日より楽」。昼食は全量。トイレまでは"
            "伝い歩きで、付き添いました。",
        ),
        PostSpec(
            "ns-care",
            (5, "15:00"),
            NS,
            "medical_care",
            "右前腕の創の処置。滲出液少量、発赤・熱感なし。ドレッシング材を交換しました。"
            "次回交換は3日後。",
        ),
        PostSpec(
            "cm-equipment",
            (4, "11:00"),
            CM,
            "consultation",
            "転倒を受けて、福祉用具（廊下とトイレの手すり、屋内用の歩行器）の導入を検討して"
            "います。ご意見をください。来週、福祉用具専門相談員と自宅を確認します。",
        ),
        PostSpec(
            "hh-3",
            (3, "10:00"),
            HH,
            "life",
            "昼食は8割。右膝の痛みは軽くなっているとのこと。夜間のトイレは1回。",
        ),
        PostSpec(
            "ns-spo2",
            (3, "14:00"),
            NS,
            "visit",
            "訪問看護。トイレから戻った直後にSpO2 88%。安静10分後に93%まで回復しました。"
            "呼吸苦の訴えなし、肺音は清明、下肢のむくみ軽度。創は順調に治っています。",
            _v("146/84", 96, "36.9", 88, 22, pain=3),
        ),
        PostSpec(
            "ph-2",
            (2, "16:00"),
            PH,
            "medication",
            "臨時訪問。湿布（ロキソプロフェンNaテープ）を追加でお届けしました。1日1枚、"
            "右膝に貼るよう説明。内服はお薬カレンダーどおり飲めています。",
        ),
        PostSpec(
            "hh-1",
            (1, "10:00"),
            HH,
            "life",
            "昼食は全量。排便あり。デイサービスで作った折り紙を見せてくださいました。",
        ),
        PostSpec(
            "ns-1",
            (1, "14:00"),
            NS,
            "visit",
            "訪問看護。安静時SpO2 95%、歩行後も93%を保てています。創はほぼ上皮化。"
            "歩行器の試用について前向きです。",
            _v("134/78", 78, "36.5", 95, 18, pain=2),
        ),
        PostSpec(
            "cm-request",
            5,
            CM,
            "consultation",
            "@demo-doctor 先生、要介護認定の更新申請（有効期間の満了は来月末）にあたり、"
            "主治医意見書の作成をお願いいたします。市から依頼書が届きます。転倒の経過も"
            "ご記載いただけると助かります。",
        ),
        PostSpec(
            "hh-0",
            2,
            HH,
            "life",
            "調理・掃除。昼食はご飯1膳・煮魚・味噌汁を全量。歩行器を使って台所まで歩けていました。",
        ),
    ),
    comments=(
        CommentSpec(
            "ph-27", 180, DR, "情報ありがとうございます。次回の往診でマグミットを減量します。"
        ),
        CommentSpec("cm-sleep", 120, DR, "承知しました。次回の往診でご本人と相談しましょう。"),
        CommentSpec("cm-sleep", 240, NS, "次回の訪問で、睡眠の様子を詳しく伺っておきます。"),
        CommentSpec(
            "dr-pdf", 90, NS, "受け取りました。次回の訪問から下肢筋力訓練を計画に入れます。"
        ),
        CommentSpec(
            "cm-meeting",
            2880,
            HH,
            "足元灯、昨日設置されていました。夜のトイレが明るくなったそうです。",
        ),
        CommentSpec(
            "dr-labs",
            200,
            PH,
            "承知しました。NSAIDsの継続期間と湿布の使用量に注意して見ていきます。",
        ),
        CommentSpec("hh-fall", 10, DR, "了解しました。午後2時半に臨時往診します。"),
        CommentSpec(
            "hh-fall",
            15,
            NS,
            "11時半に緊急訪問します。無理に立たせず、楽な姿勢で待っていてください。",
        ),
        CommentSpec("hh-fall", 60, CM, "長男の一郎さんに連絡しました。夕方に来られるそうです。"),
        CommentSpec("ns-wound", 40, DR, "写真ありがとうございます。往診時に確認します。"),
        CommentSpec(
            "cm-equipment",
            180,
            NS,
            "トイレの手すりは必要だと思います。歩行器は訪問時に試してみます。",
        ),
        CommentSpec(
            "ns-spo2",
            45,
            DR,
            "@demo-nurse 承知しました。次回の往診で心機能を確認します。安静時に90%を"
            "下回るときは、すぐに連絡してください。",
        ),
        CommentSpec(
            "ns-spo2",
            90,
            NS,
            "承知しました。ご本人とご家族にもパルスオキシメーターの見方を説明しました。",
        ),
    ),  # fmt: skip
    acks=(
        AckSpec("hh-fall", 12, DR),
        AckSpec("cm-meeting", 300, NS),
        AckSpec("ns-spo2", 60, CM),
    ),
    requests=(
        # Asked of the doctor, done: マグミット was reduced at the next visit.
        RequestSpec("ph-27", DR, -20, moves=(("accepted", 180, ""), ("done", 19000, "減量済み"))),
        # Open: 主治医意見書, due in three days.
        RequestSpec("cm-request", DR, 3),
    ),
    edits=(
        EditSpec(
            "ns-26",
            25,
            "訪問看護。下肢のむくみ軽度（両足首）。下肢の筋力訓練（椅子からの立ち上がり10回）"
            "を一緒に実施。腹部の張りなし、排便は2日なし。水分を多めにとるよう声かけ。"
            "次回訪問時に排便状況を再確認します。",
        ),
    ),  # fmt: skip
    recent_readers=(CM,),
)

OTHERS = (
    TimelineSpec(
        network="ina",
        resident="伊藤 正男",
        posts=(
            PostSpec(
                "ito-ns-1",
                (12, "13:00"),
                NS,
                "visit",
                "訪問看護。在宅酸素（安静時1L/分）を継続。体重は前回と変わらず、下肢の"
                "むくみなし。息切れは階段でのみ。",
                _v("118/70", 76, "36.3", 95, 18, weight="58.2"),
            ),
            PostSpec(
                "ito-dr-1",
                (9, "15:00"),
                DR,
                "visit",
                "定期訪問診療。心不全の増悪所見なし。利尿薬は継続。奥様の介護疲れがみられるため、"
                "ショートステイの検討をケアマネジャーにお願いします。",
                _v("120/72", 74, "36.4", 95, 18),
            ),
            PostSpec(
                "ito-ns-2",
                (5, "13:00"),
                NS,
                "visit",
                "訪問看護。体重が1週間で1.4kg増加、両足首にむくみあり。主治医に報告済み。",
                _v("128/76", 84, "36.5", 94, 20, weight="59.6"),
            ),
            PostSpec(
                "ito-cm-1",
                (4, "10:00"),
                CM,
                "message",
                "ショートステイの空き状況を確認しました。来月の第2週に3泊で調整中です。",
            ),
        ),  # fmt: skip
        recent_readers=(CM,),
    ),
    TimelineSpec(
        network="ina",
        resident="小松 トミ",
        posts=(
            PostSpec(
                "komatsu-hh-1",
                (6, "11:00"),
                HH,
                "life",
                "おむつ交換・清拭。昼食はミキサー食を全量介助で。むせ込みなし。",
            ),
            PostSpec(
                "komatsu-ns-1",
                (4, "14:00"),
                NS,
                "visit",
                "訪問看護。仙骨部に発赤（1cm）あり、体位変換の間隔を2時間ごとに。エアマット"
                "の圧を確認しました。",
                _v("112/64", 80, "36.8", 95, 18),
            ),
        ),  # fmt: skip
    ),
    # 広域連携: 南箕輪村's visiting nurse (demo-other) writes on a 伊那市 resident's timeline;
    # her posts are marked with her Network.
    TimelineSpec(
        network="ina",
        resident="田中 一郎",
        posts=(
            PostSpec(
                "tanaka-ns-1",
                (10, "10:00"),
                "demo-other",
                "visit",
                "訪問看護（南箕輪村の事業所から）。労作時のSpO2は2L/分で92%まで回復。"
                "呼吸リハビリ（口すぼめ呼吸）を奥様と一緒に練習しました。痰は少量・白色。",
                _v("126/74", 82, "36.5", 92, 20),
            ),
            PostSpec(
                "tanaka-dr-1",
                (7, "14:30"),
                DR,
                "visit",
                "定期訪問診療。COPDの増悪所見なし。吸入薬は継続。冬に向けてインフルエンザ"
                "ワクチンを次回接種します。",
                _v("124/72", 80, "36.4", 93, 19),
            ),
            PostSpec(
                "tanaka-cm-1",
                (2, "09:30"),
                CM,
                "message",
                "南箕輪村の訪問看護と、来月から週2回（月・木）の訪問で調整しました。"
                "長女さん（南箕輪村在住）にもお伝えしています。",
            ),
        ),  # fmt: skip
        recent_readers=(CM,),
    ),
    TimelineSpec(
        network="minamiminowa",
        resident="唐木 よし子",
        posts=(
            PostSpec(
                "karaki-ns-1",
                (8, "10:30"),
                "demo-other",
                "visit",
                "訪問看護。血糖は食後2時間で168。インスリンの自己注射は手技良好。",
                _v("130/80", 72, "36.4", 97, glucose=168),
            ),
            PostSpec(
                "karaki-cm-1",
                (3, "09:00"),
                "mk-caremanager",
                "message",
                "来週から配食サービス（昼）を開始します。糖尿病食で依頼しました。",
            ),
        ),  # fmt: skip
    ),
)

TIMELINES = (YAMADA, *OTHERS)


# --- 山田 花子's medication and disease lists ------------------------------------------------


@dataclass(frozen=True)
class MedicationSpec:
    name: str
    dose: str
    since: datetime.date
    note: str = ""
    until: datetime.date | None = None
    # (days ago, new dose): a later version (an edit keeps the history).
    changed: tuple[int, str] | None = None


@dataclass(frozen=True)
class DiagnosisSpec:
    name: str
    since: datetime.date
    note: str = ""


D = datetime.date
MEDICATIONS_BY = DR
MEDICATIONS = (
    MedicationSpec("アムロジピン錠5mg", "1回1錠 1日1回 朝食後", D(2015, 6, 1)),
    MedicationSpec("セレコキシブ錠100mg", "1回1錠 1日2回 朝夕食後", D(2022, 10, 1),
                   note="膝痛。腎機能に注意"),
    MedicationSpec("レバミピド錠100mg", "1回1錠 1日2回 朝夕食後", D(2022, 10, 1)),
    MedicationSpec("酸化マグネシウム錠330mg（マグミット）", "1回1錠 1日2回 朝夕食後",
                   D(2024, 5, 1), changed=(14, "1回1錠 1日1回 夕食後")),
    MedicationSpec("ロキソプロフェンNaテープ100mg", "1日1回 1枚 右膝に貼付", D(2023, 4, 1)),
    MedicationSpec("ロキソプロフェンNa錠60mg", "1回1錠 1日3回 毎食後", D(2018, 10, 1),
                   until=D(2022, 9, 30), note="胃の不快感のためセレコキシブに変更"),
)  # fmt: skip
DIAGNOSES = (
    DiagnosisSpec("高血圧症", D(2015, 4, 1)),
    DiagnosisSpec("変形性膝関節症（両側）", D(2018, 10, 1), note="杖歩行"),
    DiagnosisSpec("慢性腎臓病（ステージ3b）", D(2023, 9, 1)),
    DiagnosisSpec("便秘症", D(2024, 5, 1)),
)


# --- Notices of 伊那市's operator -------------------------------------------------------------


@dataclass(frozen=True)
class NoticeSpec:
    network: str
    author: str
    days_ago: int
    title: str
    body: str
    confirmation_required: bool = False
    pdf: PdfSpec | None = None
    # Recipients who opened it (and, for 確認必須, confirmed), hours after publication.
    read_by: tuple[tuple[str, int], ...] = field(default_factory=tuple)
    confirmed_by: tuple[tuple[str, int], ...] = field(default_factory=tuple)


NOTICES = (
    NoticeSpec(
        "ina", "demo-operator", 12,
        "年末年始の在宅医療・介護の連絡体制について",
        "年末年始の休業期間中の連絡先と休日当番医の確認方法を一覧にまとめました（PDF）。"
        "支援チームの緊急時の連絡方法を、あらかじめご本人・ご家族と確認しておいてください。\n\n"
        "伊那市 保健福祉部 高齢者福祉課",
        pdf=NOTICE_PDF,
        read_by=(("demo-caremanager", 2), ("demo-nurse", 5), ("demo-pharmacist", 26)),
    ),
    NoticeSpec(
        "ina", "demo-operator", 2,
        "【確認必須】避難行動要支援者の個別避難計画の見直しについて",
        "避難行動要支援者名簿に登録されている方の個別避難計画を、今年度中に見直します。"
        "担当している方のうち「避難支援が必要」のフラグがある方について、支援チームで避難先と"
        "避難支援者を確認し、来月末までにケアマネジャーから市へ提出してください。\n\n"
        "内容を確認したら「確認しました」を押してください。",
        confirmation_required=True,
        read_by=(("demo-caremanager", 1), ("demo-nurse", 20)),
        confirmed_by=(("demo-caremanager", 1),),
    ),
)  # fmt: skip

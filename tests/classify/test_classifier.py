"""The classifier on the hand-labelled set, tricky cases in three languages, admin rules,
corrections through the command line, and the learnt model kept only where it is better."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from daemon.classify import training
from daemon.classify.classifier import Classifier, overrides
from daemon.config import ClassifierSettings
from daemon.store.db import Database
from tests.mails import complaint
from tests.paths import TESTS
from tests.test_cli import cli

LABELLED = TESTS / "data" / "labelled.jsonl"


@pytest.fixture(scope="module")
def rules_only(tmp_path_factory) -> Classifier:
    missing = tmp_path_factory.mktemp("model") / "none.pkl"
    return Classifier(ClassifierSettings(shipped_model=False, model_file=missing))


@pytest.fixture(scope="module")
def report(rules_only) -> dict:
    return training.evaluate(training.from_jsonl(LABELLED), rules_only)


# --- goals on the labelled set ---------------------------------------------------------------


def test_category_accuracy_meets_the_goal(report):
    assert report["category"]["n"] == 296
    assert report["category"]["accuracy"] >= 0.90


def test_every_major_message_is_found_and_few_false_alarms(report):
    assert report["major"]["support"] == 48
    assert report["major"]["recall"] == 1.0
    assert report["major"]["precision"] >= 0.90


def test_kind_and_severity_accuracy_do_not_regress(report):
    assert report["kind"]["accuracy"] >= 0.85
    assert report["severity"]["accuracy"] >= 0.85


@pytest.mark.parametrize("language", ["zh", "es", "en"])
def test_major_recall_in_each_language(rules_only, language):
    examples = [
        e
        for e in training.from_jsonl(LABELLED)
        if e.language == language and e.labels["severity"] == "major"
    ]
    assert len(examples) >= 10
    missed = [
        e.source for e in examples if rules_only.classify(e.subject, e.body).severity != "major"
    ]
    assert missed == []


# --- tricky cases (new sentences, not from the labelled set) ---------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "category"),
    [
        (
            "已经没有煤气味了",
            "燃气公司查过了，现在没有煤气味了。就是厨房水龙头还在滴水。",
            "repair",
        ),
        (
            "Caldera",
            "No hay olor a gas, tranquilos, pero la caldera hace un ruido raro al encenderse.",
            "repair",
        ),
        (
            "Leak",
            "The leak is not from our flat and nobody was hurt, but the ceiling stain is growing.",
            None,
        ),
    ],
)
def test_negated_danger_is_not_major(rules_only, subject, body, category):
    decision = rules_only.classify(subject, body)
    assert decision.severity != "major", decision.reasons
    if category:
        assert decision.category == category


@pytest.mark.parametrize(
    ("subject", "body", "category"),
    [
        (
            "Thank you!",
            "Thank you to the plumber who fixed the leak under our sink so quickly. "
            "Excellent work, very professional.",
            "repair",
        ),
        ("表扬维修师傅", "上周卫生间漏水，师傅当天就来修好了，非常感谢，特此表扬！", "repair"),
        (
            "Gracias",
            "Muchas gracias al equipo: arreglaron la grieta del salón y quedó perfecta.",
            "construction_quality",
        ),
    ],
)
def test_praise_that_mentions_a_fault_is_praise(rules_only, subject, body, category):
    decision = rules_only.classify(subject, body)
    assert (decision.kind, decision.category, decision.severity) == ("praise", category, "general")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Fire extinguishers",
            "When will the fire extinguishers on our floor be checked? "
            "The label says the last inspection was two years ago.",
        ),
        ("Fire drill", "Is the fire drill on Thursday for all buildings?"),
        ("消防演练", "请问下周的消防演练几点开始？需要全部下楼吗？"),
        ("Simulacro", "¿A qué hora es el simulacro de incendio del jueves? ¿Y los extintores?"),
    ],
)
def test_fire_safety_questions_are_not_major(rules_only, subject, body):
    decision = rules_only.classify(subject, body)
    assert decision.severity != "major", decision.reasons
    assert decision.kind == "inquiry"
    assert decision.category == "property_service"


@pytest.mark.parametrize(
    ("subject", "body", "term"),
    [
        ("物业费问题", "多收的物业费再不退还，我就请律师起诉你们。", "律师"),
        (
            "Cuota",
            "Si no me devuelven el recargo de la cuota, mi abogado presentará una demanda.",
            "abogado",
        ),
        (
            "Service charge",
            "If the overcharged service charge is not refunded by Friday I will contact my lawyer.",
            "lawyer",
        ),
    ],
)
def test_a_lawyer_threat_is_major_in_three_languages(rules_only, subject, body, term):
    decision = rules_only.classify(subject, body)
    assert (decision.severity, decision.category) == ("major", "billing")
    assert any(r.startswith("severity.major:") and term in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Gas", "Huele a gas en la escalera desde esta mañana, por favor vengan ya."),
        ("Gas smell", "There is a strong smell of gas in the kitchen, please send someone now."),
        ("煤气味", "厨房有很重的煤气味，请马上派人来看看！"),
    ],
)
def test_a_gas_smell_is_a_major_repair_request(rules_only, subject, body):
    decision = rules_only.classify(subject, body)
    assert (decision.kind, decision.category, decision.severity) == (
        "repair_request",
        "repair",
        "major",
    )


@pytest.mark.parametrize(
    ("subject", "body", "category"),
    [
        ("楼上装修", "楼上装修噪音太大了每天早上七点就开始电钻声根本没法休息", "property_service"),
        ("物业费", "为什么今年的物业费涨了这么多而且没有任何通知", "billing"),
        ("房产证", "交房两年了房产证还没有办下来到底什么时候能拿到", "sales_contract"),
        ("墙面", "客厅墙面空鼓开裂好几处敲起来是空的", "construction_quality"),
    ],
)
def test_chinese_without_spaces(rules_only, subject, body, category):
    assert rules_only.classify(subject, body).category == category


def test_a_message_about_nothing_known_is_other_and_a_complaint(rules_only):
    decision = rules_only.classify("Hello", "Just writing to say hello.")
    assert (decision.category, decision.kind, decision.severity) == (
        "other",
        "complaint",
        "general",
    )


def test_the_decision_records_which_rules_fired(rules_only):
    decision = rules_only.classify("卫生间漏水", "卫生间漏水，请派师傅来修。")
    assert "category.repair:漏水^2 x2" in decision.reasons
    assert any(r.startswith("kind.repair_request:") for r in decision.reasons)
    assert decision.as_dict()["source"] == "rules"


def test_admin_extra_rules_extend_the_defaults(tmp_path):
    text = ("The gazebo", "The gazebo next to the garden blocks our view from the living room.")
    plain = Classifier(ClassifierSettings(shipped_model=False, model_file=tmp_path / "none.pkl"))
    assert plain.classify(*text).category == "property_service"
    extended = Classifier(
        ClassifierSettings(
            shipped_model=False,
            model_file=tmp_path / "none.pkl",
            extra_rules={"category": {"design": {"en": ["gazebo^6"]}}},
        )
    )
    decision = extended.classify(*text)
    assert decision.category == "design"
    assert "category.design:gazebo^6 x2" in decision.reasons


def test_admin_can_reweight_or_switch_off_a_default_term(tmp_path):
    text = ("Smoke", "Smoke from the neighbours' chimney comes into our bedroom.")
    assert Classifier(ClassifierSettings(shipped_model=False, model_file=tmp_path / "x")).classify(
        *text
    ).severity == ("major")
    off = {"severity": {"major": {"en": ["smoke^0"]}}}
    settings = ClassifierSettings(shipped_model=False, model_file=tmp_path / "x", extra_rules=off)
    assert Classifier(settings).classify(*text).severity != "major"


# --- messages written after the rules were tuned on the labelled set ---------------------
# Four batches of new sentences, each first run blind (their misses were then fixed with
# general vocabulary, not with their phrases): every danger or threat must stay major, and
# the harmless ones (fire drills, smoke alarms, gas hobs, barbecue smoke...) must not become it.

FRESH_MAJOR = [
    ("阳台玻璃自爆", "阳台的钢化玻璃突然自爆，碎玻璃掉到楼下花园，幸好没人经过，太危险了！"),
    ("外墙瓷砖掉落", "3号楼外墙瓷砖又掉下来了，砸坏了一辆车，下面是小孩上学的必经之路！"),
    (
        "Enchufe quemado",
        (
            "El enchufe de la cocina se ha quemado y salen chispas cuando enchufo algo. "
            "Vengan cuanto antes."
        ),
    ),
    (
        "Balcony railing loose",
        (
            "The balcony railing on the 9th floor is loose and wobbles when you lean on "
            "it. My kids play out there - this is dangerous."
        ),
    ),
    (
        "Local news",
        "If the flooding in the car park isn't sorted this week I am going to the local paper.",
    ),
    ("楼道里有电线冒火星", "5楼楼道配电箱旁边的电线一直在冒火星，还有烧焦的味道，请赶紧处理！"),
    (
        "小孩被狗咬了",
        "今天下午我儿子在小区里被一条没拴绳的大狗咬伤了腿，已经去打了疫苗，物业必须查清楚是谁家的狗。",
    ),
    ("要找电视台", "地下室漏水半年了一直没人管，再不解决我们就找电视台来曝光。"),
    ("电梯困人", "电梯突然停在两层中间，我和孩子被困了四十分钟，打了好几次紧急电话都没人接！"),
    (
        "Cortocircuito",
        (
            "Ha habido un cortocircuito en el cuadro de la escalera y ha salido humo "
            "negro. Hemos llamado a los bomberos."
        ),
    ),
    (
        "Caída en la piscina",
        (
            "Mi padre resbaló en el borde de la piscina, que no tiene antideslizante, y se "
            "ha roto la cadera."
        ),
    ),
    (
        "Vamos a denunciar",
        (
            "Llevamos un año con las humedades del garaje. Si no hay solución este mes, lo "
            "ponemos en manos de un abogado."
        ),
    ),
    (
        "Ceiling coming down",
        (
            "Part of the bathroom ceiling has come down after the leak from upstairs and "
            "more of it is sagging. We are keeping the kids out."
        ),
    ),
    (
        "Carbon monoxide alarm",
        (
            "Our carbon monoxide alarm keeps going off near the boiler. We've opened the "
            "windows. Please send a gas engineer today."
        ),
    ),
    (
        "Going to the ombudsman",
        "Six months and still no answer about the damp. I'm taking this to the Housing Ombudsman.",
    ),
    ("燃气管道有嘶嘶声", "厨房燃气管接头那里有嘶嘶的声音，闻着有点臭，我不敢开火，请马上派人。"),
    ("配电箱着火了", "一楼配电箱突然起火，已经用灭火器扑灭了，现在整栋楼没电。"),
    ("向媒体反映", "小区门口的道路坑坑洼洼好几个月了，我已经把照片发给了本地报社。"),
    ("老人摔倒", "我母亲在单元门口的台阶上滑了一跤，头磕破了缝了五针，台阶上结冰也没人清理。"),
    ("律师函", "我们已经委托律师向开发商发了律师函，要求赔偿延期交房的损失。"),
    (
        "Olor a quemado",
        "Sale olor a quemado del enchufe del salón y está muy caliente. He bajado el diferencial.",
    ),
    (
        "Balcón",
        "Se están cayendo trozos del balcón del 5º a la acera, casi le da a un niño esta mañana.",
    ),
    (
        "Iremos a los medios",
        "Si no arreglan la fachada antes de fin de mes, los vecinos iremos a los medios.",
    ),
    (
        "Water near electrics",
        (
            "Water is pouring through the light fitting in the hallway and the switch is "
            "buzzing. We've turned the power off at the mains."
        ),
    ),
    (
        "I will go to the papers",
        (
            "Third letter about the mould in my son's bedroom. He has asthma. If I hear "
            "nothing by Friday, the local press will hear about it."
        ),
    ),
    ("热水器漏电", "洗澡的时候被热水器电了一下，手到现在还是麻的，请赶快派电工来检查。"),
    ("楼顶广告牌松动", "楼顶的广告牌被大风吹得摇摇晃晃，随时可能掉下来砸到人，请物业马上处理。"),
    ("集体维权", "我们十几户业主都发现房子面积缩水，已经组建了业主群准备集体起诉开发商。"),
    ("12345投诉", "小区垃圾清运不及时，臭气熏天，已经打了12345。"),
    ("墙体开裂严重", "卧室承重墙从上到下裂开了一条缝，手指都能伸进去，晚上都不敢睡觉。"),
    (
        "Chispas en el portero",
        "El portero automático echa chispas cuando llueve y ayer le dio calambre a mi hija.",
    ),
    (
        "Reclamación a la OCU",
        "Ya he presentado una reclamación en la OCU por las cláusulas abusivas del contrato.",
    ),
    (
        "Tree about to fall",
        (
            "The big tree by the car park entrance is leaning badly after the storm and "
            "looks like it could fall on someone."
        ),
    ),
    (
        "Legal advice",
        "Our solicitor has advised us to withhold the service charge until the roof is repaired.",
    ),
]
FRESH_NOT_MAJOR = [
    ("空调不制冷", "卧室空调开了一个小时还是不凉，外机也不转，麻烦安排师傅看看。"),
    ("地下车库积水", "昨晚下暴雨，地下车库B2进水了，好几辆车泡在水里，物业一个人都没有。"),
    ("物业费发票", "请问去年的物业费发票什么时候可以开？公司要报销。"),
    ("车位被占", "我的车位天天被外来车辆占用，保安也不管。"),
    ("购房合同补充协议", "合同补充协议里关于车位的条款和销售当初说的不一样，要求重新签。"),
    ("儿童游乐区", "建议在小区中心花园增加一些儿童游乐设施，现在孩子们没地方玩。"),
    (
        "Humedad en el dormitorio",
        (
            "Desde que entramos a vivir hay humedad en la pared del dormitorio que da al "
            "norte, ya ha salido moho."
        ),
    ),
    (
        "Factura de agua",
        (
            "La factura del agua de este trimestre es el triple de lo normal. ¿Pueden "
            "revisar el contador?"
        ),
    ),
    (
        "Ascensor averiado",
        (
            "El ascensor de la escalera 2 está parado desde el viernes y en el 8º vive una "
            "señora de 90 años."
        ),
    ),
    (
        "Escrituras",
        "¿Cuándo firmaremos las escrituras? Nos dijeron que en septiembre y no sabemos nada.",
    ),
    (
        "Felicitaciones",
        "Quería felicitar a los jardineros, la urbanización está preciosa esta primavera.",
    ),
    (
        "Distribución",
        "El baño principal no tiene ventana y la cocina es tan estrecha que no caben dos personas.",
    ),
    (
        "Bathroom extractor",
        "The bathroom extractor fan stopped working last week. Could someone come and replace it?",
    ),
    (
        "Cracks after handover",
        (
            "Three months after handover we have hairline cracks in every room and the "
            "plaster is coming away around the windows."
        ),
    ),
    (
        "Dog fouling",
        "People are letting their dogs foul the communal lawn and nobody cleans it up.",
    ),
    (
        "Service charge increase",
        "The service charge has gone up 30% without any explanation. We want to see the accounts.",
    ),
    (
        "Mortgage letter",
        (
            "My bank needs a letter confirming the completion date for the mortgage offer. "
            "Can you send one?"
        ),
    ),
    (
        "Kitchen layout",
        "The kitchen layout means the fridge door hits the oven. Who approved this design?",
    ),
    (
        "Lost keys",
        "Has anyone handed in a set of keys with a blue fob? Lost them near the playground.",
    ),
    ("厨房下水慢", "厨房水槽下水很慢，应该是堵了，麻烦派人来通一下。"),
    ("停车费怎么收", "请问地面临时停车怎么收费？访客停车需要登记吗？"),
    ("交房延期", "合同约定今年6月交房，现在又说要推迟到年底，开发商必须给个说法。"),
    ("客厅采光太差", "客厅被对面楼挡住，白天也要开灯，和当初样板间展示的完全不一样。"),
    ("Grifo que gotea", "El grifo del lavabo gotea día y noche. ¿Podrían mandar a un fontanero?"),
    (
        "Cuota de comunidad",
        "No entiendo por qué la cuota ha subido si no se ha aprobado en la junta.",
    ),
    (
        "Ruido de obras",
        "Las obras del edificio de al lado empiezan a las siete de la mañana, incluso los sábados.",
    ),
    ("Gym opening hours", "What are the gym opening hours at weekends?"),
    (
        "Deposit refund",
        "I moved my furniture in weeks ago; when will I get my renovation deposit back?",
    ),
    (
        "Thanks to the concierge",
        (
            "Big thanks to Tom at the concierge desk who took in three parcels for us "
            "while we were away."
        ),
    ),
    ("灭火器过期", "我看到楼道里的灭火器已经过期两年了，请问什么时候更换？"),
    ("燃气费", "这个月的燃气费怎么比上个月多了一倍？"),
    ("防盗门关不上", "入户防盗门关不上了，锁舌卡住，晚上不安全，请尽快派人修。"),
    ("感谢保洁阿姨", "每天早上都看到保洁阿姨把楼道拖得干干净净，辛苦了，谢谢！"),
    ("窗户太小", "次卧窗户只有半米宽，通风和采光都很差，当初设计的时候怎么没考虑？"),
    (
        "Barbacoa en la terraza",
        "Los del ático hacen barbacoa todos los domingos y el humo entra en casa. ¿Está permitido?",
    ),
    ("Derrama", "¿Cómo se ha calculado la derrama del tejado? A mí me toca pagar 900 €."),
    (
        "Press release",
        (
            "Could the management office press the council about the broken street light "
            "outside Block C?"
        ),
    ),
    ("Fire door wedged open", "Someone keeps wedging the fire door on floor 3 open with a chair."),
    ("Council tax band", "Which council tax band is our building in?"),
    ("电表箱门坏了", "楼道电表箱的门坏了关不上，麻烦修一下。"),
    ("水电费缴费方式", "请问水电费可以用微信缴费吗？"),
    ("物业服务好", "新来的管家很负责，每次反映问题都及时处理，点赞！"),
    ("户型改造", "我们想把两个小卧室打通，请问承重墙能不能拆？"),
    ("开发商承诺的学校", "售楼时说小区旁边会建小学，现在那块地变成了商场。"),
    ("Luz del portal", "La luz del portal lleva una semana fundida."),
    (
        "Gracias por la limpieza",
        "Quiero agradecer al equipo de limpieza lo bien que dejan el garaje.",
    ),
    (
        "Gas hob question",
        "Is it OK to replace the gas hob with an induction one, or do I need permission?",
    ),
    ("Smoke alarm batteries", "Do you replace smoke alarm batteries or should we do it ourselves?"),
    (
        "Neighbour smoking",
        "The smell of cigarette smoke from the flat below is unbearable every evening.",
    ),
]


@pytest.mark.parametrize(("subject", "body"), FRESH_MAJOR)
def test_new_danger_and_threat_messages_are_major(rules_only, subject, body):
    decision = rules_only.classify(subject, body)
    assert decision.severity == "major", decision.reasons


@pytest.mark.parametrize(("subject", "body"), FRESH_NOT_MAJOR)
def test_new_harmless_messages_are_not_major(rules_only, subject, body):
    decision = rules_only.classify(subject, body)
    assert decision.severity != "major", decision.reasons


# --- corrections through the command line ----------------------------------------------------

CONFIG = """
[departments.engineering]
head = "eng-head@desk.example"

[departments.finance]
head = "fin-head@desk.example"

[classifier.extra_rules.category.repair]
en = ["zorblax^9"]
"""


def test_reclassify_records_the_correction_and_reroutes(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(CONFIG, encoding="utf-8")
    mail = tmp_path / "m.eml"
    mail.write_bytes(complaint("Our zorblax is making a strange noise.", subject="Zorblax"))
    created = json.loads(
        cli(tmp_path, "--config", str(config), "ingest", str(mail), "--json").stdout
    )
    assert created["category"] == "repair"  # the admin's extra rule, from the config file
    number = created["ticket"]
    shown = json.loads(cli(tmp_path, "tickets", "show", number, "--json").stdout)
    assert shown["department"] == "engineering"

    done = cli(
        tmp_path, "--config", str(config), "tickets", "reclassify", number.lower(),
        "--category", "billing", "--severity", "important", "--kind", shown["kind"],
        "--actor", "alice@desk.example", "--json",
    )  # fmt: skip
    out = json.loads(done.stdout)
    assert out["changed"] == {
        "category": {"old": "repair", "new": "billing"},
        "severity": {"old": shown["severity"], "new": "important"},
    }
    assert out["confirmed"] == ["kind"]
    assert out["department"] == {"old": "engineering", "new": "finance"}
    assert out["assignee"] == {"old": "eng-head@desk.example", "new": "fin-head@desk.example"}

    shown = json.loads(cli(tmp_path, "tickets", "show", number, "--json").stdout)
    assert (shown["category"], shown["severity"], shown["department"]) == (
        "billing",
        "important",
        "finance",
    )
    [event] = [e for e in shown["events"] if e["kind"] == "reclassified"]
    assert event["actor"] == "alice@desk.example" and event["channel"] == "cli"
    assert "category repair → billing" in event["text"]

    with sqlite3.connect(tmp_path / "var" / "complaintd.db") as db:
        rows = db.execute(
            "SELECT actor, field, old, new, language, text FROM corrections ORDER BY field"
        ).fetchall()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("category", "repair", "billing"),
        ("kind", shown["kind"], shown["kind"]),
        ("severity", "general", "important"),
    ]
    assert {r[0] for r in rows} == {"alice@desk.example"}
    assert rows[0][5] == "Zorblax\nOur zorblax is making a strange noise."

    # a second correction: the latest label per field is what training learns
    cli(tmp_path, "--config", str(config), "tickets", "reclassify", number, "--category", "design")
    database = Database(f"sqlite:///{tmp_path / 'var' / 'complaintd.db'}")
    with database.transaction() as session:
        [example] = training.from_corrections(session)
    database.dispose()
    assert example.labels == {"category": "design", "kind": shown["kind"], "severity": "important"}
    assert (example.subject, example.language) == ("Zorblax", "en")


def test_reclassify_refuses_unknown_values_and_tickets(tmp_path):
    bad = cli(
        tmp_path, "tickets", "reclassify", "C20260101-0001", "--category", "plumbing", check=False
    )
    assert bad.returncode == 2
    assert "unknown category 'plumbing'" in bad.stderr and "construction_quality" in bad.stderr
    bad = cli(
        tmp_path, "tickets", "reclassify", "C20260101-0001", "--severity", "huge", check=False
    )
    assert bad.returncode == 2 and "general, important, hot, major" in bad.stderr
    none = cli(tmp_path, "tickets", "reclassify", "C20260101-0001", check=False)
    assert none.returncode == 2
    missing = cli(
        tmp_path, "tickets", "reclassify", "C20260101-0001", "--kind", "praise", check=False
    )
    assert missing.returncode == 1 and "no ticket" in missing.stderr


# --- learning --------------------------------------------------------------------------------


def synthetic(path: Path, per_class: int = 20) -> Path:
    """Messages in a vocabulary the rules do not know: only a model can get these right."""
    words = {
        "billing": ["quindle", "fraxum", "morvel"],
        "design": ["plimvet", "drosk", "welbin"],
        "repair": ["snorfel", "tremox", "gavlin"],
    }
    filler = ["hello", "about", "the", "near", "my", "flat", "today", "again", "please", "thanks"]
    rng = random.Random(7)
    lines = []
    for category, own in words.items():
        for i in range(per_class):
            body = " ".join(rng.sample(filler, 5) + rng.sample(own, 2) + rng.sample(filler, 3))
            row = {"id": f"{category}-{i}", "subject": "Note", "body": body, "category": category}
            lines.append(json.dumps(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_training_on_the_labelled_set_keeps_the_rules_where_they_are_better(tmp_path):
    settings = ClassifierSettings(shipped_model=False, model_file=tmp_path / "var" / "model.pkl")
    lines: list[str] = []
    model = training.train(training.from_jsonl(LABELLED), settings, out=lines.append)
    assert settings.model_file.is_file()
    assert set(model["metrics"]) == {"category", "kind", "severity"}
    for name, metrics in model["metrics"].items():
        assert metrics["examples"] == 296 and metrics["held_out"] == 59
        if name not in model["fields"]:
            assert metrics["rules_model_accuracy"] <= metrics["rules_accuracy"]
        else:
            assert metrics["rules_model_accuracy"] > metrics["rules_accuracy"]
    assert lines[0].split()[:3] == ["field", "examples", "held-out"]
    assert Classifier(settings).model is (
        None if not model["fields"] else Classifier(settings).model
    )


def test_a_model_is_kept_and_used_where_it_beats_the_rules(tmp_path):
    data = synthetic(tmp_path / "synthetic.jsonl")
    settings = ClassifierSettings(shipped_model=False, model_file=tmp_path / "model.pkl")
    lines: list[str] = []
    model = training.train(training.from_jsonl(data), settings, out=lines.append)
    assert list(model["fields"]) == ["category"]
    metrics = model["metrics"]
    assert metrics["category"]["kept"] and metrics["category"]["rules_accuracy"] == 0.0
    assert metrics["category"]["rules_model_accuracy"] > 0.9
    assert "too few" in metrics["kind"]["note"] and not metrics["kind"]["kept"]

    classifier = Classifier(settings)
    decision = classifier.classify("Note", "hello, the fraxum and the quindle near my flat")
    assert decision.category == "billing" and decision.source == "rules+model"
    assert any(r.startswith("model.category:billing") for r in decision.reasons)
    # where the rules are sure of a major, the model has no say about severity
    assert overrides("severity", "major", "general", 0.99, 0.7) is None
    assert overrides("severity", "general", "hot", 0.99, 0.7) is None
    assert overrides("category", "other", "billing", 0.5, 0.7) is None
    assert overrides("category", "other", "billing", 0.9, 0.7) == "billing"


def test_train_and_evaluate_from_the_command_line(tmp_path):
    data = synthetic(tmp_path / "synthetic.jsonl")
    trained = cli(tmp_path, "classifier", "train", "--data", str(data))
    assert "0 from corrections, 60 from files" in trained.stdout
    assert "models kept for category" in trained.stdout
    assert (tmp_path / "var" / "classifier.pkl").is_file()
    report = json.loads(cli(tmp_path, "classifier", "evaluate", str(data), "--json").stdout)
    assert report["examples"] == 60
    assert report["rules"]["category"]["accuracy"] == 0.0
    assert report["rules+model"]["category"]["accuracy"] > 0.9
    assert report["model"]["fields"] == ["category"]
    fresh = tmp_path / "fresh"  # no model there: rules only, and no scikit-learn to import
    fresh.mkdir()
    text = cli(fresh, "classifier", "evaluate", str(LABELLED)).stdout
    assert "category: accuracy rules" in text and "major (rules): recall 100.0% (48/48)" in text
    assert "rules+model" not in text
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": "x", "category": "plumbing"}\n', encoding="utf-8")
    refused = cli(fresh, "classifier", "evaluate", str(bad), check=False)
    assert refused.returncode == 2 and "bad.jsonl:1: unknown category 'plumbing'" in refused.stderr


def test_too_few_examples_keeps_rules_only(tmp_path):
    data = synthetic(tmp_path / "few.jsonl", per_class=5)
    settings = ClassifierSettings(shipped_model=False, model_file=tmp_path / "model.pkl")
    model = training.train(training.from_jsonl(data), settings, out=lambda line: None)
    assert model["fields"] == {}
    assert "too few" in model["metrics"]["category"]["note"]
    assert Classifier(settings).model is None


@pytest.mark.parametrize("classes", [3, 2])
def test_the_fast_model_path_gives_what_scikit_learn_gives(tmp_path, classes):
    examples = training.from_jsonl(synthetic(tmp_path / "s.jsonl"))
    examples = [
        e for e in examples if e.labels["category"] in ("billing", "design", "repair")[:classes]
    ]
    fields = training.refit(examples, {"category": examples})
    training.save({"fields": fields}, tmp_path / "m.pkl")
    classifier = Classifier(ClassifierSettings(shipped_model=False, model_file=tmp_path / "m.pkl"))
    pipeline = classifier.model["fields"]["category"]
    for text in [e.text for e in examples[:10]] + ["nothing known at all", "", "Plimvet 漏水"]:
        expected = pipeline.predict_proba([text])[0]
        label, confidence = classifier.predict(text)["category"]
        assert label == str(pipeline.classes_[expected.argmax()])
        assert confidence == pytest.approx(expected.max(), abs=1e-9)

"""The kinds of mistake classification made on mail nobody had seen, each as general cases in
Chinese, Spanish and English: names read as words, quoted history read as new, courtesy read as
intent, danger without its keyword, negated or harmless danger words. Each message is read as
the pipeline reads it (what the person wrote, names masked) by the shipped classifier."""

from __future__ import annotations

import pytest

from daemon.classify.classifier import Classifier
from daemon.classify.names import Register
from daemon.classify.rules import stem_fits
from daemon.classify.written import for_rules, own_words
from daemon.config import ClassifierSettings

ESTATES = [
    {
        "name": "Greenfield Court",
        "aliases": {"es": ["Torre del Fuego"], "zh": ["法院路小区"]},
        "buildings": ["Block 5", "Tower C"],
    }
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    missing = tmp_path_factory.mktemp("model") / "none.pkl"
    return Classifier(ClassifierSettings(model_file=missing))


@pytest.fixture(scope="module")
def rules_only(tmp_path_factory):
    missing = tmp_path_factory.mktemp("model") / "none.pkl"
    return Classifier(ClassifierSettings(model_file=missing, shipped_model=False))


def read(classifier, subject, body, sender="", estates=ESTATES):
    written = own_words(body, "", subject)
    return classifier.classify(*for_rules(Register(estates), subject, written, sender))


def found(decision) -> bool:
    return decision.severity == "major" or decision.possible_major


# --- names read as words ---------------------------------------------------------------------

ESTATE_NAMES = [
    ("Tap", "The tap in our bathroom at Greenfield Court, Tower C drips all night. Please fix it."),
    ("Grifo", "El grifo del baño gotea toda la noche, Torre del Fuego, portal 2. ¿Pueden venir?"),
    ("水龙头", "法院路小区5号楼卫生间的水龙头一直滴水，麻烦派师傅来换一下。"),
]


@pytest.mark.parametrize(("subject", "body"), ESTATE_NAMES)
def test_the_estates_names_are_not_danger_words(shipped, rules_only, subject, body):
    for classifier in (shipped, rules_only):
        decision = read(classifier, subject, body)
        assert decision.severity != "major" and not decision.possible_major
        assert decision.category == "repair"
        assert not any("court" in r or "fuego" in r or "法院" in r for r in decision.reasons)


@pytest.mark.parametrize(
    "body",
    [
        "I live at 12 Oakfield Court and my kitchen window will not close.",
        "Vivo en la calle Fuego Nuevo 4 y la ventana de la cocina no cierra.",
        "我住在法院路18号，厨房的窗户关不上。",
    ],
)
def test_street_names_in_the_address_are_not_read_either(rules_only, body):
    decision = read(rules_only, "Window", body, estates=[])
    assert decision.severity != "major" and not decision.possible_major


def test_a_court_of_law_is_still_a_threat_and_the_register_knows_the_estate(rules_only):
    decision = read(rules_only, "Deposit", "I will take you to the small claims court.")
    assert decision.severity == "major"
    place = Register(ESTATES).locate("Leak", "Greenfield Court, Tower C, flat 1204 leaks.")
    assert place == {"estate": "Greenfield Court", "building": "C", "room": "1204"}
    assert Register(ESTATES).locate("", "法院路小区5号楼2单元301")["estate"] == "Greenfield Court"


def test_the_senders_name_and_titled_people_are_masked(rules_only):
    body = "Mr Carpenter from your office never called back.\n\nRegards,\nAnna Petrova"
    decision = read(rules_only, "No answer", body, sender="Anna Petrova")
    assert not any("pet" in r or "carpent" in r for r in decision.reasons)
    assert "Petrova" not in Register().mask("Sra. Petrova llamó", "")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("请问小区的中心花园什么时候开放？", "中心花园"),
        ("入户花园可以封起来改成房间吗？", "入户花园"),
        ("隔壁小区的车停到我们车位上了", "隔壁小区"),
        ("小区主路有一段路灯不亮", "主路"),
        ("Dear Estate Team, the bins were not collected.", "Estate"),
    ],
)
def test_things_and_phrases_that_end_like_a_place_name_are_not_masked(text, kept):
    assert kept in Register().mask(text, "")


def test_estate_names_by_their_form_are_masked():
    assert Register().mask("我住在滨江花园5栋，金色家园那边也一样", "").count("_") >= 2
    assert "滨江" not in Register().mask("我住在滨江花园5栋", "")


@pytest.mark.parametrize(
    ("stem", "word", "fits"),
    [
        ("pet", "pets", True),
        ("pet", "petrova", False),
        ("pet", "petition", False),
        ("cobr", "cobraron", True),
        ("ladr", "ladrillo", False),
        ("drip", "dripping", True),
        ("agriet", "agrietado", True),
    ],
)
def test_short_wildcard_stems_take_only_inflections(stem, word, fits):
    assert stem_fits(stem, word) is fits


def test_a_building_name_is_a_place_not_a_topic(rules_only):
    decision = read(rules_only, "Lights", "Escalera 2, portal 3: the corridor lights are out.")
    assert not any("portal" in r or "escalera" in r for r in decision.reasons)


# --- quoted history --------------------------------------------------------------------------

QUOTED = [
    (
        "Re: Management fees 2027",
        "The pipe under my kitchen sink is leaking onto the floor, please send a plumber.\n\n"
        "On Mon, 23 Nov 2026 at 10:31, Desk <desk@example.com> wrote:\n"
        "> The management fee will rise by 3%. Invoices and payment dates are attached.\n"
        "> Late payment incurs a penalty.",
    ),
    (
        "RE: Cuotas de comunidad",
        "Tengo una fuga en la tubería del baño, el agua sale por el suelo. Manden un fontanero.\n\n"
        "-----Mensaje original-----\nDe: Administración <admin@example.com>\n"
        "Enviado: lunes, 23 de noviembre de 2026 10:31\nAsunto: Cuotas de comunidad\n\n"
        "Les recordamos que la cuota de comunidad y la derrama se cobran el día 5.",
    ),
    (
        "回复：物业费调整通知",
        "我家厨房水管漏水，水流了一地，请尽快派师傅来维修。\n\n"
        "在 2026年11月23日 10:31，物业服务中心 写道：\n"
        "> 各位业主：明年物业费上调，请按时缴费，逾期收取滞纳金。",
    ),
]


@pytest.mark.parametrize(("subject", "body"), QUOTED)
def test_a_reply_is_classified_by_what_is_new_not_by_the_quote(shipped, subject, body):
    assert read(shipped, subject, body).category == "repair"


def test_a_forward_keeps_the_forwarded_words_without_their_headers():
    body = (
        "Please see below.\n\n---------- Forwarded message ---------\n"
        "From: Lee & Partners <office@lee.example>\nDate: Mon, 23 Nov 2026\nSubject: Claim\n"
        "To: me\n\nOn behalf of our client we will start legal action."
    )
    assert own_words(body, "", "Fwd: Claim") == (
        "Please see below.\n\nOn behalf of our client we will start legal action."
    )


# --- courtesy is not intent -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        (
            "Hallway light",
            "The hallway light has stopped working. Let me know what repair you propose. "
            "Thank you very much!",
            "repair_request",
        ),
        ("Grifo", "El grifo de la cocina gotea. ¿Pueden venir a arreglarlo? Muchas gracias.", None),
        ("热水器", "热水器坏了，不出热水，麻烦派师傅上门维修，谢谢！", None),
        (
            "Lift",
            "How is it possible that the lift has been out of order for three weeks?",
            "complaint",
        ),
        ("Ascensor", "¿Cómo es posible que el ascensor lleve tres semanas parado?", "complaint"),
        ("电梯", "电梯坏了三个星期，怎么到现在还没人来修？", "complaint"),
    ],
)
def test_a_closing_courtesy_or_a_question_form_does_not_decide_the_kind(
    shipped, subject, body, kind
):
    decision = read(shipped, subject, body)
    assert decision.kind not in ("praise", "suggestion", "inquiry")
    if kind:
        assert decision.kind == kind


# --- danger without the keyword ---------------------------------------------------------------

DANGER = [
    ("Landing", "There is a strong rotten-egg smell on the landing of the 4th floor."),
    ("Rellano", "En el rellano hay un olor fuerte a huevos podridos desde esta mañana."),
    ("楼道", "楼道里一股臭鸡蛋味，从早上到现在都没散。"),
    ("Socket", "The socket behind the fridge is scorched and the plug was too hot to hold."),
    ("Enchufe", "El enchufe del dormitorio está negro por dentro y quemaba al tocarlo."),
    ("插座", "厨房插座烧黑了，插头烫手，还有噼啪声。"),
    ("Ceiling", "The ceiling is sagging and plaster keeps falling where the children sit."),
    ("Techo", "El techo del salón tiene una barriga enorme y se caen trozos encima del sofá."),
    ("天花板", "次卧天花板鼓包往下掉渣，孩子就睡在下面。"),
    ("Bedroom", "The bedroom ceiling is bowing down with water behind it and getting bigger."),
    ("Escayola", "La escayola del pasillo está combada y cada día baja más."),
    ("吊顶", "卫生间吊顶往下坠了一大块，里面好像积了水。"),
    ("Balcony", "The balcony railing on our 9th floor flat came off; we have a toddler."),
    ("Barandilla", "Falta la barandilla del balcón del 9º piso y tenemos un bebé."),
    ("栏杆", "我家9楼阳台的栏杆掉了，家里有两岁的孩子。"),
    ("AC unit", "The air conditioner unit above is hanging by its cable over the footpath."),
    ("Aire", "El aparato de aire del 6º está colgando del cable encima de la acera."),
    ("空调", "楼上的空调外机支架断了，斜挂在人行道上方，随时会掉。"),
    ("Buyers", "A reporter from the local paper is collecting stories from buyers here."),
    ("Prensa", "Un periodista está recogiendo testimonios de los compradores de la urbanización."),
    ("业主", "有记者在小区里采访业主，准备报道房子的质量问题。"),
    ("Parking", "37 leaseholders have signed the attached letter objecting to the charges."),
    ("Cladding", "Over 40 owners have joined this complaint about the cladding."),
    ("NEA", "The piling starts at 7am. I will call the NEA hotline if this continues."),
    ("Carport", "The carport roof over stalls 20-30 is sagging under the snow."),
    ("Terraza", "Si no tengo respuesta este mes iré a la Oficina del Consumidor."),
    ("Garaje", "El garaje está inundado, el agua llega por las rodillas y cubre los enchufes."),
    ("Parking", "Más de treinta propietarios hemos firmado el escrito contra la subida."),
    ("停车费", "我们楼已经有六十多户签名反对停车费涨价。"),
    ("Precio", "Si no respetan el precio de la reserva, contaré mi experiencia en Google."),
    ("Closing", "Closing postponed a fourth time. Our attorney is now involved."),
    ("Reviews", "If this isn't fixed I will post the whole story on Trustpilot."),
    ("差评", "再不解决我就去大众点评和小区业主群发帖曝光你们。"),
    ("Plant room", "In the plant room I felt dizzy and sick within a minute; a sweet smell."),
    ("甲醛", "入住半个月全家头疼，孩子起疹子，测了甲醛超标三倍。"),
    ("Shower", "Water is getting into the flat below; they put a bucket under their light."),
    ("Ático", "Entra agua por el techo y se le cayó un trozo de escayola mojada."),
    ("Cobro", "Si no reversan el cobro radicaré una queja ante la Superintendencia."),
    ("Registro", "La caja de registro eléctrico del pasillo está llena de agua."),
    ("Railing", "The railing on our 17th floor balcony wobbles when you lean on it."),
    ("Windows", "Our 10th floor windows open to knee height, no restrictor; we have a toddler."),
    ("开关", "浴室开关手湿的时候一摸就麻一下，已经好几次了。"),
]


@pytest.mark.parametrize(("subject", "body"), DANGER)
def test_danger_described_without_its_keyword_is_found(shipped, subject, body):
    assert found(read(shipped, subject, body))


# --- negations and harmless uses ------------------------------------------------------------

HARMLESS = [
    ("Boiler", "The boiler makes a clicking noise, but there is no gas smell at all."),
    ("Caldera", "La caldera hace ruido, pero no hay olor a gas, tranquilos."),
    ("热水器", "热水器有点响，但是没有煤气味，麻烦有空来看看。"),
    ("Drill", "Will there be a fire drill in Block 5 next week? At what time?"),
    ("Simulacro", "¿Cuándo es el simulacro de incendio del edificio?"),
    ("灭火器", "请问楼道里的灭火器检查是每年几月份？"),
    ("Gas bill", "My gas bill for October seems too high, could you check the meter reading?"),
    ("Tiles", "Two tiles came off the splashback; nobody was hurt, just annoying."),
    ("Tennis", "Why does the tennis court cost money now?"),
    ("漏电保护器", "家里的漏电保护器跳闸了，请问怎么复位？"),
    ("Proxy", "Could someone email me the proxy form for the Dec 10 owners' meeting?"),
    ("Lift", "One lift for 60 flats over eleven floors is not enough."),
    ("快递", "小区门口的快递驿站关门了，我们几百户的快递现在怎么办？"),
]


@pytest.mark.parametrize(("subject", "body"), HARMLESS)
def test_negated_or_harmless_danger_words_do_not_count(shipped, subject, body):
    decision = read(shipped, subject, body)
    assert decision.severity != "major" and not decision.possible_major


def test_a_harmless_use_cancels_only_the_danger_word_inside_it(rules_only):
    body = "Smoke is coming from under the door of flat 4.11 and the smoke alarm is beeping."
    assert read(rules_only, "Smoke", body).severity == "major"

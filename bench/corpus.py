"""A reproducible, mixed corpus of complaint mails for the benchmarks (the mix of PERF-NOTES.md).

40% Chinese (GB2312, GBK and UTF-8 in equal shares), 30% Spanish in ISO-8859-1, 30% English;
20% carry one 50-300 KB attachment, 10% are HTML-only, the rest are text/plain (two thirds)
or multipart/alternative (one third). Every message has a unique Message-ID and a unique
sender address, so the desk's per-sender acknowledgement limit never suppresses an ack.
"""

from __future__ import annotations

import base64
import quopri
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import encode_rfc2231, format_datetime
from html import escape

CRLF = b"\r\n"

DESK_ADDRESS = "complaints@desk.example"

# --- text fragments ------------------------------------------------------------------------

ZH_NAMES_GB2312 = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷", "周强", "吴霞"]
ZH_NAMES_GBK = ["王喆", "李堃", "张珺", "刘玥", "陈昇", "朱镕"]
"""Given names with characters outside GB2312, so that GBK mail really needs GBK."""

ZH_ISSUES = [
    (
        "关于{b}号楼漏水的投诉",
        "{b}号楼{u}单元{r}室楼上漏水已经{d}天了，卫生间天花板一直滴水，墙皮大面积脱落，"
        "电灯开关附近也有水迹，我们担心会漏电。",
    ),
    (
        "电梯故障投诉",
        "小区{b}号楼的电梯这{d}天里坏了三次，昨天还有人被困了二十分钟。"
        "家里老人上下楼非常不方便，请尽快派人彻底维修。",
    ),
    (
        "噪音扰民，请物业处理",
        "楼下商铺每天晚上十一点以后还在装修，电钻声和敲打声很大，孩子无法休息，"
        "已经持续{d}天了，希望物业出面协调。",
    ),
    (
        "地下车库照明问题",
        "地下车库{b}区的照明灯坏了很久，晚上停车非常危险，已经有业主的车被刮了，"
        "请尽快更换灯管并检查监控。",
    ),
    (
        "暖气不热",
        "供暖开始{d}天了，我家{r}室的温度只有十五度，暖气片摸上去是凉的，"
        "请安排维修人员上门检查管道和阀门。",
    ),
    (
        "垃圾清运不及时",
        "{b}号楼旁边的垃圾桶已经{d}天没有清理了，气味很大，还招来很多苍蝇和老鼠，"
        "严重影响居民生活。",
    ),
    (
        "门禁系统损坏",
        "小区东门的门禁系统坏了{d}天，陌生人可以随意进出，晚上也没有保安巡逻，居民的安全没有保障。",
    ),
    (
        "物业费账单有误",
        "本月物业费账单有误，我家{b}号楼{u}单元{r}室多收了{a}元，请财务核实后退还，并说明原因。",
    ),
]
ZH_EXTRA = [
    "之前已经打过两次电话，但是一直没有人来处理。",
    "附件是现场照片，请查看。",
    "希望物业能在本周内给出答复。",
    "如有需要，可以随时联系我，我白天都在家。",
    "这个问题已经影响到邻居们的正常生活。",
]
ZH_GREETING = "物业管理处："
ZH_CLOSING = "此致\n敬礼\n\n业主：{name}\n联系电话：{phone}"

ES_NAMES = [
    "José Martínez",
    "María Fernández",
    "Begoña Ibáñez",
    "Andrés Muñoz",
    "Lucía Gómez",
    "Íñigo Pérez",
    "Carmen Sánchez",
    "Raúl Díaz",
]
ES_ISSUES = [
    (
        "Gotera en el baño del piso {r}",
        "Desde hace {d} días hay una gotera en el techo del baño del piso {r}, bloque {b}. "
        "El agua cae junto a la instalación eléctrica y tengo miedo de un cortocircuito.",
    ),
    (
        "Ascensor averiado en el edificio {b}",
        "El ascensor del edificio {b} está averiado otra vez. Mi madre tiene 82 años y no "
        "puede subir las escaleras hasta el quinto piso.",
    ),
    (
        "Ruidos de los vecinos",
        "Los vecinos del piso de arriba hacen ruido hasta las tres de la mañana todos los "
        "fines de semana; ya se lo hemos dicho y no cambia nada.",
    ),
    (
        "La calefacción no funciona",
        "La calefacción no funciona en mi vivienda ({r}) desde el lunes; la temperatura no "
        "supera los 16 grados y tenemos un bebé en casa.",
    ),
    (
        "Basura sin recoger",
        "El contenedor de basura del bloque {b} no se ha vaciado en {d} días y hay ratas en "
        "el portal. Es un problema de salud pública.",
    ),
    (
        "Puerta del garaje rota",
        "La puerta del garaje no cierra bien desde hace {d} días y cualquiera puede entrar "
        "por la noche. Ayer faltaba una bicicleta.",
    ),
    (
        "Error en la factura de la comunidad",
        "En la factura de este mes me han cobrado {a} euros de más por la cuota de la "
        "comunidad del piso {r}.",
    ),
]
ES_EXTRA = [
    "Ya llamé dos veces a la oficina y nadie ha venido.",
    "Adjunto una foto para que vean el estado en que está.",
    "Les agradecería una respuesta lo antes posible.",
    "Estoy en casa por las mañanas si necesitan acceder a la vivienda.",
    "Otros vecinos del edificio tienen el mismo problema.",
]
ES_GREETING = "Estimados señores:"
ES_CLOSING = "Muchas gracias por su atención.\n\nAtentamente,\n{name}\nTeléfono: {phone}"

EN_NAMES = [
    "Sarah Johnson",
    "David Miller",
    "Emily Clarke",
    "Michael Brown",
    "Olivia Wilson",
    "James Taylor",
    "Grace Evans",
    "Thomas Wright",
]
EN_ISSUES = [
    (
        "Water leaking into unit {r}",
        "There has been water leaking through the bathroom ceiling of unit {r}, building {b}, "
        "for {d} days. The plaster is coming down and the light switch is wet.",
    ),
    (
        "Elevator out of service in building {b}",
        "The elevator in building {b} has been out of service since Monday. Several elderly "
        "residents on the upper floors cannot leave their flats.",
    ),
    (
        "Noise complaint",
        "Our upstairs neighbours play loud music every night until 2 am. This has been going "
        "on for {d} days and my children cannot sleep.",
    ),
    (
        "No heating in my flat",
        "The heating in my flat ({r}) has not worked for {d} days; the radiators are cold "
        "and the temperature indoors is 15 degrees.",
    ),
    (
        "Rubbish bins not emptied",
        "The bins behind building {b} have not been emptied for {d} days and there are rats "
        "around the entrance.",
    ),
    (
        "Broken front gate",
        "The front gate lock is broken, so anyone can walk into the courtyard at night. "
        "It has been like this for {d} days.",
    ),
    (
        "Wrong service charge on my invoice",
        "My service charge invoice for this month is {a} higher than it should be for unit "
        "{r}. Please check it and correct the amount.",
    ),
]
EN_EXTRA = [
    "I have already phoned the office twice and nobody has come.",
    "I attach a photo so that you can see the state of it.",
    "I would appreciate an answer this week.",
    "I am at home in the mornings if someone needs access to the flat.",
    "Other neighbours in the building have the same problem.",
]
EN_GREETING = "Dear property management team,"
EN_CLOSING = "Thank you for your help.\n\nKind regards,\n{name}\nPhone: {phone}"

DOMAINS = ["mail.example.com", "residents.example.org", "correo.example.es", "mail.example.cn"]


@dataclass(frozen=True)
class Sample:
    """One generated mail: its Message-ID (without brackets), raw bytes and what it is."""

    message_id: str
    sender: str
    raw: bytes
    language: str
    charset: str
    kind: str  # plain | alternative | attachment | html


def _encode_header(text: str, charset: str) -> str:
    if text.isascii():
        return text
    return Header(text, charset, maxlinelen=76).encode(linesep="\r\n")


def _encode_body(text: str, charset: str, cte: str) -> bytes:
    data = text.replace("\n", "\r\n").encode(charset)
    if cte == "base64":
        return base64.encodebytes(data).replace(b"\n", CRLF)
    if cte == "quoted-printable":
        return quopri.encodestring(text.encode(charset)).replace(b"\n", CRLF) + CRLF
    return data + CRLF


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html"></head>'
        f'<body><div style="font-family: sans-serif">{paragraphs}</div></body></html>'
    )


def _text_part(text: str, charset: str, cte: str, subtype: str = "plain") -> bytes:
    head = (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode("ascii")
    return head + _encode_body(text, charset, cte)


def _attachment_part(rng: random.Random, language: str) -> bytes:
    size = rng.randint(50 * 1024, 300 * 1024)
    kind = rng.random()
    if kind < 0.75:
        ctype, data = "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size - 11)
        names = {"zh": "现场照片.jpg", "es": "foto_gotera.jpg", "en": "photo.jpg"}
    else:
        ctype, data = "application/pdf", b"%PDF-1.4\n" + rng.randbytes(size - 9)
        names = {"zh": "物业费账单.pdf", "es": "factura_comunidad.pdf", "en": "invoice.pdf"}
    name = names[language]
    if name.isascii():
        params = f'; name="{name}"', f'; filename="{name}"'
    else:
        encoded = encode_rfc2231(name, "utf-8")
        params = f'; name="{Header(name, "utf-8").encode()}"', f"; filename*={encoded}"
    head = (
        f"Content-Type: {ctype}{params[0]}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment{params[1]}\r\n\r\n"
    ).encode("ascii")
    return head + base64.encodebytes(data).replace(b"\n", CRLF)


def _language_and_charset(rng: random.Random) -> tuple[str, str, str]:
    """(language, charset, transfer encoding of text parts) with the corpus proportions."""
    roll = rng.random()
    if roll < 0.4:
        charset = ("gb2312", "gbk", "utf-8")[int(roll / 0.4 * 3)]
        return "zh", charset, "base64"
    if roll < 0.7:
        return "es", "iso-8859-1", "quoted-printable"
    return "en", "us-ascii", "7bit"


def _complaint(rng: random.Random, language: str, charset: str) -> tuple[str, str, str]:
    """(display name, subject, body text) of a plausible complaint in that language."""
    fields = {
        "b": rng.randint(1, 24),
        "u": rng.randint(1, 6),
        "r": f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}",
        "d": rng.randint(2, 30),
        "a": rng.choice([35, 120, 286, 430, 97]),
    }
    phone = f"1{rng.randint(30, 89)}{rng.randint(0, 99999999):08d}"
    if language == "zh":
        names = ZH_NAMES_GBK if charset == "gbk" else ZH_NAMES_GB2312
        issues, extra, greeting, closing = ZH_ISSUES, ZH_EXTRA, ZH_GREETING, ZH_CLOSING
    elif language == "es":
        names, issues, extra = ES_NAMES, ES_ISSUES, ES_EXTRA
        greeting, closing = ES_GREETING, ES_CLOSING
    else:
        names, issues, extra = EN_NAMES, EN_ISSUES, EN_EXTRA
        greeting, closing = EN_GREETING, EN_CLOSING
    name = rng.choice(names)
    subject, first = rng.choice(issues)
    second = rng.choice(issues)[1]
    sep = "" if language == "zh" else " "
    paragraphs = [
        greeting,
        first.format(**fields),
        sep.join(rng.sample(extra, k=rng.randint(2, 4))),
        second.format(**fields) if rng.random() < 0.4 else rng.choice(extra),
        closing.format(name=name, phone=phone),
    ]
    return name, subject.format(**fields), "\n\n".join(paragraphs)


def make_message(rng: random.Random, index: int, tag: str = "bench") -> Sample:
    """One complaint; ``index`` and ``tag`` make its Message-ID and sender unique."""
    language, charset, cte = _language_and_charset(rng)
    roll = rng.random()
    kind = "attachment" if roll < 0.2 else "html" if roll < 0.3 else "plain"
    if kind == "plain" and rng.random() < 1 / 3:
        kind = "alternative"
    name, subject, text = _complaint(rng, language, charset)
    domain = rng.choice(DOMAINS)
    sender = f"owner.{tag}.{index}@{domain}"
    message_id = f"{tag}.{index}.{rng.getrandbits(64):016x}@{domain}"
    header_charset = "utf-8" if charset == "us-ascii" else charset
    when = datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(seconds=index * 7)
    headers = [
        f"From: {_encode_header(name, header_charset)} <{sender}>",
        f"To: Complaint Desk <{DESK_ADDRESS}>",
        f"Subject: {_encode_header(subject, header_charset)}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{message_id}>",
        "MIME-Version: 1.0",
    ]
    if rng.random() < 0.5:
        headers.append(f"Content-Language: {language}")
    if kind == "html":
        body = _text_part(_html(text), charset, cte, "html")
    elif kind == "plain":
        body = _text_part(text, charset, cte)
    else:
        boundary = f"----=_Part_{index}_{rng.getrandbits(40):010x}"
        if kind == "alternative":
            parts = [_text_part(text, charset, cte), _text_part(_html(text), charset, cte, "html")]
            ctype = "multipart/alternative"
        else:
            parts = [_text_part(text, charset, cte), _attachment_part(rng, language)]
            ctype = "multipart/mixed"
        b = boundary.encode("ascii")
        chunks = [
            f'Content-Type: {ctype}; boundary="{boundary}"\r\n\r\n'.encode("ascii"),
            b"This is a multi-part message in MIME format.\r\n",
        ]
        for part in parts:
            chunks += [b"--" + b + CRLF, part]
        chunks.append(b"--" + b + b"--" + CRLF)
        body = b"".join(chunks)
    head = "\r\n".join(headers).encode("ascii") + CRLF
    return Sample(message_id, sender, head + body, language, charset, kind)


def generate(count: int, seed: int = 1, start: int = 0, tag: str = "bench") -> Iterator[Sample]:
    """``count`` messages, the same bytes for the same (seed, start, tag)."""
    rng = random.Random(f"{seed}:{tag}:{start}")
    for index in range(start, start + count):
        yield make_message(rng, index, tag)

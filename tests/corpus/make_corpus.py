#!/usr/bin/env python3
"""Generate the raw e-mail test corpus in tests/corpus/ byte-exactly.

Every message is assembled from raw bytes: header lines, RFC 2047 encoded-words,
RFC 2231 parameters, base64 / quoted-printable / 8bit / x-uuencode bodies are all
produced here by hand with an explicit codec, so the files contain exactly the
encodings (and the encoding mistakes) that real mailers produce.  Nothing is
serialised by ``email.generator``.

Usage::

    python tests/corpus/make_corpus.py            # (re)write *.eml + manifest.toml
    python tests/corpus/make_corpus.py --check    # verify files on disk and manifest
    python tests/corpus/make_corpus.py --explain  # also show what a naive
                                                  # email.policy.default parse yields

The output is deterministic: running the script twice produces identical bytes.

``--check`` does not trust Python's naive decoding.  It re-decodes every message
with the *intended* decoding (gb2312/gbk declared -> gb18030, lenient base64,
x-uuencode, HTML stripped of <script>/<style>, per-file overrides for the
deliberately mislabelled files) and asserts that ``subject_contains``,
``body_contains``, ``body_not_contains`` and ``attachments`` in manifest.toml
are recoverable, that every bounced address is present, that each auto-reply
really carries the header (or subject) named as its reason, and that the traps
are real (e.g. strict gb2312 decoding really fails where the manifest says so).
"""

# ruff: noqa: E501  (owner letters are kept as real one-line paragraphs)
from __future__ import annotations

import base64
import binascii
import hashlib
import html
import quopri
import re
import struct
import sys
import tomllib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRLF = b"\r\n"
DESK = "complaints@desk.example"

# --------------------------------------------------------------------------
# low-level encoders (all produce bytes / ASCII str exactly as written to disk)
# --------------------------------------------------------------------------


def crlf(text: str) -> str:
    """Normalise a Python text block to CRLF line ends, ending with CRLF."""
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def enc(text: str, codec: str, declared: str | None = None) -> bytes:
    """Encode strictly; `declared` is checked too unless the file lies on purpose."""
    data = text.encode(codec)
    if declared is not None:
        text.encode(declared)  # raises if the text does not fit the declared charset
    return data


def b64_body(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def qp_body(data: bytes, maxlen: int = 76) -> bytes:
    """Quoted-printable (RFC 2045) with CRLF hard breaks and '=' soft breaks.

    Lines are cut at the byte level, so a multi-byte UTF-8 / GBK character may be
    split across a soft line break - that is legal and happens in real mail.
    """
    out = []
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        tokens = []
        for i, byte in enumerate(line):
            last = i == len(line) - 1
            if byte in (0x20, 0x09) and not last or 33 <= byte <= 126 and byte != 61:
                tokens.append(chr(byte))
            else:
                tokens.append(f"={byte:02X}")
        cur = ""
        for tok in tokens:
            if len(cur) + len(tok) > maxlen - 1:
                out.append(cur + "=")
                cur = ""
            cur += tok
        out.append(cur)
    return ("\r\n".join(out) + "\r\n").encode("ascii")


def uu_body(data: bytes, filename: str) -> bytes:
    lines = [f"begin 644 {filename}".encode("ascii")]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i : i + 45]).rstrip(b"\n"))
    lines += [b"`", b"end"]
    return CRLF.join(lines) + CRLF


_Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _q_char(data: bytes) -> str:
    return "".join("_" if b == 0x20 else chr(b) if b in _Q_SAFE else f"={b:02X}" for b in data)


def ew(
    text: str,
    label: str,
    mode: str = "B",
    codec: str | None = None,
    fold: str = "\r\n ",
    split_bytes: bool = False,
) -> str:
    """RFC 2047 encoded-word(s), at most 75 characters each, joined by `fold`.

    `label` is the charset name written into the header, `codec` the Python codec
    actually used for the bytes (defaults to the label).  Text is split between
    characters, never inside one, unless `split_bytes` is set (a known bug of
    some PHP mailers that RFC 2047 forbids).
    """
    codec = codec or label
    prefix = f"=?{label}?{mode}?"
    words: list[str] = []
    if split_bytes:
        data = text.encode(codec)
        step = 3 * ((75 - len(prefix) - 2) // 4)
        if mode != "B":
            raise ValueError("split_bytes only for B")
        step = step - 1 if step % 3 == 0 else step  # make sure a character is cut
        for i in range(0, len(data), step):
            words.append(prefix + base64.b64encode(data[i : i + step]).decode() + "?=")
        return fold.join(words)
    chunk = ""
    for ch in text:
        trial = chunk + ch
        data = trial.encode(codec)
        body = base64.b64encode(data).decode() if mode == "B" else _q_char(data)
        if len(prefix) + len(body) + 2 > 75 and chunk:
            words.append(_encode_word(chunk, prefix, mode, codec))
            chunk = ch
        else:
            chunk = trial
    if chunk:
        words.append(_encode_word(chunk, prefix, mode, codec))
    return fold.join(words)


def _encode_word(text: str, prefix: str, mode: str, codec: str) -> str:
    data = text.encode(codec)
    body = base64.b64encode(data).decode() if mode == "B" else _q_char(data)
    return prefix + body + "?="


def addr(
    display: str | None,
    address: str,
    label: str = "UTF-8",
    mode: str = "B",
    codec: str | None = None,
) -> str:
    if not display:
        return address
    if display.isascii():
        if re.fullmatch(r"[A-Za-z0-9 .'-]+", display) and "." not in display:
            return f"{display} <{address}>"
        return f'"{display}" <{address}>'
    return f"{ew(display, label, mode, codec, fold=' ')} <{address}>"


def rfc2231(value: str, codec: str, label: str, lang: str = "") -> str:
    from urllib.parse import quote

    return f"{label}'{lang}'" + quote(value.encode(codec), safe="")


def date(day: int, hh: int, mm: int, ss: int, tz: float) -> str:
    tzinfo = timezone(timedelta(hours=tz))
    return format_datetime(datetime(2026, 11, day, hh, mm, ss, tzinfo=tzinfo))


def mid(n: int) -> str:
    return f"<corpus-{n:03d}@owner.example>"


def received(helo: str, ip: str, qid: str, when: str, rcpt: str = DESK) -> str:
    return (
        f"from {helo} ({helo} [{ip}])\r\n\tby mx.desk.example (Postfix) with ESMTPS id {qid}\r\n"
        f"\tfor <{rcpt}>; {when}"
    )


def message(headers: list[tuple[str, str | bytes]], body: bytes, eol: bytes = CRLF) -> bytes:
    lines = []
    for name, value in headers:
        if isinstance(value, str):
            value = value.encode("ascii")  # anything non-ASCII must be passed as bytes
        lines.append(name.encode("ascii") + b": " + value)
    data = eol.join(lines) + eol + eol + body
    if eol != CRLF:
        data = data.replace(CRLF, eol)
    return data


def multipart(
    boundary: str, parts: list[bytes], preamble: str | None = None, close: bool = True
) -> bytes:
    out = b""
    if preamble is not None:
        out += crlf(preamble).encode("ascii")
        out += CRLF
    for part in parts:
        out += b"--" + boundary.encode("ascii") + CRLF + part
        if not part.endswith(CRLF):
            out += CRLF
    if close:
        out += b"--" + boundary.encode("ascii") + b"--" + CRLF
    return out


def part(headers: list[tuple[str, str | bytes]], body: bytes) -> bytes:
    return message(headers, body)


# --------------------------------------------------------------------------
# binary attachments (tiny but valid files)
# --------------------------------------------------------------------------


def tiny_jpeg(comment: str) -> bytes:
    """A valid 8x8 grey baseline JPEG with a COM segment (makes each photo distinct)."""

    def seg(marker, payload):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload  # noqa: E731

    out = b"\xff\xd8"
    out += seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += seg(0xFE, comment.encode("ascii"))
    out += seg(0xDB, b"\x00" + b"\x01" * 64)
    out += seg(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"
    out += seg(0xC4, b"\x00" + one_code)  # DC table 0: symbol 0 -> code '0'
    out += seg(0xC4, b"\x10" + one_code)  # AC table 0: EOB   -> code '0'
    out += seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    out += b"\x3f"  # DC diff 0, EOB, padded with 1-bits
    out += b"\xff\xd9"
    return out


def tiny_pdf(lines: list[str]) -> bytes:
    text = "BT /F1 12 Tf 60 780 Td 16 TL\n"
    for ln in lines:
        esc = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text += f"({esc}) Tj T*\n"
    text += "ET\n"
    stream = text.encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def pseudo_random(n: int, seed: bytes) -> bytes:
    out = b""
    block = seed
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:n]


# --------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------

CASES: list[dict] = []


def case(name: str, data: bytes, manifest: dict, check: dict | None = None) -> None:
    assert name.endswith(".eml") and all(c["name"] != name for c in CASES), name
    CASES.append({"name": name, "data": data, "manifest": manifest, "check": check or {}})


def simple(
    n,
    when,
    from_,
    subject,
    ctype,
    cte,
    body,
    *,
    extra=(),
    trace=None,
    to=DESK,
    msgid=True,
    mailer=None,
    eol=CRLF,
):
    headers: list[tuple[str, str | bytes]] = []
    if trace:
        headers.append(("Return-Path", f"<{trace[0]}>"))
        headers.append(("Received", received(trace[1], trace[2], trace[3], when)))
    headers += [("Date", when), ("From", from_), ("To", to), ("Subject", subject)]
    if msgid:
        headers.append(("Message-ID", mid(n)))
    headers += list(extra)
    if ctype is not None:
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", ctype))
    if cte is not None:
        headers.append(("Content-Transfer-Encoding", cte))
    if mailer:
        headers.append(("X-Mailer", mailer))
    return message(headers, body, eol)


# ---------------------------------------------------------------- Chinese ---

# 1. GB2312, pure GB2312 text, base64 body (Foxmail)
txt = """物业管理处：

您好！我是3栋2单元1502的业主王丽。从前天晚上开始，我家卫生间天花板一直在漏水，水是从楼上1602的下水管渗下来的，吊顶已经泡软了，墙角也开始发霉。

我联系过楼上住户，但家里一直没人。麻烦物业尽快安排维修师傅上门查看，并通知楼上业主先关掉总阀。我白天上班，晚上七点以后在家，联系电话13800001234。

谢谢！
王丽
2026年11月23日
"""
subj = "3栋2单元1502卫生间漏水，请尽快派人维修"
case(
    "zh_gb2312_leak.eml",
    simple(
        1,
        date(23, 9, 14, 5, 8),
        addr("王丽", "wangli@owner.example", "gb2312"),
        ew(subj, "gb2312"),
        'text/plain;\r\n\tcharset="gb2312"',
        "base64",
        b64_body(enc(crlf(txt), "gb2312")),
        trace=("wangli@owner.example", "smtp.owner.example", "198.51.100.23", "4Gx7Kd0f1Qz1"),
        mailer="Foxmail 7.2.25.228[cn]",
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "卫生间漏水",
        "body_contains": "卫生间天花板一直在漏水",
        "sender": "wangli@owner.example",
        "notes": "Plain GB2312: base64 body, RFC 2047 B subject and display name, Foxmail.",
    },
)

# 2. declared gb2312, contains GBK-only characters (堃 in subject, 镕 in body)
txt = """物业你们好：

5栋的两部电梯这周已经坏了三次，今天早上又停在9楼和10楼之间，我邻居被困了将近四十分钟才有人来开门。

我母亲朱镕芳今年78岁，住在5栋1803，腿脚不好，电梯停运她根本没法下楼去医院复查。请物业说明电梯维保公司是哪一家、上一次年检是什么时候，以及这次到底什么时候能修好。

如果本周内还修不好，我们几户业主会向街道办和市场监管局反映。

业主 李堃
"""
subj = "5栋电梯一周坏三次，老人无法出门（业主李堃）"
case(
    "zh_gb2312_with_gbk_chars_elevator.eml",
    simple(
        2,
        date(23, 7, 42, 51, 8),
        addr("李堃", "likun@owner.example", "gb2312", codec="gbk"),
        ew(subj, "gb2312", codec="gbk"),
        "text/plain; charset=gb2312",
        "base64",
        b64_body(enc(crlf(txt), "gbk")),
        trace=("likun@owner.example", "mail.owner.example", "198.51.100.61", "4Gx7Kd3bYnz2"),
        mailer="Foxmail 7.2.23.121[cn]",
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "业主李堃",
        "body_contains": "我母亲朱镕芳",
        "sender": "likun@owner.example",
        "notes": "Declared gb2312 but 堃 (subject, display name) and 镕 (body) exist only in "
        "GBK/GB18030: strict gb2312 decoding fails, decode gb2312 as gb18030.",
    },
    {"naive_body_fails": True, "naive_subject_fails": True},
)

# 3. GBK, 8bit body, GBK-only character 喆 in signature
txt = """物业你们好，

我是7栋1901的住户陈喆。楼上2001最近一个月几乎每天晚上十一点以后还在拖动桌椅、跳绳，凌晨一两点还能听到小孩跑来跑去和弹珠掉在地板上的声音。

我上去敲过两次门，对方态度很差，说“自己家里想干什么就干什么”。家里老人睡眠本来就不好，已经连续好几天失眠了。

希望物业能出面协调，必要时安排保安夜间巡查。谢谢。

陈喆
"""
subj = "楼上深夜噪音扰民（7栋1901）"
case(
    "zh_gbk_noise.eml",
    simple(
        3,
        date(23, 1, 37, 12, 8),
        addr("陈喆", "chenzhe@owner.example", "GBK"),
        ew(subj, "GBK"),
        "text/plain; charset=GBK",
        "8bit",
        enc(crlf(txt), "gbk"),
        trace=("chenzhe@owner.example", "smtp.owner.example", "198.51.100.77", "4Gx7Kd6mTqz3"),
        extra=[("X-Priority", "3")],
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "深夜噪音",
        "body_contains": "凌晨一两点",
        "sender": "chenzhe@owner.example",
        "notes": "GBK declared, raw 8bit body with the GBK-only character 喆.",
    },
)

# 4. GB18030 with a 4-byte sequence (emoji)
txt = """您好：

关于2026年度物业费，我收到的缴费通知单上写的物业费单价是每平方米每月2.8元，但去年业主大会表决通过的标准是2.5元。我家12栋0603建筑面积128.6平方米，一年就多收了460多元。

另外通知单上还多了一项“二次供水加压费”，之前从来没有听说过，也没有任何公示。这样涨价太不合理了😡

请物业提供涨价的依据和业主大会的表决文件，在说清楚之前我暂缓缴纳差额部分。

业主 周建华
"""
subj = "对2026年物业费涨价有异议（12栋0603）"
case(
    "zh_gb18030_fee.eml",
    simple(
        4,
        date(23, 10, 3, 44, 8),
        addr("周建华", "zhoujh@owner.example", "GB18030"),
        ew(subj, "GB18030"),
        'text/plain; charset="GB18030"',
        "base64",
        b64_body(enc(crlf(txt), "gb18030")),
        trace=("zhoujh@owner.example", "smtp.owner.example", "198.51.100.90", "4Gx7Kd9wPmz4"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "物业费",
        "body_contains": "太不合理了😡",
        "sender": "zhoujh@owner.example",
        "notes": "GB18030 body containing an emoji: of the Chinese legacy charsets only GB18030 "
        "can encode it (4-byte sequence 0x95308139); gbk decoding fails on it.",
    },
    {"naive_body_fails_as": "gbk"},
)

# 5. Big5, traditional characters
txt = """管理處您好：

本人是B座12樓C室業主。客廳靠近窗戶的牆體出現一條斜向裂縫，長度約八十公分，最寬處已經可以塞進一張名片。上個月還只是細細一條，颱風過後明顯擴大，下雨時還有水滲進來，地板也被泡壞了。

懇請管理處盡快安排工程人員勘查，確認是否涉及結構安全，並告知維修時間。如需入屋，請提前一天聯絡我。

黃志明 敬上
"""
subj = "牆體裂縫越來越大，請盡快處理（B座12樓C室）"
case(
    "zh_big5_wall_crack.eml",
    simple(
        5,
        date(22, 21, 15, 2, 8),
        addr("黃志明", "wong.cm@owner.example", "big5"),
        ew(subj, "big5"),
        "text/plain; charset=big5",
        "base64",
        b64_body(enc(crlf(txt), "big5")),
        trace=("wong.cm@owner.example", "mail.owner.example", "203.0.113.15", "4Gx7KdBx2rz5"),
        mailer="Microsoft Outlook Express 6.00.2900.5931",
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "牆體裂縫",
        "body_contains": "颱風過後明顯擴大",
        "sender": "wong.cm@owner.example",
        "notes": "Traditional Chinese in Big5 (Hong Kong / Taiwan owners).",
    },
)

# 6. UTF-8 base64, parking
txt = """您好，

我是10栋的业主赵建国，在地下二层有一个产权车位，编号B2-117。这一周以来几乎每天下班回来都发现车位被同一辆白色SUV占用，车上没有留挪车电话。

我已经给门岗打过三次电话，保安只说会贴条，但第二天车还停在那里。请问小区对外来车辆到底是怎么管理的？

希望物业今天之内给我一个处理结果，否则我只能报警拖车了。

赵建国
10栋1单元2304
"""
subj = "我的产权车位B2-117连续一周被外来车辆占用"
case(
    "zh_utf8_base64_parking.eml",
    simple(
        6,
        date(23, 19, 2, 33, 8),
        addr("赵建国", "zhaojg@owner.example"),
        ew(subj, "UTF-8"),
        "text/plain; charset=UTF-8",
        "base64",
        b64_body(enc(crlf(txt), "utf-8")),
        to=f"{ew('物业投诉中心', 'UTF-8', fold=' ')} <{DESK}>",
        trace=("zhaojg@owner.example", "smtp.owner.example", "198.51.100.31", "4Gx7KdDk9Sz6"),
        extra=[
            (
                "User-Agent",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) "
                "Gecko/20100101 Thunderbird/128.5.0",
            )
        ],
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "车位B2-117",
        "body_contains": "地下二层有一个产权车位",
        "sender": "zhaojg@owner.example",
        "notes": "UTF-8, base64 body; To also has an RFC 2047 Chinese display name.",
    },
)

# 7. UTF-8 quoted-printable, Q-encoded Chinese subject, soft breaks inside characters
txt = """物业值班室：

今天下午四点左右，8栋3楼楼道的消防水管突然爆裂，水流得很急，已经顺着楼梯往下淌，有一部分流进了电梯井。我们几户邻居先用毛巾和拖把堵着，但根本堵不住。

打你们的值班电话一直没人接！请马上派人来关总阀，并检查电梯要不要停运，不要出安全事故。

8栋302 刘芳
"""
subj = "紧急：8栋3楼楼道水管爆裂，水已经流进电梯井"
case(
    "zh_utf8_qp_pipe_burst.eml",
    simple(
        7,
        date(23, 16, 8, 19, 8),
        addr("刘芳", "liufang@owner.example", "UTF-8", "Q"),
        ew(subj, "UTF-8", "Q"),
        "text/plain; charset=utf-8",
        "quoted-printable",
        qp_body(enc(crlf(txt), "utf-8")),
        trace=("liufang@owner.example", "smtp.owner.example", "198.51.100.47", "4Gx7KdGp4Wz7"),
        extra=[("Importance", "high")],
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "水管爆裂",
        "body_contains": "流进了电梯井",
        "sender": "liufang@owner.example",
        "notes": "UTF-8 quoted-printable; soft line breaks fall inside multi-byte characters, "
        "so QP must be decoded to bytes before the charset is applied. Subject uses "
        "Q-encoded Chinese across several encoded-words.",
    },
)

# 8. declared gb2312, body is actually UTF-8
txt = """物业您好：

2栋楼下的绿化带已经两个多月没有人修剪了，杂草长得比人还高，里面还有积水和垃圾，晚上蚊虫特别多。我家住二楼，窗户都不敢开，孩子身上被咬了好多包。

物业费我们每个月都按时交，但是绿化保洁一直没有人管。请尽快安排人员清理、修剪并消杀。

2栋203 马晓燕
"""
subj = "2栋楼下绿化带无人修剪，蚊虫很多"
case(
    "zh_declared_gb2312_actually_utf8.eml",
    simple(
        8,
        date(23, 11, 25, 0, 8),
        addr("马晓燕", "maxy@owner.example"),
        ew(subj, "UTF-8"),
        "text/plain; charset=gb2312",
        "8bit",
        enc(crlf(txt), "utf-8"),
        trace=("maxy@owner.example", "web.owner.example", "198.51.100.52", "4Gx7KdJ3hBz8"),
        extra=[("X-Mailer", "PHPMailer 5.2.9 (https://github.com/PHPMailer/PHPMailer/)")],
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "绿化带",
        "body_contains": "晚上蚊虫特别多",
        "sender": "maxy@owner.example",
        "notes": "Content-Type says charset=gb2312 but the 8bit body is UTF-8 (web form mailer "
        "with a hard-coded header). Strict gb2312/gb18030 decoding fails; the body must "
        "be recognised as valid UTF-8. The subject is correctly labelled UTF-8.",
    },
    {"body_codec": "utf-8", "naive_body_fails": True, "naive_body_fails_as": "gb18030"},
)

# 9. no MIME headers at all, raw GBK 8bit body
txt = """物业：

4栋门口的垃圾桶已经两天没有人清运了，垃圾堆得满地都是，天气虽然冷了但味道还是很大，异味一直飘到一楼住户家里。晚上还有野猫把袋子扒开，弄得到处都是。

请安排保洁今天清运，以后也请按时清理。

4栋101 何先生
"""
subj = "4栋门口垃圾两天没人清运"
case(
    "zh_no_charset_gbk_8bit.eml",
    simple(
        9,
        date(22, 8, 31, 27, 8),
        addr("何先生", "he.xs@owner.example", "GBK"),
        ew(subj, "GBK"),
        None,
        None,
        enc(crlf(txt), "gbk"),
        trace=("he.xs@owner.example", "mail.owner.example", "198.51.100.88", "4Gx7KdLq7Cz9"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "垃圾",
        "body_contains": "异味一直飘到一楼",
        "sender": "he.xs@owner.example",
        "notes": "No MIME-Version, no Content-Type, no Content-Transfer-Encoding: an RFC 822 "
        "message whose body is raw 8-bit GBK. Per MIME defaults it is us-ascii, so the "
        "charset must be guessed (charset detection -> GB18030).",
    },
    {"body_codec": "gb18030", "naive_body_fails": True},
)

# 10. HTML only, gb2312, base64; <script> and <style> must not leak into the text
html_zh = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>门禁故障投诉</title>
<style type="text/css">body{font-family:"微软雅黑",sans-serif;font-size:14px} td,th{border:1px solid #ccc;padding:4px}</style>
<script type="text/javascript">var _hmt = _hmt || []; (function(){ var hm = document.createElement("script"); hm.src = "https://hm.example/hm.js?3f9a"; document.head.appendChild(hm); })();</script>
</head><body>
<p>物业服务中心：</p>
<p>您好！我是6栋1单元802的业主孙梅。小区东门和北门的门禁系统从上周六开始就时好时坏，<br>刷门禁卡经常没反应，人脸识别也识别不出来，老人和小孩经常被关在门外。</p>
<table border="1" cellspacing="0">
<tr><th>位置</th><th>问题</th><th>发现时间</th></tr>
<tr><td>东门</td><td>刷卡无反应</td><td>11月21日</td></tr>
<tr><td>北门</td><td>人脸识别失败，屏幕黑屏</td><td>11月22日</td></tr>
</table>
<p>昨天晚上十点多我和孩子在北门等了二十多分钟，打值班电话也没人接。<br>请尽快维修，并告知维修期间的临时安排。</p>
<p>业主：&nbsp;孙梅&nbsp;&nbsp;电话：139&nbsp;0000&nbsp;5678</p>
</body></html>
"""
subj = "东门北门门禁故障，老人小孩进不了小区"
case(
    "zh_html_only_gate.eml",
    simple(
        10,
        date(23, 8, 2, 10, 8),
        addr("孙梅", "sunmei@owner.example", "gb2312"),
        ew(subj, "gb2312"),
        'text/html; charset="gb2312"',
        "base64",
        b64_body(enc(crlf(html_zh), "gb2312")),
        trace=("sunmei@owner.example", "mail.owner.example", "198.51.100.19", "4Gx7KdNs1Dz0"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "门禁故障",
        "body_contains": "人脸识别失败",
        "sender": "sunmei@owner.example",
        "body_not_contains": ["_hmt", "createElement", "font-family", "border:1px"],
        "notes": "text/html only (no text/plain alternative), gb2312 base64: <p>, <br>, a "
        "table, &nbsp; entities, a <script> and a <style> block whose content must "
        "not appear in the ticket text.",
    },
)

# 11. photo attachments with RFC 2231 file names (Thunderbird style, one with continuations)
txt = """物业您好：

我家9栋2单元701主卧室靠外墙的那面墙从上个月开始渗水，现在墙皮已经起泡脱落，墙角一大片黑色的霉斑，衣柜里的衣服都有霉味了。

应该是外墙防水层出了问题，之前邻居家也出现过类似情况。照片附上，请安排人员来检查外墙，并告诉我维修方案和大概时间。

谢谢
吴倩
"""
bnd = "------------k3J0qU2vTCmKd7sFX1nE8aLp"
name1 = "卫生间漏水.jpg"
name2 = "主卧室外墙渗水发霉照片（2026年11月22日拍摄）.jpg"
n2_full = rfc2231(name2, "utf-8", "UTF-8")
n2_a, n2_b = n2_full[:70], n2_full[70:]
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(txt), "utf-8")),
        ),
        part(
            [
                ("Content-Type", f'image/jpeg; name="{ew(name1, "UTF-8", fold=" ")}"'),
                (
                    "Content-Disposition",
                    f"attachment; filename*={rfc2231(name1, 'utf-8', 'UTF-8')}",
                ),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(tiny_jpeg("IMG_20261122_183012")),
        ),
        part(
            [
                ("Content-Type", f"image/jpeg;\r\n name*0*={n2_a};\r\n name*1*={n2_b}"),
                (
                    "Content-Disposition",
                    f"attachment;\r\n filename*0*={n2_a};\r\n filename*1*={n2_b}",
                ),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(tiny_jpeg("IMG_20261122_183140")),
        ),
    ],
    preamble="This is a multi-part message in MIME format.",
)
case(
    "zh_photo_rfc2231_filename.eml",
    simple(
        11,
        date(23, 12, 40, 8, 8),
        addr("吴倩", "wuqian@owner.example"),
        ew("9栋2单元701外墙渗水，墙面发霉（附照片）", "UTF-8"),
        f'multipart/mixed;\r\n boundary="{bnd}"',
        None,
        body,
        trace=("wuqian@owner.example", "smtp.owner.example", "198.51.100.72", "4Gx7KdQw8Ez1"),
        extra=[("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "zh-CN")],
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "外墙渗水",
        "body_contains": "一大片黑色的霉斑",
        "attachments": [name1, name2],
        "sender": "wuqian@owner.example",
        "notes": "Thunderbird style: filename*=UTF-8''%E5... (RFC 2231) plus name=\"=?UTF-8?B?...?=\"; "
        "the second photo uses RFC 2231 continuations (filename*0*= / filename*1*=).",
    },
)

# 12. Outlook: multipart/mixed + alternative, RFC 2047 encoded file name in quotes
txt = """物业管理处：

11栋1号电梯的按键面板坏了，8楼到15楼的按键按下去都没有反应，面板还有一股烧焦的味道，看起来像是短路。现在住高层的住户只能走楼梯或者坐到7楼再爬上去。

照片已附上。请尽快找电梯公司检修，面板有焦味是安全隐患，建议先停用这部电梯。

11栋1406 郑伟
"""
html_part = (
    '<html><body><div style="font-family:宋体">'
    + "".join(f"<p>{line}</p>" if line else "<p>&nbsp;</p>" for line in txt.strip().split("\n"))
    + "</div></body></html>\n"
)
outer = "----=_NextPart_000_0016_01DB5D7A.3C2F1E40"
inner = "----=_NextPart_001_0017_01DB5D7A.3C2F1E40"
fname = "电梯按键面板.jpg"
alt = multipart(
    inner,
    [
        part(
            [
                ("Content-Type", 'text/plain;\r\n\tcharset="gb2312"'),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(txt), "gb2312")),
        ),
        part(
            [
                ("Content-Type", 'text/html;\r\n\tcharset="gb2312"'),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(html_part), "gb2312")),
        ),
    ],
)
body = multipart(
    outer,
    [
        part([("Content-Type", f'multipart/alternative;\r\n\tboundary="{inner}"')], CRLF + alt),
        part(
            [
                ("Content-Type", f'image/jpeg;\r\n\tname="{ew(fname, "gb2312", fold=" ")}"'),
                ("Content-Transfer-Encoding", "base64"),
                (
                    "Content-Disposition",
                    f'attachment;\r\n\tfilename="{ew(fname, "gb2312", fold=" ")}"',
                ),
            ],
            b64_body(tiny_jpeg("DSC_0412")),
        ),
    ],
    preamble="This is a multipart message in MIME format.",
)
case(
    "zh_outlook_rfc2047_filename.eml",
    message(
        [
            ("Return-Path", "<zhengwei@owner.example>"),
            (
                "Received",
                received(
                    "mail.owner.example", "198.51.100.14", "4Gx7KdSy5Fz2", date(23, 9, 55, 31, 8)
                ),
            ),
            ("From", addr("郑伟", "zhengwei@owner.example", "gb2312")),
            ("To", f"{ew('物业投诉', 'gb2312', fold=' ')} <{DESK}>"),
            ("Subject", ew("11栋1号电梯按键面板损坏，有焦味", "gb2312")),
            ("Date", date(23, 9, 55, 31, 8)),
            ("Message-ID", mid(12)),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/mixed;\r\n\tboundary="{outer}"'),
            ("X-Mailer", "Microsoft Outlook 16.0"),
            ("Thread-Index", "AdtdejwvHkAAAAABAAAAAAA0Og=="),
            ("Content-Language", "zh-cn"),
        ],
        body,
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "按键面板损坏",
        "body_contains": "烧焦的味道",
        "attachments": [fname],
        "sender": "zhengwei@owner.example",
        "notes": "Outlook style: multipart/mixed > multipart/alternative (gb2312 text + html), "
        "attachment named with an RFC 2047 encoded-word inside the quoted filename= "
        "parameter (not RFC 2231). Python's compat32 get_filename() returns the raw "
        "encoded-word; email.policy.default decodes it.",
    },
)

# 13. Foxmail-style multipart/alternative gb2312, fire lane blocked
txt = """物业安保部：

1栋和2栋之间的消防通道最近被人长期堆放杂物，有旧沙发、装修剩下的瓷砖和好几辆电动车，还有人在那里给电动车充电，拉着长长的插线板。

这条通道是消防车唯一能开进来的路，一旦着火后果不堪设想。请物业立即清理，并对乱停乱放的电动车进行处理。

1栋住户 冯刚
"""
bnd = "----=_001_NextPart318752401856_=----"
html_fx = (
    '<html><head><meta http-equiv="content-type" content="text/html; charset=gb2312">'
    "<style>body { line-height: 1.5; }</style></head><body>\r\n"
    + "".join(f"<div>{line or '<br>'}</div>\r\n" for line in txt.strip().split("\n"))
    + '<div><br></div><hr style="width: 210px; height: 1px;" color="#b5c4df" '
    'size="1" align="left"><div><span><div style="MARGIN: 10px; FONT-FAMILY: '
    'verdana; FONT-SIZE: 10pt"><div>fenggang@owner.example</div></div></span></div>'
    "\r\n</body></html>\r\n"
)
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", 'text/plain;\r\n\tcharset="gb2312"'),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(txt), "gb2312")),
        ),
        part(
            [
                ("Content-Type", 'text/html;\r\n\tcharset="gb2312"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(html_fx, "gb2312")),
        ),
    ],
    preamble="This is a multi-part message in MIME format.",
)
case(
    "zh_foxmail_alternative_fire_lane.eml",
    simple(
        13,
        date(22, 17, 20, 44, 8),
        addr("冯刚", "fenggang@owner.example", "gb2312"),
        ew("消防通道被杂物和电动车堵塞", "gb2312"),
        f'multipart/alternative;\r\n\tboundary="{bnd}"',
        None,
        body,
        trace=("fenggang@owner.example", "smtp.owner.example", "198.51.100.26", "4Gx7KdVa2Gz3"),
        mailer="Foxmail 7.2.25.228[cn]",
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "消防通道",
        "body_contains": "消防车唯一能开进来的路",
        "sender": "fenggang@owner.example",
        "notes": "multipart/alternative: gb2312 text/plain in base64 + text/html in "
        "quoted-printable (Foxmail).",
    },
)

# 14. charset label "x-gbk" (unknown to Python's codec registry)
txt = """您好：

楼上1305的空调外机冷凝水管没有接好，水一直滴在我家1205的阳台雨棚上，白天晚上都“嗒嗒”响，雨棚已经发黄长青苔，晾的衣服也被弄脏了。

我跟楼上说过，他们说是物业装的管子不关他们的事。请物业来看一下到底是谁的责任，尽快把冷凝水管接到排水管里。

13栋1205 秦女士
"""
case(
    "zh_x_gbk_label_ac_drip.eml",
    simple(
        14,
        date(22, 14, 7, 55, 8),
        addr("秦女士", "qin.ns@owner.example", "x-gbk", codec="gbk"),
        ew("楼上空调冷凝水滴到我家阳台", "x-gbk", codec="gbk"),
        'text/plain; charset="x-gbk"',
        "base64",
        b64_body(enc(crlf(txt), "gbk")),
        trace=("qin.ns@owner.example", "mail.owner.example", "198.51.100.93", "4Gx7KdXc6Hz4"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "空调冷凝水",
        "body_contains": "阳台雨棚",
        "sender": "qin.ns@owner.example",
        "notes": "Charset label 'x-gbk' (old Netscape/Mozilla label) in both the encoded-words "
        "and Content-Type. Python has no such codec (LookupError); it must be aliased "
        "to gbk/gb18030.",
    },
    {
        "body_codec": "gb18030",
        "subject_codec": "gb18030",
        "naive_body_fails": True,
        "naive_subject_fails": True,
    },
)

# 15. one character split across two UTF-8 encoded-words (forbidden but common)
txt = """物业你好，

这个月的电费账单里公摊电费突然涨到了186元，比上个月多了一倍多。我问了好几户邻居，大家的公摊都涨了。楼道灯和电梯的用电量不可能一个月翻倍吧？

请物业公示本月公共区域的用电明细和分摊计算方法。

14栋0808 杨帆
"""
subj = "本月公摊电费比上月翻倍，请公示用电明细和分摊计算方法（14栋0808业主）"
case(
    "zh_subject_split_multibyte.eml",
    simple(
        15,
        date(23, 20, 45, 9, 8),
        addr("杨帆", "yangfan@owner.example"),
        ew(subj, "UTF-8", split_bytes=True),
        "text/plain; charset=UTF-8",
        "8bit",
        enc(crlf(txt), "utf-8"),
        trace=("yangfan@owner.example", "web.owner.example", "198.51.100.58", "4Gx7KdZf0Jz5"),
        mailer="PHPMailer 6.0.7",
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "公摊电费比上月翻倍",
        "body_contains": "公共区域的用电明细",
        "sender": "yangfan@owner.example",
        "notes": "Long UTF-8 subject cut into B encoded-words at fixed byte offsets, so "
        "characters are split across words (RFC 2047 5. forbids it; old PHP mailers do "
        "it). Adjacent same-charset words must be joined as bytes before decoding.",
    },
    {"subject_word_split": True},
)

# 16. raw UTF-8 headers (RFC 6532 / SMTPUTF8)
txt = """物业你们好，

15栋2号电梯这几天运行的时候一直有很响的“咔咔”异响，到12楼附近还会突然抖一下，坐电梯的人都很害怕。

请尽快通知维保单位检查，确认安全之前最好贴个告示。

15栋1102 周洁
"""
case(
    "zh_raw_utf8_headers_rfc6532.eml",
    message(
        [
            ("Return-Path", "<zhoujie@owner.example>"),
            (
                "Received",
                received(
                    "smtp.owner.example", "198.51.100.66", "4Gx7KdbH3Kz6", date(23, 13, 12, 40, 8)
                ).replace("ESMTPS", "UTF8SMTPS"),
            ),
            ("Date", date(23, 13, 12, 40, 8)),
            ("From", "周洁 <zhoujie@owner.example>".encode()),
            ("To", DESK),
            ("Subject", "15栋2号电梯运行时有异响".encode()),
            ("Message-ID", mid(16)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        enc(crlf(txt), "utf-8"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "电梯运行时有异响",
        "body_contains": "咔咔",
        "sender": "zhoujie@owner.example",
        "notes": "Internationalised headers (RFC 6532): Subject and From display name are raw "
        "UTF-8 bytes, no encoded-words. Legal when received over SMTPUTF8.",
    },
    {"subject_codec": "utf-8"},
)

# ---------------------------------------------------------------- Spanish ---

# 17. ISO-8859-1 quoted-printable
txt = """Buenos días:

Les escribo como propietaria del piso 5ºB de la Torre 2. Desde las lluvias de la semana pasada tengo una mancha de humedad en el techo del salón que no para de crecer, y en el baño ya ha salido moho en la esquina de la ducha.

Creo que el agua entra por la terraza comunitaria de la planta 6ª, que nadie ha revisado desde hace años. Les ruego que envíen a alguien a revisarlo antes de que se caiga la pintura o algo peor. Si necesitan fotos, se las mando.

Un saludo,
Carmen Ruiz Domínguez
Torre 2, 5ºB
"""
case(
    "es_latin1_qp_humedad.eml",
    simple(
        17,
        date(23, 9, 30, 12, 1),
        addr("Carmen Ruiz Domínguez", "carmen.ruiz@correo.example", "ISO-8859-1", "Q"),
        ew("Humedad en el techo del salón y moho en el baño - Torre 2, 5ºB", "ISO-8859-1", "Q"),
        "text/plain; charset=ISO-8859-1",
        "quoted-printable",
        qp_body(enc(crlf(txt), "iso-8859-1")),
        trace=("carmen.ruiz@correo.example", "smtp.correo.example", "192.0.2.40", "4Gx7KddM7Lz7"),
        extra=[("User-Agent", "Roundcube Webmail/1.6.9")],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "moho en el baño",
        "body_contains": "mancha de humedad en el techo del salón",
        "sender": "carmen.ruiz@correo.example",
        "notes": "ISO-8859-1 quoted-printable body, Q-encoded ISO-8859-1 subject and display name.",
    },
)

# 18. windows-1252 with euro sign and curly quotes (Outlook, multipart/alternative)
txt = """Estimados señores:

He recibido la convocatoria con una derrama de 1.250 € por “obras urgentes” en la fachada, pero en el acta de la última junta no aparece ningún presupuesto aprobado. Además, en el recibo de gastos de comunidad de noviembre me han cobrado 87,40 € en lugar de los 72,15 € habituales, sin ninguna explicación.

¿Podrían enviarme el desglose de los gastos y el presupuesto de la empresa que va a hacer la obra? No pienso pagar la derrama hasta tenerlo por escrito.

Atentamente,
José Antonio Ferrer – Portal 4, 2ºA
"""
html_cp = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    '</head><body lang="ES">\r\n'
    + "".join(
        f'<p class="MsoNormal">{html.escape(line, quote=False) or "&nbsp;"}</p>\r\n'
        for line in txt.strip().split("\n")
    )
    + "</body></html>\r\n"
)
bnd = "_000_AM0PR06MB4083E1B2C5D6A0F8B3C7D9E1AM0PR06MB4083eurp_"
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", 'text/plain; charset="Windows-1252"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(crlf(txt), "cp1252")),
        ),
        part(
            [
                ("Content-Type", 'text/html; charset="Windows-1252"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(html_cp, "cp1252")),
        ),
    ],
)
case(
    "es_cp1252_gastos_comunidad.eml",
    simple(
        18,
        date(23, 11, 2, 17, 1),
        addr("José Antonio Ferrer", "jaferrer@correo.example", "Windows-1252", "Q", "cp1252"),
        ew(
            "Derrama de 1.250 € por “obras urgentes” y recibo de gastos de comunidad",
            "Windows-1252",
            "Q",
            "cp1252",
        ),
        f'multipart/alternative;\r\n\tboundary="{bnd}"',
        None,
        body,
        trace=("jaferrer@correo.example", "mail.correo.example", "192.0.2.77", "4Gx7KdfQ1Mz8"),
        extra=[
            ("Thread-Topic", "Derrama y recibo de noviembre"),
            ("Thread-Index", "AdtdfA1kL2xQb3J5RUWh8dJ9kz0hQA=="),
            ("Accept-Language", "es-ES, en-US"),
            ("Content-Language", "es-ES"),
        ],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "1.250 € por “obras urgentes”",
        "body_contains": "derrama de 1.250 € por “obras urgentes”",
        "sender": "jaferrer@correo.example",
        "notes": "windows-1252 (Outlook): € is 0x80, curly quotes 0x93/0x94, en dash 0x96 - "
        "bytes that are C1 controls in ISO-8859-1, so labelling it latin-1 garbles them.",
    },
)

# 19. UTF-8 8bit, ascensor averiado
txt = """Hola:

El ascensor de la Torre 1 lleva parado desde el viernes por la tarde y nadie ha puesto ni un cartel. Mi padre vive conmigo en el 8ºC, va en silla de ruedas y desde hace tres días no puede salir de casa; el lunes tiene cita en el hospital.

Llamé al teléfono de averías que está en el portal y me dijeron que “ya lo sabían”. ¿Cuándo viene el técnico? Necesito una fecha, no un “en cuanto se pueda”.

Gracias,
Lucía Navarro
Torre 1, 8ºC
"""
case(
    "es_utf8_ascensor.eml",
    simple(
        19,
        date(23, 8, 12, 3, 1),
        addr("Lucía Navarro", "lucia.navarro@correo.example", "UTF-8", "Q"),
        ew("Ascensor averiado desde el viernes — Torre 1", "UTF-8", "Q"),
        "text/plain; charset=UTF-8; format=flowed",
        "8bit",
        enc(crlf(txt), "utf-8"),
        trace=("lucia.navarro@correo.example", "smtp.correo.example", "192.0.2.18", "4Gx7KdhS4Nz9"),
        extra=[
            (
                "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.4.2",
            )
        ],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Ascensor averiado",
        "body_contains": "va en silla de ruedas",
        "sender": "lucia.navarro@correo.example",
        "notes": "UTF-8, 8bit body, Q-encoded UTF-8 subject with an em dash.",
    },
)

# 20. HTML only (Outlook / Word HTML), iso-8859-1 QP, entities, conditional comments
html_es = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
	{font-family:Calibri;
	panose-1:2 15 5 2 2 2 4 3 2 4;}
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]-->
</head>
<body lang="ES" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Buenas tardes:<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Soy el propietario del 3&ordm;A de la Torre 1. El vecino del 4&ordm;A pone m&uacute;sica a todo volumen casi todas las noches hasta las tres o las cuatro de la ma&ntilde;ana, y los fines de semana organiza fiestas con mucha gente.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">He hablado con &eacute;l dos veces y no ha servido de nada. Tengo dos hijos peque&ntilde;os que no pueden dormir. Les pido que la administraci&oacute;n le env&iacute;e un requerimiento por escrito y que me digan qu&eacute; pasos puedo dar si contin&uacute;a.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Un saludo,<o:p></o:p></p>
<p class="MsoNormal">Andr&eacute;s Mol&iacute;ns<o:p></o:p></p>
</div>
</body>
</html>
"""
case(
    "es_html_only_ruido_vecino.eml",
    simple(
        20,
        date(23, 15, 47, 20, 1),
        addr("Andrés Molíns", "amolins@correo.example", "iso-8859-1", "Q"),
        ew("Ruido del vecino del 4ºA todas las noches", "iso-8859-1", "Q"),
        'text/html; charset="iso-8859-1"',
        "quoted-printable",
        qp_body(enc(crlf(html_es), "iso-8859-1")),
        trace=("amolins@correo.example", "mail.correo.example", "192.0.2.63", "4Gx7KdkV8Pz0"),
        extra=[("Thread-Topic", "Ruido del vecino"), ("Content-Language", "es-ES")],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Ruido del vecino",
        "body_contains": "música a todo volumen",
        "sender": "amolins@correo.example",
        "body_not_contains": ["MsoNormal", "font-family", "spidmax", "panose"],
        "notes": "text/html only from Outlook/Word: <style> inside an HTML comment, "
        "<!--[if gte mso 9]> conditional comment, <o:p>, named entities (&uacute;, "
        "&ntilde;, &ordm;, &nbsp;), quoted-printable with =3D.",
    },
)

# 21. PDF attachment with RFC 2231 ISO-8859-1'es' file name
txt = """Buenos días,

El pasado martes la puerta automática del garaje se cerró sobre mi coche cuando estaba saliendo (plaza 34, sótano -1). La fotocélula no detectó el vehículo y me ha abollado la puerta trasera y el lateral.

Adjunto el presupuesto de reparación del taller, 640 euros. Les pido que lo pasen al seguro de la comunidad y que revisen la puerta cuanto antes, porque a otros vecinos les ha pasado lo mismo.

Saludos,
Miguel Ángel Sanz
Torre 3, 1ºD
"""
fname = "presupuesto reparación.pdf"
pdf = tiny_pdf(
    [
        "Talleres Hermanos Gil S.L. - Presupuesto n. 2026/1187",
        "Vehiculo: matricula 1234 KLM",
        "Chapa y pintura puerta trasera izquierda: 410,00 EUR",
        "Lateral trasero: 130,00 EUR",
        "Mano de obra: 100,00 EUR",
        "Total (IVA incluido): 640,00 EUR",
    ]
)
bnd = "=_b7e2c1a9f0d45a3c8e0f1d2b6a7c9e11"
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", "text/plain; charset=UTF-8"),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(crlf(txt), "utf-8")),
        ),
        part(
            [
                (
                    "Content-Type",
                    f"application/pdf;\r\n name*={rfc2231(fname, 'latin-1', 'ISO-8859-1', 'es')}",
                ),
                ("Content-Transfer-Encoding", "base64"),
                (
                    "Content-Disposition",
                    f"attachment;\r\n filename*={rfc2231(fname, 'latin-1', 'ISO-8859-1', 'es')};\r\n size={len(pdf)}",
                ),
            ],
            b64_body(pdf),
        ),
    ],
)
case(
    "es_pdf_presupuesto_garaje.eml",
    simple(
        21,
        date(23, 10, 18, 52, 1),
        addr("Miguel Ángel Sanz", "masanz@correo.example", "UTF-8", "Q"),
        ew("Puerta del garaje: daños en mi coche, adjunto presupuesto", "UTF-8", "Q"),
        f'multipart/mixed;\r\n boundary="{bnd}"',
        None,
        body,
        trace=("masanz@correo.example", "smtp.correo.example", "192.0.2.91", "4Gx7KdmX2Qz1"),
        extra=[("User-Agent", "Roundcube Webmail/1.6.9")],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "daños en mi coche",
        "body_contains": "presupuesto de reparación del taller",
        "attachments": [fname],
        "sender": "masanz@correo.example",
        "notes": "PDF attachment whose name is RFC 2231 with charset and language: "
        "filename*=ISO-8859-1'es'presupuesto%20reparaci%F3n.pdf.",
    },
)

# 22. subject: several Q encoded-words across a fold, ñ/á/º
txt = """Buenas,

Desde hace dos semanas cae agua del techo del garaje justo encima de mi plaza, la número 34 de la planta -2. El agua viene con restos de cal y ya me ha manchado la pintura del coche; en el suelo hay un charco permanente y alguien se va a resbalar.

Les agradecería que avisaran al fontanero de la comunidad y que mientras tanto pusieran algún cubo o señalización.

Un saludo,
Begoña Iturbe
Torre 2, 9ºA
"""
case(
    "es_subject_q_encoded_garaje.eml",
    simple(
        22,
        date(22, 18, 4, 40, 1),
        addr("Begoña Iturbe", "begona.iturbe@correo.example", "UTF-8", "Q"),
        "=?UTF-8?Q?Filtraci=C3=B3n_en_el_garaje:_da=C3=B1os_en_mi_plaza_?=\r\n"
        " =?UTF-8?Q?n=C2=BA_34_=28planta_-2=29?= - urgente",
        "text/plain; charset=UTF-8",
        "quoted-printable",
        qp_body(enc(crlf(txt), "utf-8")),
        trace=("begona.iturbe@correo.example", "smtp.correo.example", "192.0.2.12", "4Gx7KdpZ6Rz2"),
        extra=[("User-Agent", "Mozilla Thunderbird")],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "daños en mi plaza nº 34 (planta -2) - urgente",
        "body_contains": "cae agua del techo del garaje",
        "sender": "begona.iturbe@correo.example",
        "notes": "Subject made of two Q encoded-words separated by a fold (the whitespace between "
        "them must vanish, the '_' inside must become spaces) followed by plain text.",
    },
)

# 23. UTF-8 multipart/alternative, obras del vecino
txt = """Hola,

Les escribo porque el vecino del 6ºB de la Torre 3 está haciendo obras en su piso y empieza a taladrar a las 7:30 de la mañana, incluso los sábados. Según los estatutos de la comunidad, las obras solo se pueden hacer de lunes a viernes de 9:00 a 14:00 y de 16:00 a 19:00.

Además han dejado sacos de escombro en el rellano y el ascensor está lleno de polvo. ¿Tiene licencia de obra? Les agradecería que le recordaran el horario.

Saludos,
Pilar Echevarría
Torre 3, 5ºB
"""
html_u = (
    '<div dir="ltr">'
    + "".join(
        f"<div>{html.escape(line, quote=False) or '<br>'}</div>" for line in txt.strip().split("\n")
    )
    + "</div>\r\n"
)
bnd = "000000000000f3a1b20613c4e5d7"
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", 'text/plain; charset="UTF-8"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(crlf(txt), "utf-8")),
        ),
        part(
            [
                ("Content-Type", 'text/html; charset="UTF-8"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(html_u, "utf-8")),
        ),
    ],
)
case(
    "es_utf8_alternative_obras.eml",
    simple(
        23,
        date(21, 7, 41, 6, 1),
        addr("Pilar Echevarría", "pilar.echevarria@correo.example"),
        ew("Obras del vecino del 6ºB a las 7:30 de la mañana", "UTF-8"),
        f'multipart/alternative; boundary="{bnd}"',
        None,
        body,
        trace=(
            "pilar.echevarria@correo.example",
            "mail-ej1-f41.correo.example",
            "192.0.2.141",
            "4Gx7KdrB0Sz3",
        ),
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "7:30 de la mañana",
        "body_contains": "taladrar a las 7:30",
        "sender": "pilar.echevarria@correo.example",
        "notes": "Gmail-like multipart/alternative, UTF-8 quoted-printable, B-encoded subject.",
    },
)

# ---------------------------------------------------------------- English ---

txt = """Hello,

The main entrance door of Block 3 has not been locking properly since last Thursday. It closes but the latch does not catch, so anyone can just push it open from the street. The buzzer for the intercom also stopped working, so visitors cannot call us.

Two bicycles were taken from the ground-floor storage on Saturday night. Please send someone to fix the lock and the buzzer as soon as possible.

Regards,
David Chen
Block 3, Unit 1502
"""
case(
    "en_ascii_plain_door_lock.eml",
    simple(
        24,
        date(23, 8, 55, 10, 0),
        addr("David Chen", "david.chen@owner.example"),
        "Block 3 entrance door does not lock - security problem",
        "text/plain; charset=us-ascii",
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=("david.chen@owner.example", "smtp.owner.example", "198.51.100.101", "4Gx7KdtD4Tz4"),
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "does not lock",
        "body_contains": "The buzzer for the intercom also stopped working",
        "sender": "david.chen@owner.example",
        "notes": "Plain 7bit us-ascii, the easy case.",
    },
)

txt = """Hi,

We have had no hot water and the radiators are cold in Block 1, Unit 702 since Sunday evening. The boiler room was checked on Monday and your technician applied a “temporary” fix, but it stopped working again after two hours.

It’s 4 °C outside at night and we have a three-month-old baby at home — this is not acceptable. Could you please tell me when a proper repair is scheduled, and whether other flats in Block 1 are affected?

Thanks,
Sarah O’Connor
"""
html_en = (
    '<html><body><div style="font-family: Arial, sans-serif;">'
    + "".join(
        f"<p>{html.escape(line, quote=False)}</p>" if line else ""
        for line in txt.strip().split("\n")
    )
    + "</div></body></html>\r\n"
)
bnd = "Apple-Mail=_5E3A1C0B-7D92-4F1B-A8C6-2E9B0D4F7A13"
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Transfer-Encoding", "quoted-printable"),
                ("Content-Type", "text/plain;\r\n\tcharset=utf-8"),
            ],
            qp_body(enc(crlf(txt), "utf-8")),
        ),
        part(
            [
                ("Content-Transfer-Encoding", "quoted-printable"),
                ("Content-Type", "text/html;\r\n\tcharset=utf-8"),
            ],
            qp_body(enc(html_en, "utf-8")),
        ),
    ],
)
case(
    "en_utf8_alternative_heating.eml",
    simple(
        25,
        date(23, 7, 3, 58, 0),
        addr("Sarah O’Connor", "sarah.oconnor@owner.example"),
        ew("No heating or hot water since Sunday – Block 1, Unit 702", "utf-8", "Q"),
        f'multipart/alternative;\r\n\tboundary="{bnd}"',
        None,
        body,
        trace=(
            "sarah.oconnor@owner.example",
            "mail.owner.example",
            "198.51.100.110",
            "4Gx7KdvF8Vz5",
        ),
        mailer="Apple Mail (2.3826.300.87.4.3)",
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "No heating or hot water",
        "body_contains": "applied a “temporary” fix",
        "sender": "sarah.oconnor@owner.example",
        "notes": "Apple Mail multipart/alternative, UTF-8 QP with curly quotes, em dash and a "
        "degree sign; display name with a curly apostrophe (RFC 2047).",
    },
)

txt = """Dear Management Office,

There is a long diagonal crack in the ceiling of the underground car park, level -1, right above bays 18 to 20. Small pieces of concrete have started to fall on the cars parked underneath - one landed on my windscreen this morning.

I have attached a photo. Please close off those bays and have a structural engineer look at it before someone gets hurt.

Best regards,
Michael Turner
Block 2, Unit 303
"""
bnd = "----=_Part_48213_1795263342.1763886112934"
body = multipart(
    bnd,
    [
        part(
            [("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "7bit")],
            enc(crlf(txt), "ascii"),
        ),
        part(
            [
                ("Content-Type", 'image/jpeg; name="carpark-ceiling-crack.jpg"'),
                ("Content-Transfer-Encoding", "base64"),
                ("Content-Disposition", 'attachment; filename="carpark-ceiling-crack.jpg"'),
            ],
            b64_body(tiny_jpeg("IMG_4471")),
        ),
    ],
)
case(
    "en_attachment_photo_crack.eml",
    simple(
        26,
        date(23, 8, 21, 52, 0),
        addr("Michael Turner", "m.turner@owner.example"),
        "Concrete falling from car park ceiling (level -1, bays 18-20)",
        f'multipart/mixed; \r\n\tboundary="{bnd}"',
        None,
        body,
        trace=("m.turner@owner.example", "smtp.owner.example", "198.51.100.120", "4Gx7KdxH2Wz6"),
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "Concrete falling",
        "body_contains": "long diagonal crack in the ceiling",
        "attachments": ["carpark-ceiling-crack.jpg"],
        "sender": "m.turner@owner.example",
        "notes": "Plain text + JPEG attachment with an ASCII name.",
    },
)

txt = """Hello,

This is the fourth time this autumn that level -2 of the car park has flooded after heavy rain. The water reaches 20 cm near bays 40 to 52, two cars had water inside and the lift lobby door was blocked for a whole day.

The drains along the ramp are clearly blocked with leaves and mud. I have written three emails to maintenance since October and nobody has answered.

Please confirm when the drains will be cleaned and who will cover the damage.

Robert Hughes
Block 4, Unit 1101
"""
case(
    "en_long_folded_subject.eml",
    simple(
        27,
        date(22, 22, 10, 36, 0),
        addr("Robert Hughes", "rhughes@owner.example"),
        "Repeated flooding of the underground car park (level -2, bays 40-52) after\r\n"
        " every heavy rain - cars damaged, drains blocked, and nobody from maintenance\r\n"
        " has answered my last three emails about it since October",
        "text/plain; charset=us-ascii; format=flowed",
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=("rhughes@owner.example", "smtp.owner.example", "198.51.100.131", "4Gx7KdzK6Xz7"),
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "after every heavy rain - cars damaged, drains blocked, and nobody",
        "body_contains": "drains along the ramp are clearly blocked",
        "sender": "rhughes@owner.example",
        "notes": "A 221-character plain subject folded over three header lines; unfolding removes "
        "only the CRLF, keeping the leading space.",
    },
)

txt = """Hello,

There is broken glass all over the children's playground next to Block 5 - somebody smashed a bottle against the slide last night. My daughter nearly cut her hand this morning.

Could the cleaning team clear it today, and could security check the playground at night?

Thank you,
Emma Walsh
Block 5, Unit 208
"""
case(
    "en_auto_submitted_no_person.eml",
    simple(
        28,
        date(23, 9, 5, 47, 0),
        addr("Emma Walsh", "emma.walsh@owner.example"),
        "Broken glass in the playground next to Block 5",
        "text/plain; charset=utf-8",
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=("emma.walsh@owner.example", "smtp.owner.example", "198.51.100.140", "4Gx7Kf1M0Yz8"),
        extra=[("Auto-Submitted", "no")],
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "Broken glass",
        "body_contains": "nearly cut her hand",
        "sender": "emma.walsh@owner.example",
        "notes": "Carries 'Auto-Submitted: no' (RFC 3834: written by a person). Must not be "
        "treated as automatic mail just because the header is present.",
    },
)

txt = """Hi there,

The bins behind Block 6 were not collected on Monday or Thursday this week. The recycling containers are overflowing and the food waste bin smells awful; foxes have been tearing the bags open at night.

Can you please check with the waste contractor?

Cheers,
Tom Baker
Block 6, Unit 12
"""
case(
    "en_lf_line_endings_bins.eml",
    simple(
        29,
        date(23, 17, 33, 2, 0),
        addr("Tom Baker", "tbaker@owner.example"),
        "Bins not collected behind Block 6",
        "text/plain; charset=us-ascii",
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=("tbaker@owner.example", "smtp.owner.example", "198.51.100.150", "4Gx7Kf3P4Zz9"),
        mailer="mutt/2.2.12",
        eol=b"\n",
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "Bins not collected",
        "body_contains": "food waste bin smells awful",
        "sender": "tbaker@owner.example",
        "notes": "Bare LF line endings throughout (as stored in Maildir / mbox), not CRLF.",
    },
)

# ------------------------------------------------------------ automatic mail ---


def autoreply(
    name,
    n,
    when,
    from_,
    subject,
    body_text,
    extra,
    reason,
    language,
    *,
    codec="utf-8",
    label="UTF-8",
    cte="8bit",
    check=None,
    notes="",
):
    body = enc(crlf(body_text), codec)
    if cte == "base64":
        body = b64_body(body)
    elif cte == "quoted-printable":
        body = qp_body(body)
    case(
        name,
        simple(
            n,
            when,
            from_,
            subject,
            f"text/plain; charset={label}",
            cte,
            body,
            extra=extra,
            trace=(
                re.search(r"[\w.+-]+@[\w.-]+", from_).group(0),
                "mail.owner.example",
                "198.51.100.200",
                f"4Gx7Kg{n:03d}Az0",
            ),
        ),
        {
            "outcome": "ignored_autoreply",
            "language": language,
            "reason": reason,
            "notes": notes or f"Automatic mail; must not be acknowledged ({reason}).",
        },
        check,
    )


autoreply(
    "auto_auto_submitted_auto_replied.eml",
    30,
    date(23, 9, 15, 2, 8),
    addr("王丽", "wangli@owner.example"),
    ew("Re: [C20261123-0001] 我们已收到您的投诉", "UTF-8"),
    "您好，您的来信已收到，我会尽快回复。\n\n王丽\n",
    [("Auto-Submitted", "auto-replied"), ("In-Reply-To", "<ack-placeholder@desk.example>")],
    "Auto-Submitted: auto-replied",
    "zh",
    cte="base64",
    check={"header": ("Auto-Submitted", "auto-replied")},
    notes="RFC 3834 auto-reply to our acknowledgement. Carries a ticket tag in the subject "
    "and In-Reply-To our ack: the auto header must win over threading, or two "
    "robots ping-pong.",
)

autoreply(
    "auto_x_autoreply_yes.eml",
    31,
    date(23, 10, 1, 11, 1),
    addr("Carmen Ruiz Domínguez", "carmen.ruiz@correo.example", "UTF-8", "Q"),
    ew("Re: Humedad en el techo del salón", "UTF-8", "Q"),
    "Gracias por su mensaje. Estoy de viaje hasta el 1 de diciembre y contestaré a mi "
    "vuelta.\n\nCarmen\n",
    [("X-Autoreply", "yes"), ("X-Mailer", "Yamail [ http://yandex.ru ] 5.0")],
    "X-Autoreply: yes",
    "es",
    cte="quoted-printable",
    check={"header": ("X-Autoreply", "yes")},
)

autoreply(
    "auto_x_autorespond.eml",
    32,
    date(23, 11, 30, 0, 0),
    addr("David Chen", "david.chen@owner.example"),
    "Re: Your complaint about the Block 3 entrance door",
    "Thank you for your email. I am travelling with limited access to email until "
    "Friday 27 November. For urgent matters please call my wife on 07700 900123.\n",
    [("X-Autorespond", "Thank you for your email"), ("X-Mailer", "cPanel Autoresponder")],
    "X-Autorespond header",
    "en",
    label="us-ascii",
    cte="7bit",
    check={"header": ("X-Autorespond", None)},
)

txt = """This week only at Hogar & Más: 30% off all laminate and vinyl flooring, free
measuring service in your area, and 0% financing for 12 months.

Visit our showroom at Calle Mayor 12 or shop online.

You are receiving this email because you subscribed to our newsletter.
To unsubscribe, reply with UNSUBSCRIBE in the subject line.
"""
case(
    "auto_precedence_bulk_newsletter.eml",
    simple(
        33,
        date(23, 6, 0, 1, 1),
        '"Hogar & Mas" <ofertas@hogar-mas.example>',
        "Black Friday: 30% off flooring this week only",
        "text/plain; charset=utf-8",
        "8bit",
        enc(crlf(txt), "utf-8"),
        extra=[("Precedence", "bulk")],
        trace=(
            "bounces+8812@hogar-mas.example",
            "out-12.hogar-mas.example",
            "203.0.113.212",
            "4Gx7Kg033Az0",
        ),
    ),
    {
        "outcome": "ignored_autoreply",
        "language": "en",
        "reason": "Precedence: bulk",
        "notes": "Bulk commercial mail (Precedence: bulk, no List-Id): no acknowledgement.",
    },
    {"header": ("Precedence", "bulk")},
)

autoreply(
    "auto_precedence_auto_reply.eml",
    34,
    date(23, 7, 50, 2, 8),
    addr("李堃", "likun@owner.example"),
    ew("Re: 5栋电梯故障", "UTF-8"),
    "您好，邮件已收到。本人这几天在外地出差，回来后再联系。\n",
    [("Precedence", "auto_reply")],
    "Precedence: auto_reply",
    "zh",
    cte="base64",
    check={"header": ("Precedence", "auto_reply")},
)

autoreply(
    "auto_precedence_junk.eml",
    35,
    date(23, 11, 9, 14, 1),
    addr("José Antonio Ferrer", "jaferrer@correo.example", "UTF-8", "Q"),
    "Re: Gastos de comunidad",
    "Este buzón no se revisa. Para cualquier consulta, llame al despacho en horario de oficina.\n",
    [("Precedence", "junk")],
    "Precedence: junk",
    "es",
    cte="quoted-printable",
    check={"header": ("Precedence", "junk")},
)

txt = """Hola a todos,

Os recuerdo que el jueves 26 a las 19:30 tenemos reunión de vecinos de la Torre 2 en el local social. Temas: la humedad de la terraza del 6º, la derrama de la fachada y el turno de limpieza de escaleras.

Si no podéis venir, podéis delegar el voto en otro vecino.

Marta (presidenta)

--
Vecinos Torre 2 - vecinos-torre2@lists.example
Para darse de baja: https://lists.example/mailman/listinfo/vecinos-torre2
"""
case(
    "auto_list_id_mailing_list.eml",
    message(
        [
            ("Return-Path", "<vecinos-torre2-bounces@lists.example>"),
            (
                "Received",
                received("lists.example", "203.0.113.5", "4Gx7Kg036Az0", date(23, 13, 0, 5, 1)),
            ),
            ("Delivered-To", DESK),
            ("Date", date(23, 13, 0, 2, 1)),
            ("From", addr("Marta Gil", "marta.gil@correo.example")),
            ("To", "vecinos-torre2@lists.example"),
            ("Subject", ew("[Vecinos Torre 2] Reunión del jueves 26", "UTF-8", "Q")),
            ("Message-ID", mid(36)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("List-Id", "Vecinos Torre 2 <vecinos-torre2.lists.example>"),
            (
                "List-Unsubscribe",
                "<https://lists.example/mailman/options/vecinos-torre2>,\r\n"
                " <mailto:vecinos-torre2-request@lists.example?subject=unsubscribe>",
            ),
            ("List-Post", "<mailto:vecinos-torre2@lists.example>"),
            ("Errors-To", "vecinos-torre2-bounces@lists.example"),
            ("Sender", '"Vecinos Torre 2" <vecinos-torre2-bounces@lists.example>'),
        ],
        enc(crlf(txt), "utf-8"),
    ),
    {
        "outcome": "ignored_autoreply",
        "language": "es",
        "reason": "List-Id (mailing list)",
        "notes": "Mailing-list traffic (the desk address is subscribed to a residents' list): "
        "List-Id/List-Unsubscribe/Sender/Precedence-less. To: is the list, not the desk; "
        "Delivered-To is the desk. Never acknowledge list mail.",
    },
    {"header": ("List-Id", None), "to_is_desk": False},
)

txt = """I am out of the office until Monday 30 November with limited access to email.

For anything urgent regarding the building please contact the concierge on 020 7946 0321.

Kind regards,
Sarah O'Connor
"""
case(
    "auto_outlook_oof_automatic_reply.eml",
    simple(
        37,
        date(23, 7, 4, 2, 0),
        addr("Sarah O'Connor", "sarah.oconnor@owner.example"),
        "Automatic reply: [C20261123-0004] We have received your complaint",
        'text/plain; charset="us-ascii"',
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=(
            "sarah.oconnor@owner.example",
            "mail.owner.example",
            "198.51.100.110",
            "4Gx7Kg037Az0",
        ),
        extra=[
            ("Thread-Topic", "[C20261123-0004] We have received your complaint"),
            ("Thread-Index", "AQHbXXq8zQ2m1l0oHkuyv0O3w7bWcA=="),
            ("In-Reply-To", "<ack-placeholder@desk.example>"),
            ("X-MS-Has-Attach", ""),
            ("X-MS-TNEF-Correlator", ""),
            ("X-Auto-Response-Suppress", "All"),
            ("Content-Language", "en-GB"),
        ],
    ),
    {
        "outcome": "ignored_autoreply",
        "language": "en",
        "reason": "X-Auto-Response-Suppress + 'Automatic reply:' subject (Outlook OOF)",
        "notes": "Exchange/Outlook out-of-office: no Auto-Submitted header, only "
        "X-Auto-Response-Suppress: All and the 'Automatic reply:' prefix. Subject carries "
        "a ticket tag and In-Reply-To our ack; must not be threaded.",
    },
    {"header": ("X-Auto-Response-Suppress", "All")},
)

autoreply(
    "auto_subject_only_zh.eml",
    38,
    date(23, 9, 40, 0, 8),
    addr("吴倩", "wuqian@owner.example"),
    ew("自动回复: 我正在休假", "UTF-8"),
    "您好，我于11月20日至11月30日休假，期间不方便查看邮件，回来后会尽快回复您。\n",
    [],
    "subject prefix '自动回复:' only (no auto headers)",
    "zh",
    cte="base64",
    check={"subject_re": r"^自动回复"},
)

autoreply(
    "auto_subject_only_es.eml",
    39,
    date(23, 10, 20, 0, 1),
    addr("Lucía Navarro", "lucia.navarro@correo.example", "ISO-8859-1", "Q"),
    ew("Respuesta automática: Fuera de la oficina", "ISO-8859-1", "Q"),
    "Estaré fuera de la oficina hasta el lunes 30 de noviembre. Para asuntos urgentes, "
    "llame al 600 000 000.\n",
    [],
    "subject prefix 'Respuesta automática:' only (no auto headers)",
    "es",
    codec="iso-8859-1",
    label="ISO-8859-1",
    cte="quoted-printable",
    check={"subject_re": r"^Respuesta automática"},
)

autoreply(
    "auto_subject_only_en.eml",
    40,
    date(23, 12, 0, 0, 0),
    addr("Michael Turner", "m.turner@owner.example"),
    "Out of Office: back Monday",
    "Thanks for your message. I'm away until Monday and will reply when I'm back.\n",
    [],
    "subject prefix 'Out of Office:' only (no auto headers)",
    "en",
    label="us-ascii",
    cte="7bit",
    check={"subject_re": r"^Out of Office"},
)

# read receipt (MDN)
bnd = "----=_NextPart_000_0021_01DB5D80.11A6B0C0"
mdn_text = """您的邮件

  收件人: 李娜
  主题: [C20261123-0005] 我们已收到您的投诉
  发送时间: 2026年11月23日 9:02

已于 2026年11月23日 9:47 被阅读。
"""
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", 'text/plain;\r\n\tcharset="UTF-8"'),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(mdn_text), "utf-8")),
        ),
        part(
            [("Content-Type", "message/disposition-notification")],
            crlf(
                "Reporting-UA: mail.owner.example; Microsoft Outlook 16.0\n"
                "Final-Recipient: rfc822;lina@owner.example\n"
                "Original-Message-ID: <ack-20261123-0005@desk.example>\n"
                "Disposition: manual-action/MDN-sent-manually; displayed\n"
            ).encode("ascii"),
        ),
    ],
    preamble="This is a multipart message in MIME format.",
)
case(
    "auto_mdn_read_receipt.eml",
    simple(
        41,
        date(23, 9, 47, 30, 8),
        addr("李娜", "lina@owner.example", "gb2312"),
        ew("已读: [C20261123-0005] 我们已收到您的投诉", "UTF-8"),
        f'multipart/report;\r\n\treport-type=disposition-notification;\r\n\tboundary="{bnd}"',
        None,
        body,
        trace=("lina@owner.example", "mail.owner.example", "198.51.100.160", "4Gx7Kg041Az0"),
        mailer="Microsoft Outlook 16.0",
    ),
    {
        "outcome": "ignored_autoreply",
        "language": "zh",
        "reason": "read receipt (multipart/report; report-type=disposition-notification)",
        "notes": "MDN / read receipt (RFC 8098). Subject carries a ticket tag; must be neither "
        "acknowledged nor threaded into the ticket.",
    },
    {"ctype": "multipart/report", "report_type": "disposition-notification"},
)

# ------------------------------------------------------------------ bounces ---

ack_es = """Estimada propietaria:

Hemos recibido su reclamación y le hemos asignado el número C20261123-0006. Le responderemos en un plazo máximo de 5 días laborables.

Atentamente,
Atención al Propietario
"""
bnd = "4Gx7Lq2Yz1z9sKp.1763888845/mx.desk.example"
notice = """This is the mail system at host mx.desk.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<maria.lopez@correo.example>: host mx.correo.example[192.0.2.44] said: 550
    5.1.1 <maria.lopez@correo.example>: Recipient address rejected: User
    unknown in virtual mailbox table (in reply to RCPT TO command)
"""
dsn = """Reporting-MTA: dns; mx.desk.example
X-Postfix-Queue-ID: 4Gx7Lq2Yz1z9sKp
X-Postfix-Sender: rfc822; complaints@desk.example
Arrival-Date: Mon, 23 Nov 2026 10:07:23 +0100 (CET)

Final-Recipient: rfc822; maria.lopez@correo.example
Original-Recipient: rfc822;maria.lopez@correo.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.correo.example
Diagnostic-Code: smtp; 550 5.1.1 <maria.lopez@correo.example>: Recipient address
    rejected: User unknown in virtual mailbox table
"""
original = message(
    [
        ("Return-Path", "<complaints@desk.example>"),
        ("Date", date(23, 10, 7, 22, 1)),
        ("From", f"{ew('Atención al Propietario', 'UTF-8', 'Q', fold=' ')} <{DESK}>"),
        ("To", "maria.lopez@correo.example"),
        ("Subject", ew("[C20261123-0006] Hemos recibido su reclamación", "UTF-8", "Q")),
        ("Message-ID", "<ack-20261123-0006@desk.example>"),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ],
    qp_body(enc(crlf(ack_es), "utf-8")),
)
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Description", "Notification"),
                ("Content-Type", "text/plain; charset=us-ascii"),
            ],
            crlf(notice).encode("ascii"),
        ),
        part(
            [
                ("Content-Description", "Delivery report"),
                ("Content-Type", "message/delivery-status"),
            ],
            crlf(dsn).encode("ascii"),
        ),
        part(
            [
                ("Content-Description", "Undelivered Message"),
                ("Content-Type", "message/rfc822"),
                ("Content-Transfer-Encoding", "8bit"),
            ],
            original,
        ),
    ],
    preamble="This is a MIME-encapsulated message.",
)
case(
    "bounce_postfix_dsn.eml",
    message(
        [
            ("Return-Path", "<>"),
            (
                "Received",
                "by mx.desk.example (Postfix)\r\n\tid 4Gx7Lq2Yz1z9sKp; " + date(23, 10, 7, 25, 1),
            ),
            ("Date", date(23, 10, 7, 25, 1)),
            ("From", "MAILER-DAEMON@mx.desk.example (Mail Delivery System)"),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("To", DESK),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type=delivery-status;\r\n\tboundary="{bnd}"',
            ),
            ("Content-Transfer-Encoding", "8bit"),
            ("Message-Id", "<20261123090725.4Gx7Lq2Yz1z9sKp@mx.desk.example>"),
        ],
        body,
    ),
    {
        "outcome": "bounce",
        "bounced_address": "maria.lopez@correo.example",
        "reason": "Postfix DSN, Status 5.1.1",
        "notes": "RFC 3464 DSN from Postfix: multipart/report; report-type=delivery-status with "
        "message/delivery-status (Final-Recipient) and the returned acknowledgement as "
        "message/rfc822. Postfix also adds 'Auto-Submitted: auto-replied': it must be "
        "classified as a bounce, not merely as an auto-reply. Return-Path is <>.",
    },
    {"ctype": "multipart/report", "report_type": "delivery-status", "to_is_desk": True},
)

# Exchange / Office 365 NDR
bnd = "ce8a2b14-3f6d-4c1e-9b7a-05d2e6f1a3c8"
inner = "da41c9e0-8b2f-47a6-a5e3-1f0c7d9b6e24"
ack_en = """Dear owner,

We have received your complaint and registered it as C20261123-0003. We will get back to you within 5 working days.

Owner Services
"""
ndr_text = """Your message to john.smith@tenant.example couldn't be delivered.

john.smith wasn't found at tenant.example.

desk    Office 365    john.smith
Action Required                     Recipient

Unknown To address

How to Fix It
The address may be misspelled or may not exist. Try one or more of the following:

- Retype the recipient's address, then resend the message.

Diagnostic information for administrators:

Generating server: AM9PR01MB7421.eurprd01.prod.exchangelabs.example

john.smith@tenant.example
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient john.smith@tenant.example not found by SMTP address lookup'
"""
ndr_html = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    "</head><body><div style=\"font-family:'Segoe UI',Frutiger,'Frutiger Linotype',"
    "'Dejavu Sans','Helvetica Neue',Arial,sans-serif;\"><p style=\"font-size:16px\">"
    'Your message to <a href="mailto:john.smith@tenant.example">john.smith@tenant.example'
    "</a> couldn't be delivered.</p><p><b>john.smith</b> wasn't found at "
    "<b>tenant.example</b>.</p><p>Remote Server returned '550 5.1.10 "
    "RESOLVER.ADR.RecipientNotFound; Recipient john.smith@tenant.example not found by "
    "SMTP address lookup'</p></div></body></html>\r\n"
)
ndr_dsn = """Reporting-MTA: dns;AM9PR01MB7421.eurprd01.prod.exchangelabs.example
Received-From-MTA: dns;AM9PR01MB5563.eurprd01.prod.exchangelabs.example
Arrival-Date: Mon, 23 Nov 2026 10:02:11 +0000

Final-Recipient: rfc822;john.smith@tenant.example
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient john.smith@tenant.example not found by SMTP address lookup
"""
orig_headers = crlf("""Received: from AM9PR01MB5563.eurprd01.prod.exchangelabs.example
 by AM9PR01MB7421.eurprd01.prod.exchangelabs.example with HTTPS; Mon, 23 Nov 2026
 10:02:11 +0000
From: Owner Services <complaints@desk.example>
To: john.smith@tenant.example
Subject: [C20261123-0003] We have received your complaint
Date: Mon, 23 Nov 2026 10:02:10 +0000
Message-ID: <ack-20261123-0003@desk.example>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset="utf-8"
MIME-Version: 1.0
""").encode("ascii")
alt = multipart(
    inner,
    [
        part(
            [
                ("Content-Type", 'text/plain; charset="us-ascii"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(crlf(ndr_text), "ascii")),
        ),
        part(
            [
                ("Content-Type", 'text/html; charset="utf-8"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp_body(enc(ndr_html, "utf-8")),
        ),
    ],
)
body = multipart(
    bnd,
    [
        part(
            [
                (
                    "Content-Type",
                    f'multipart/alternative; differences=Content-Type;\r\n\tboundary="{inner}"',
                )
            ],
            CRLF + alt,
        ),
        part([("Content-Type", "message/delivery-status")], crlf(ndr_dsn).encode("ascii")),
        part([("Content-Type", "text/rfc822-headers")], orig_headers),
    ],
)
case(
    "bounce_exchange_ndr_undeliverable.eml",
    message(
        [
            (
                "Received",
                "from AM9PR01MB7421.eurprd01.prod.exchangelabs.example\r\n"
                " by AM9PR01MB5563.eurprd01.prod.exchangelabs.example; " + date(23, 10, 2, 12, 0),
            ),
            ("From", "Microsoft Outlook\r\n\t<postmaster@deskexample.onmicrosoft.example>"),
            ("To", f"Owner Services <{DESK}>"),
            ("Date", date(23, 10, 2, 12, 0)),
            ("Subject", "Undeliverable: [C20261123-0003] We have received your complaint"),
            (
                "Content-Type",
                f'multipart/report; report-type=delivery-status;\r\n\tboundary="{bnd}"',
            ),
            ("Content-Language", "en-US"),
            (
                "Message-ID",
                "<b4e0c2a1-7f3d-4e5a-9c8b-1d2e3f4a5b6c@AM9PR01MB7421.eurprd01.prod.exchangelabs.example>",
            ),
            ("In-Reply-To", "<ack-20261123-0003@desk.example>"),
            ("References", "<ack-20261123-0003@desk.example>"),
            ("Thread-Topic", "[C20261123-0003] We have received your complaint"),
            ("X-MS-Exchange-Message-Is-Ndr", ""),
            ("X-MS-PublicTrafficType", "Email"),
            ("MIME-Version", "1.0"),
        ],
        body,
    ),
    {
        "outcome": "bounce",
        "bounced_address": "john.smith@tenant.example",
        "reason": "Exchange NDR, Status 5.1.10",
        "notes": "Exchange Online NDR: 'Undeliverable:' + ticket tag in the subject, In-Reply-To "
        "our ack, no Auto-Submitted header, no Return-Path <>. Must be a bounce, not "
        "threaded into ticket C20261123-0003 as an owner reply.",
    },
    {"ctype": "multipart/report", "report_type": "delivery-status"},
)

# Chinese 163 / Coremail style bounce in GB2312, not a multipart/report
bnd = "----=_Part_2811003_1247712960.1763865067392"
bounce_zh = """您好，这是系统退信通知。

很抱歉您发送的邮件被退回，以下是该邮件的相关信息：

    被退回邮件的主题：[C20261123-0008] 我们已收到您的投诉
    发送时间：2026-11-23 10:31:07
    收件人：liuyang2008@163.example
    退信原因：收件人邮箱不存在或已被注销
    (550 User not found: liuyang2008@163.example)

请核对收件人地址后重新发送。如有疑问，请联系您的邮件管理员。

此邮件为系统自动发出，请勿直接回复。
"""
ack_zh = """尊敬的业主：

您的投诉已受理，编号C20261123-0008。我们将在5个工作日内答复。

物业投诉中心
"""
original = message(
    [
        ("Date", date(23, 10, 31, 7, 8)),
        ("From", f"{ew('物业投诉中心', 'UTF-8', fold=' ')} <{DESK}>"),
        ("To", "liuyang2008@163.example"),
        ("Subject", ew("[C20261123-0008] 我们已收到您的投诉", "UTF-8")),
        ("Message-ID", "<ack-20261123-0008@desk.example>"),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "base64"),
    ],
    b64_body(enc(crlf(ack_zh), "utf-8")),
)
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", "text/plain; charset=GB2312"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64_body(enc(crlf(bounce_zh), "gb2312")),
        ),
        part([("Content-Type", "message/rfc822"), ("Content-Disposition", "attachment")], original),
    ],
)
case(
    "bounce_163_gb2312_xitongtuixin.eml",
    message(
        [
            ("Return-Path", "<>"),
            (
                "Received",
                received(
                    "m15-112.163.example", "220.181.15.112", "4Gx7Kg044Az0", date(23, 10, 31, 9, 8)
                ),
            ),
            ("Date", date(23, 10, 31, 9, 8)),
            ("From", f"{ew('系统退信', 'GB2312', fold=' ')} <postmaster@163.example>"),
            ("To", DESK),
            ("Subject", ew("系统退信", "GB2312")),
            ("Message-ID", "<5f3c2a1b.3e8d.19a4e2b7c10.Coremail.postmaster@163.example>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/mixed;\r\n\tboundary="{bnd}"'),
            ("X-Coremail-Antispam", "1Uf129KBjvJXoW7Kr43uF45XF1kJryrJw4Dtwb_yoW8XF1fp"),
            ("X-CM-TRANSID", "D9GowAAHxRdOAvpnYoQZAA--.15823S2"),
            ("X-Mailer", "Coremail Webmail Server Version XT5.0.13"),
        ],
        body,
    ),
    {
        "outcome": "bounce",
        "bounced_address": "liuyang2008@163.example",
        "reason": "163/Coremail style '系统退信' (system bounce) from postmaster",
        "notes": "Chinese webmail bounce: plain multipart/mixed (no multipart/report, no "
        "delivery-status part, no Auto-Submitted), GB2312 text naming the recipient, "
        "the original acknowledgement attached as message/rfc822. Detect by "
        "postmaster sender + subject, bounced address from the text or the attached "
        "original's To.",
    },
    {"bounce_text_codec": "gb18030"},
)

# --------------------------------------------------------------- duplicates ---


def dup_message(qid: str, relay: str, ip: str) -> bytes:
    txt = """Buenas tardes:

La luz de la escalera del portal 3 lleva una semana fundida entre la planta 2ª y la 4ª. Por la noche no se ve nada y mi madre, que tiene 80 años, ya ha tropezado dos veces.

Por favor, manden al electricista cuanto antes.

Gracias,
Rosa Martín
Portal 3, 3ºA
"""
    return simple(
        42,
        date(23, 16, 20, 0, 1),
        addr("Rosa Martín", "rosa.martin@correo.example", "UTF-8", "Q"),
        ew("Luz de la escalera fundida - Portal 3", "UTF-8", "Q"),
        "text/plain; charset=UTF-8",
        "quoted-printable",
        qp_body(enc(crlf(txt), "utf-8")),
        trace=("rosa.martin@correo.example", relay, ip, qid),
    )


case(
    "dup_first.eml",
    dup_message("4Gx7Kg045Az0", "smtp.correo.example", "192.0.2.33"),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Luz de la escalera",
        "body_contains": "ya ha tropezado dos veces",
        "sender": "rosa.martin@correo.example",
        "notes": "First copy of a message delivered twice. Process before dup_second.eml.",
    },
)
case(
    "dup_second.eml",
    dup_message("4Gx7Kg046Bz1", "smtp2.correo.example", "192.0.2.34"),
    {
        "outcome": "duplicate",
        "language": "es",
        "subject_contains": "Luz de la escalera",
        "body_contains": "ya ha tropezado dos veces",
        "sender": "rosa.martin@correo.example",
        "duplicate_of": "dup_first.eml",
        "notes": "Same Message-ID and same content as dup_first.eml, delivered a second time via "
        "another relay (only Return-Path/Received differ). Must not create a second "
        "ticket nor a second acknowledgement.",
    },
)

# ------------------------------------------------------------------ threads ---

txt = """师傅今天上午来看过了，说是楼上1602的下水管接口老化，但是只在我家这边接了个盆，楼上的管子根本没修，现在还在滴水。

麻烦你们跟楼上业主约个时间，把他们家的管子彻底修好，不然我家吊顶要塌了。

王丽

-------- 原始邮件 --------
发件人：物业投诉中心 <complaints@desk.example>
时间：2026年11月23日 09:15
主题：[C20261123-0001] 我们已收到您的投诉

> 尊敬的业主：您的投诉已受理，编号C20261123-0001。
"""
case(
    "thread_reply_by_subject.eml",
    simple(
        43,
        date(24, 18, 32, 10, 8),
        addr("王丽", "wangli@owner.example", "gb2312"),
        ew("Re: [C20261123-0001] 我们已收到您的投诉", "UTF-8"),
        "text/plain; charset=UTF-8",
        "base64",
        b64_body(enc(crlf(txt), "utf-8")),
        trace=("wangli@owner.example", "smtp.owner.example", "198.51.100.23", "4Gx7Kg047Az0"),
        mailer="Foxmail 7.2.25.228[cn]",
    ),
    {
        "outcome": "thread_by_subject",
        "language": "zh",
        "subject_contains": "[C20261123-0001]",
        "body_contains": "楼上的管子根本没修",
        "sender": "wangli@owner.example",
        "ticket_ref": "C20261123-0001",
        "notes": "Owner follow-up with the ticket tag in the (encoded) subject but no "
        "In-Reply-To/References (webmail dropped them). The test creates ticket "
        "C20261123-0001 first; this must be appended to it, not open a new ticket.",
    },
)

txt = """Buenos días:

Les contesto a su acuse de recibo. Ayer vino el técnico y cambió la placa del ascensor, pero esta mañana se ha vuelto a quedar parado en la planta 5ª con una vecina dentro. Sigue sin funcionar bien.

Lucía Navarro
Torre 1, 8ºC

> Hemos recibido su reclamación y le responderemos en un plazo máximo de
> 5 días laborables.
"""
case(
    "thread_reply_by_reference.eml",
    simple(
        44,
        date(25, 8, 40, 0, 1),
        addr("Lucía Navarro", "lucia.navarro@correo.example", "UTF-8", "Q"),
        "RE: Acuse de recibo de su =?UTF-8?Q?reclamaci=C3=B3n?=",
        "text/plain; charset=UTF-8",
        "quoted-printable",
        qp_body(enc(crlf(txt), "utf-8")),
        trace=("lucia.navarro@correo.example", "smtp.correo.example", "192.0.2.18", "4Gx7Kg048Az0"),
        extra=[
            ("In-Reply-To", "<ack-placeholder@desk.example>"),
            ("References", f"{mid(19)}\r\n <ack-placeholder@desk.example>"),
        ],
    ),
    {
        "outcome": "thread_by_reference",
        "language": "es",
        "subject_contains": "Acuse de recibo de su reclamación",
        "body_contains": "se ha vuelto a quedar parado",
        "sender": "lucia.navarro@correo.example",
        "in_reply_to": "<ack-placeholder@desk.example>",
        "notes": "Reply whose subject has no ticket tag; In-Reply-To and References point to our "
        "acknowledgement <ack-placeholder@desk.example> (the test stores that Message-ID "
        "on a ticket first). Subject mixes plain text and an encoded-word.",
    },
)

# ---------------------------------------------------------------- malformed ---

txt = """你好，

小区南门外面的共享单车和电动车乱停乱放，把盲道和人行道都堵死了，推婴儿车根本过不去，昨天还有一位老人差点被绊倒。

请物业和街道沟通一下，划定停放区域。

3栋1104 林晓
"""
case(
    "mal_missing_message_id.eml",
    simple(
        45,
        date(23, 14, 2, 2, 8),
        addr("林晓", "linxiao@owner.example"),
        ew("南门外单车乱停，盲道被堵", "UTF-8"),
        "text/plain; charset=UTF-8",
        "base64",
        b64_body(enc(crlf(txt), "utf-8")),
        msgid=False,
        trace=("linxiao@owner.example", "web.owner.example", "198.51.100.170", "4Gx7Kg049Az0"),
    ),
    {
        "outcome": "ticket_created",
        "language": "zh",
        "subject_contains": "盲道被堵",
        "body_contains": "推婴儿车根本过不去",
        "sender": "linxiao@owner.example",
        "notes": "No Message-ID header at all (some web forms omit it). Still a valid complaint; "
        "deduplication must fall back to something else (e.g. a content hash) or skip.",
    },
    {"no_message_id": True},
)

txt = """物业：

9栋地下室的排污泵坏了，污水已经漫到储藏室门口，味道很大。请尽快派人处理。

9栋业主
"""
case(
    "mal_missing_from.eml",
    message(
        [
            (
                "Received",
                received(
                    "web.owner.example", "198.51.100.171", "4Gx7Kg050Az0", date(23, 15, 10, 0, 8)
                ),
            ),
            ("Date", date(23, 15, 10, 0, 8)),
            ("To", DESK),
            ("Subject", ew("9栋地下室污水泵坏了", "UTF-8")),
            ("Message-ID", mid(46)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        enc(crlf(txt), "utf-8"),
    ),
    {
        "outcome": "no_sender",
        "language": "zh",
        "subject_contains": "污水泵坏了",
        "body_contains": "污水已经漫到储藏室门口",
        "notes": "No From header (and no Return-Path, Sender or Reply-To): nobody to acknowledge. "
        "Quarantine it or open a ticket without an owner, but never send a reply.",
    },
    {"no_from": True},
)

txt = """Hello,

The window in the stairwell between floors 7 and 8 of Block 2 is broken and will not close. Rain is coming in and the floor is wet and slippery.

Photo attached.

Priya Sharma
Block 2, Unit 804
"""
bnd = "----=_Part_99127_1002933478.1763888201120"
truncated_jpeg = b64_body(tiny_jpeg("IMG_5012") * 4)[:160]
body = multipart(
    bnd,
    [
        part(
            [("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "7bit")],
            enc(crlf(txt), "ascii"),
        ),
        part(
            [
                ("Content-Type", 'image/jpeg; name="stairwell-window.jpg"'),
                ("Content-Transfer-Encoding", "base64"),
                ("Content-Disposition", 'attachment; filename="stairwell-window.jpg"'),
            ],
            truncated_jpeg,
        ),
    ],
    close=False,
)
case(
    "mal_unclosed_boundary.eml",
    simple(
        47,
        date(23, 11, 45, 0, 0),
        addr("Priya Sharma", "priya.sharma@owner.example"),
        "Broken stairwell window, Block 2 floors 7-8",
        f'multipart/mixed; boundary="{bnd}"',
        None,
        body,
        trace=(
            "priya.sharma@owner.example",
            "smtp.owner.example",
            "198.51.100.180",
            "4Gx7Kg051Az0",
        ),
    ),
    {
        "outcome": "ticket_or_quarantine",
        "language": "en",
        "subject_contains": "stairwell window",
        "body_contains": "Rain is coming in",
        "attachments": ["stairwell-window.jpg"],
        "sender": "priya.sharma@owner.example",
        "notes": "multipart/mixed whose closing boundary never comes: the message is truncated in "
        "the middle of the base64 photo. The text part is intact; the (partial) "
        "attachment may be kept or dropped.",
    },
    {"attachments_may_be_partial": True},
)

txt = """您好，

我们单元的楼道灯坏了一个多星期，晚上漆黑一片，老人上下楼很危险。请尽快派电工更换。

11栋3单元 邓女士
"""
raw_txt = enc(crlf(txt), "utf-8")
while len(raw_txt) % 3:  # no '=' padding in the correct encoding
    raw_txt = raw_txt[:-2] + b" " + raw_txt[-2:]
good = base64.b64encode(raw_txt).decode()
lines = [good[i : i + 76] for i in range(0, len(good), 76)]
lines[1] = lines[1][:30] + "!*#" + lines[1][30:]  # non-alphabet garbage inside a line
lines[-1] += "A="  # stray data character with bogus padding: 4n+1 data characters
bad_b64 = ("\r\n".join(lines) + "\r\n").encode("ascii")
case(
    "mal_bad_base64_padding.eml",
    simple(
        48,
        date(23, 19, 58, 31, 8),
        addr("邓女士", "deng.ns@owner.example"),
        ew("11栋3单元楼道灯坏了", "UTF-8"),
        "text/plain; charset=UTF-8",
        "base64",
        bad_b64,
        trace=("deng.ns@owner.example", "smtp.owner.example", "198.51.100.181", "4Gx7Kg052Az0"),
    ),
    {
        "outcome": "ticket_or_quarantine",
        "language": "zh",
        "subject_contains": "楼道灯坏了",
        "body_contains": "老人上下楼很危险",
        "sender": "deng.ns@owner.example",
        "notes": "Corrupt base64 body: non-alphabet garbage ('!*#') inside a line, padding "
        "missing and a number of data characters that is 1 mod 4, so neither strict nor "
        "lenient base64.b64decode accepts it. A tolerant decoder (drop junk, drop the "
        "dangling character, re-pad) recovers the whole text. Python's get_payload(decode=True) "
        "gives up (InvalidBase64LengthDefect) and returns the raw base64 text as if it "
        "were the body.",
    },
    {"lenient_b64": True},
)

txt = """物业：

地下车库B1层靠近电梯口的天花板一直在漏水，下面停的车都被滴花了，地上还结了一层青苔很滑。

请尽快处理。

5栋业主 范先生
"""
case(
    "mal_subject_raw_8bit_gbk.eml",
    message(
        [
            ("Return-Path", "<fan.xs@owner.example>"),
            (
                "Received",
                received(
                    "mail.owner.example", "198.51.100.182", "4Gx7Kg053Az0", date(23, 12, 12, 12, 8)
                ),
            ),
            ("Date", date(23, 12, 12, 12, 8)),
            ("From", addr("范先生", "fan.xs@owner.example", "GBK")),
            ("To", DESK),
            ("Subject", "地下车库B1层天花板漏水".encode("gbk")),
            ("Message-ID", mid(49)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=GBK"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        enc(crlf(txt), "gbk"),
    ),
    {
        "outcome": "ticket_or_quarantine",
        "language": "zh",
        "subject_contains": "车库B1层天花板漏水",
        "body_contains": "地上还结了一层青苔",
        "sender": "fan.xs@owner.example",
        "notes": "Subject is raw 8-bit GBK without an encoded-word (not valid RFC 5322, not valid "
        "RFC 6532 either since it is not UTF-8). The body declares GBK, which is the best "
        "guess for the subject too.",
    },
    {"subject_codec": "gb18030", "naive_subject_fails": True},
)

txt = """Hello,

Since the weekend there has been a loud humming noise from the water pumps in the basement of Block 2. You can hear it in every flat on the lower floors, day and night.

Please get it checked.

Hannah Lee
Block 2, Unit 105
"""
case(
    "mal_header_nul_byte.eml",
    message(
        [
            ("Return-Path", "<hannah.lee@owner.example>"),
            (
                "Received",
                received(
                    "smtp.owner.example", "198.51.100.183", "4Gx7Kg054Az0", date(23, 21, 3, 0, 0)
                ),
            ),
            ("Date", date(23, 21, 3, 0, 0)),
            ("From", addr("Hannah Lee", "hannah.lee@owner.example")),
            ("To", DESK),
            ("Subject", b"Noise from the water pumps\x00 in Block 2"),
            ("Message-ID", mid(50)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Content-Transfer-Encoding", "7bit"),
        ],
        enc(crlf(txt), "ascii"),
    ),
    {
        "outcome": "ticket_or_quarantine",
        "language": "en",
        "subject_contains": "Noise from the water pumps",
        "body_contains": "loud humming noise",
        "sender": "hannah.lee@owner.example",
        "notes": "A NUL byte inside the Subject header. Python parses it through, but PostgreSQL "
        "text columns reject \\x00: strip it (or quarantine) before storing.",
    },
    {"has_nul": True},
)

txt = """Buenas tardes:

El ascensor de la Torre 1 vuelve a hacer un ruido metálico muy fuerte al llegar a la planta baja. Ayer se detuvo medio metro por debajo del nivel del rellano y mi vecina casi se cae al salir.

Agradecería que lo revisaran.

Ignacio Prieto
Torre 1, 2ºB
"""
case(
    "mal_unknown_charset_encoded_word.eml",
    simple(
        51,
        date(23, 17, 0, 45, 1),
        addr("Ignacio Prieto", "iprieto@correo.example"),
        "Ascensor Torre 1: =?x-unknown?B?cnVpZG8gbWV0w6FsaWNv?= al llegar a la planta baja",
        "text/plain; charset=UTF-8",
        "8bit",
        enc(crlf(txt), "utf-8"),
        trace=("iprieto@correo.example", "smtp.correo.example", "192.0.2.55", "4Gx7Kg055Az0"),
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Ascensor Torre 1:",
        "body_contains": "ruido metálico muy fuerte",
        "sender": "iprieto@correo.example",
        "notes": "Subject contains an encoded-word with an unknown charset "
        "(=?x-unknown?B?...?=, really UTF-8 'ruido metálico'). The body is fine, so a "
        "ticket must still be created; the unknown word may stay encoded or be "
        "decoded with replacement characters, but parsing must not crash. (policy.default "
        "silently decodes unknown-charset words as UTF-8.)",
    },
    {"subject_codec": "utf-8"},
)

txt = """Hello,

The lift in Block 4 has been out of service since Tuesday and there is no notice in the lobby saying when it will be repaired. Several elderly residents on the upper floors have not been able to go out.

Please give us a date.

Arthur Ng
Block 4, Unit 1703
"""
case(
    "mal_x_uuencode_body.eml",
    simple(
        52,
        date(23, 12, 30, 0, 0),
        addr("Arthur Ng", "arthur.ng@owner.example"),
        "Block 4 lift out of service since Tuesday",
        "text/plain; charset=us-ascii",
        "x-uuencode",
        uu_body(enc(crlf(txt), "ascii"), "complaint.txt"),
        trace=("arthur.ng@owner.example", "smtp.owner.example", "198.51.100.184", "4Gx7Kg056Az0"),
        mailer="Pegasus Mail for Windows (4.73)",
    ),
    {
        "outcome": "ticket_or_quarantine",
        "language": "en",
        "subject_contains": "lift out of service",
        "body_contains": "no notice in the lobby",
        "sender": "arthur.ng@owner.example",
        "notes": "Content-Transfer-Encoding: x-uuencode (non-standard, old clients). Python's "
        "Message.get_payload(decode=True) does decode it; other stacks may not.",
    },
    {"uuencode": True},
)

case(
    "mal_empty_file.eml",
    b"",
    {"outcome": "quarantined", "notes": "Zero-byte file: not a message at all."},
    {"not_email": True},
)

case(
    "mal_random_binary.eml",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + pseudo_random(2038, b"complaintd-corpus-binary"),
    {
        "outcome": "quarantined",
        "notes": "2 KiB of binary junk (starts like a ZIP file). Python's parser happily turns "
        "it into a Message with no usable headers; it must be quarantined, not crash "
        "and not be answered.",
    },
    {"not_email": True},
)

txt = """Hello,

There is a water leak from the ceiling of the bike storage room in Block 1. Please send someone to check.

Kevin Price
Block 1, Unit 401
"""
inj = base64.b64encode(b"Leak\r\nBcc: victim@evil.example").decode()
case(
    "mal_subject_header_injection.eml",
    simple(
        53,
        date(23, 13, 13, 13, 0),
        addr("Kevin Price", "kevin.price@owner.example"),
        f"=?UTF-8?B?{inj}?=",
        "text/plain; charset=us-ascii",
        "7bit",
        enc(crlf(txt), "ascii"),
        trace=("kevin.price@owner.example", "smtp.owner.example", "198.51.100.185", "4Gx7Kg057Az0"),
    ),
    {
        "outcome": "ticket_created",
        "language": "en",
        "subject_contains": "Leak",
        "body_contains": "bike storage room",
        "sender": "kevin.price@owner.example",
        "notes": "Subject is one B encoded-word that decodes to 'Leak\\r\\nBcc: victim@evil.example'. "
        "A ticket is created, but no header may be injected into our reply: the "
        "acknowledgement must go to kevin.price@owner.example only, with no Bcc, and "
        "CR/LF must be stripped before the subject is reused (policy.default raises "
        "ValueError when such a value is assigned to a header).",
    },
    {"subject_has_crlf": True},
)

txt = """Hola,

El portero automático del portal 2 no funciona desde hace días: no suena el timbre en ningún piso.

Un saludo,
Elena Castro
Portal 2, 4ºD
"""
inj = base64.b64encode(b"Elena Castro\r\nBcc: victim@evil.example").decode()
case(
    "mal_from_crlf_injection.eml",
    simple(
        54,
        date(23, 18, 18, 18, 1),
        f"=?UTF-8?B?{inj}?= <elena.castro@correo.example>",
        ew("Portero automático del portal 2 averiado", "UTF-8", "Q"),
        "text/plain; charset=UTF-8",
        "8bit",
        enc(crlf(txt), "utf-8"),
        trace=("elena.castro@correo.example", "smtp.correo.example", "192.0.2.66", "4Gx7Kg058Az0"),
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Portero automático",
        "body_contains": "no suena el timbre",
        "sender": "elena.castro@correo.example",
        "notes": "From display name is an encoded-word decoding to 'Elena Castro\\r\\nBcc: "
        "victim@evil.example'. The address itself is fine. The acknowledgement must go "
        "only to elena.castro@correo.example and its To/From/Bcc must not contain an "
        "injected header; strip CR/LF from display names before reuse. Traps: with "
        "email.policy.default, merely reading msg['From'] raises ValueError; with "
        "compat32, parseaddr(str(make_header(decode_header(From)))) returns "
        "'victim@evil.example' - parse the address first, decode the name after.",
    },
    {"from_has_crlf": True},
)

# forwarded complaint as message/rfc822 attachment
inner_txt = """Buenas noches:

Soy el propietario del 7ºD de la Torre 3. En el trastero número 12 del sótano hay una humedad enorme: las paredes están empapadas y se me han estropeado dos cajas de libros. Creo que viene de la bajante comunitaria.

Ruego que lo revisen.

Fernando Vidal
"""
inner_msg = message(
    [
        ("Date", date(22, 21, 40, 0, 1)),
        ("From", addr("Fernando Vidal", "fvidal@correo.example")),
        ("To", "conserjeria.torre3@desk.example"),
        ("Subject", ew("Humedad en el trastero nº 12", "ISO-8859-1", "Q")),
        ("Message-ID", "<corpus-055-inner@correo.example>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=ISO-8859-1"),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ],
    qp_body(enc(crlf(inner_txt), "iso-8859-1")),
)
outer_txt = """Hola:

Os reenvío la queja que nos mandó anoche a conserjería el vecino del 7ºD de la Torre 3 (Fernando Vidal) sobre la humedad en su trastero. Va adjunta tal cual la recibimos.

Abrid incidencia a su nombre, por favor.

Conserjería Torre 3
"""
bnd = "------------Zq0sD2nP4fH7kL1mT9vX3bC6"
body = multipart(
    bnd,
    [
        part(
            [
                ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
                ("Content-Transfer-Encoding", "8bit"),
            ],
            enc(crlf(outer_txt), "utf-8"),
        ),
        part(
            [
                ("Content-Type", 'message/rfc822; name="Humedad en el trastero.eml"'),
                ("Content-Disposition", 'attachment; filename="Humedad en el trastero.eml"'),
            ],
            inner_msg,
        ),
    ],
    preamble="This is a multi-part message in MIME format.",
)
case(
    "fwd_nested_message_rfc822.eml",
    simple(
        55,
        date(23, 8, 30, 0, 1),
        addr("Conserjería Torre 3", "conserjeria.torre3@desk.example", "UTF-8", "Q"),
        "Fwd: Humedad en el trastero =?UTF-8?Q?n=C2=BA?= 12",
        f'multipart/mixed; boundary="{bnd}"',
        None,
        body,
        trace=("conserjeria.torre3@desk.example", "mail.desk.example", "10.0.0.12", "4Gx7Kg059Az0"),
        extra=[("User-Agent", "Mozilla Thunderbird")],
    ),
    {
        "outcome": "ticket_created",
        "language": "es",
        "subject_contains": "Humedad en el trastero nº 12",
        "body_contains": "Os reenvío la queja",
        "attachments": ["Humedad en el trastero.eml"],
        "sender": "conserjeria.torre3@desk.example",
        "notes": "Concierge forwards an owner's complaint as an attached message/rfc822 "
        "(Thunderbird 'forward as attachment'). The inner message has its own headers "
        "(From fvidal@correo.example, ISO-8859-1 QP body with 'las paredes están "
        "empapadas'); inner headers must not be mistaken for the outer ones.",
    },
    {"inner_body_contains": "las paredes están empapadas"},
)


# --------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------

FIELD_ORDER = [
    "outcome",
    "language",
    "subject_contains",
    "body_contains",
    "body_not_contains",
    "attachments",
    "bounced_address",
    "reason",
    "message_id",
    "sender",
    "ticket_ref",
    "in_reply_to",
    "duplicate_of",
    "notes",
]

MANIFEST_HEADER = """\
# Expectations for the raw e-mail corpus in tests/corpus/.
# GENERATED by make_corpus.py - edit that script, not this file.
#
# One table per file:  [files."<name>.eml"]
#   outcome           ticket_created | ignored_autoreply | bounce | duplicate | quarantined
#                     | thread_by_subject | thread_by_reference | no_sender | ticket_or_quarantine
#   language          zh | es | en (owner's language; present whenever a human wrote the text)
#   subject_contains  substring of the correctly decoded Subject (proves charset decoding)
#   body_contains     substring of the correctly decoded body text (HTML converted to text)
#   body_not_contains substrings that must NOT appear in the body text (script/style leaks)
#   attachments       decoded attachment file names, in MIME order
#   bounced_address   for bounces: the recipient that bounced
#   reason            for ignored_autoreply / bounce: what marks the message as automatic
#   message_id        the Message-ID header, when present
#   sender            the From address (addr-spec), when present
#   ticket_ref        for thread_by_subject: the ticket number in the subject
#   in_reply_to       for thread_by_reference: the Message-ID our ack must carry
#   duplicate_of      for duplicate: the file that must be processed first
#   notes             why the file exists
#
# Process dup_first.eml before dup_second.eml. Threading files need their ticket created first.
"""


def toml_str(value: str) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value) -> str:
    if isinstance(value, str):
        return toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def message_id_of(data: bytes) -> str | None:
    m = re.search(
        rb"(?im)^Message-I[dD]: *(<[^>\r\n]+>)",
        data.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in data else data.split(b"\n\n", 1)[0],
    )
    return m.group(1).decode("ascii") if m else None


def render_manifest() -> str:
    chunks = [MANIFEST_HEADER]
    for c in CASES:
        entry = dict(c["manifest"])
        if "message_id" not in entry:
            msgid = (
                message_id_of(c["data"]) if c["data"] and not c["check"].get("not_email") else None
            )
            if msgid:
                entry["message_id"] = msgid
        unknown = set(entry) - set(FIELD_ORDER)
        assert not unknown, (c["name"], unknown)
        lines = [f"\n[files.{toml_str(c['name'])}]"]
        for key in FIELD_ORDER:
            if key in entry:
                lines.append(f"{key} = {toml_value(entry[key])}")
        chunks.append("\n".join(lines) + "\n")
    return "".join(chunks)


def write_all() -> None:
    for c in CASES:
        (HERE / c["name"]).write_bytes(c["data"])
    (HERE / "manifest.toml").write_bytes(render_manifest().encode("utf-8"))
    print(f"wrote {len(CASES)} messages + manifest.toml to {HERE}")


# --------------------------------------------------------------------------
# --check: reference decoding (the *intended* decoding, not Python's naive one)
# --------------------------------------------------------------------------

CODEC_MAP = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "iso-8859-1",
    "windows-1252": "cp1252",
    "utf-8": "utf-8",
    "us-ascii": "ascii",
}


def ref_codec(label: str | None, override: str | None = None) -> str:
    if override:
        return override
    if label is None:
        return "ascii"
    return CODEC_MAP.get(label.lower(), label.lower())


def ref_subject(header_bytes: bytes, override: str | None = None, header: str = "Subject") -> str:
    """Decode a header straight from the raw header block (RFC 2047 words joined as bytes).

    compat32's msg[...] is useless for raw 8-bit headers (it returns a Header with
    charset unknown-8bit that stringifies to U+FFFD), so work on the bytes.
    """
    from email.header import decode_header

    m = re.search(rb"(?im)^" + header.encode() + rb": ?(.*(?:\r?\n[ \t].*)*)", header_bytes)
    if m is None:
        return ""
    raw = re.sub(rb"\r?\n(?=[ \t])", b"", m.group(1)).decode("ascii", "surrogateescape")
    out = []
    for chunk, charset in decode_header(raw):
        if isinstance(chunk, str):
            chunk = chunk.encode("ascii", "surrogateescape")
        if charset is None and not chunk.isascii():
            out.append(chunk.decode(override or "utf-8"))
        else:
            out.append(chunk.decode(ref_codec(charset, override)))
    return "".join(out)


def lenient_b64(raw: bytes) -> bytes:
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
    if len(data) % 4 == 1:
        data = data[:-1]
    return base64.b64decode(data + b"=" * (-len(data) % 4))


def uu_decode(raw: bytes) -> bytes:
    out = b""
    inside = False
    for line in raw.splitlines():
        if line.startswith(b"begin "):
            inside = True
            continue
        if line.strip() == b"end":
            break
        if inside and line.strip() not in (b"", b"`"):
            out += binascii.a2b_uu(line)
    return out


def raw_payload(p) -> bytes:
    payload = p.get_payload(decode=False)
    if isinstance(payload, list):
        return b""
    cte = str(p.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte not in ("base64", "quoted-printable", "x-uuencode"):
        # NB: get_payload() *without* decode=True returns 8bit text already decoded with
        # the declared charset and errors="replace"; decode=True gives the raw bytes.
        return p.get_payload(decode=True)
    data = payload.encode("ascii", "surrogateescape")
    if cte == "base64":
        return lenient_b64(data)
    if cte == "quoted-printable":
        return quopri.decodestring(data)
    if cte == "x-uuencode":
        return uu_decode(data)
    return data


class TextExtractor(HTMLParser):
    BLOCK = {"p", "br", "div", "tr", "table", "li", "h1", "h2", "h3", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).replace("\xa0", " ")


def ref_texts(msg, override: str | None = None) -> list[str]:
    texts = []
    for p in msg.walk():
        if p.get_content_maintype() != "text":
            continue
        if str(p.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        raw = raw_payload(p)
        label = p.get_param("charset")
        text = raw.decode(ref_codec(label, override))
        if p.get_content_subtype() == "html":
            text = html_to_text(text)
        texts.append(text)
    return texts


def ref_filenames(msg) -> list[str]:
    from email.header import decode_header

    names = []
    for p in msg.walk():
        fn = p.get_filename()
        if fn is None:
            continue
        if "=?" in fn:
            fn = "".join(
                c.decode(ref_codec(cs)) if isinstance(c, bytes) else c
                for c, cs in decode_header(fn)
            )
        names.append(fn)
    return names


def strict_fails(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return True
    return False


def check(explain: bool = False) -> int:
    import email
    import email.policy

    errors: list[str] = []

    def fail(name, why):
        errors.append(f"{name}: {why}")

    manifest = tomllib.loads((HERE / "manifest.toml").read_text("utf-8"))["files"]
    on_disk = {p.name for p in HERE.glob("*.eml")}
    names = [c["name"] for c in CASES]
    if set(manifest) != set(names):
        fail("manifest", f"entries differ from generated cases: {set(manifest) ^ set(names)}")
    if on_disk != set(names):
        fail("folder", f"*.eml on disk differ from generated cases: {on_disk ^ set(names)}")
    if (HERE / "manifest.toml").read_text("utf-8") != render_manifest():
        fail("manifest.toml", "stale: re-run make_corpus.py")

    seen_ids: dict[str, str] = {}
    for c in CASES:
        name, chk = c["name"], c["check"]
        path = HERE / name
        if not path.exists():
            fail(name, "missing on disk")
            continue
        data = path.read_bytes()
        if data != c["data"]:
            fail(name, "file on disk differs from generator output (re-run make_corpus.py)")
        m = manifest.get(name, {})
        outcome = m.get("outcome")
        if chk.get("not_email"):
            if outcome != "quarantined":
                fail(name, "not-an-email file must be quarantined")
            continue

        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        header_bytes = re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]

        # -- envelope-ish invariants
        for h in ("Date", "To", "Subject"):
            if msg.get(h) is None:
                fail(name, f"missing {h}")
        if chk.get("no_from"):
            if msg.get("From") is not None:
                fail(name, "should have no From")
        elif msg.get("From") is None:
            fail(name, "missing From")
        to_is_desk = chk.get("to_is_desk", True)
        if to_is_desk and DESK not in str(msg.get("To", "")):
            fail(name, f"To is not {DESK}")
        msgid = msg.get("Message-ID")
        if chk.get("no_message_id"):
            if msgid is not None:
                fail(name, "should have no Message-ID")
        elif msgid is None:
            fail(name, "missing Message-ID")
        else:
            msgid = str(msgid).strip()
            if m.get("message_id") != msgid:
                fail(name, f"manifest message_id {m.get('message_id')!r} != {msgid!r}")
            if msgid in seen_ids and outcome != "duplicate":
                fail(name, f"Message-ID reused from {seen_ids[msgid]}")
            if outcome == "duplicate" and seen_ids.get(msgid) != m.get("duplicate_of"):
                fail(name, "duplicate_of does not point to the file with the same Message-ID")
            seen_ids.setdefault(msgid, name)
        if "sender" in m:
            frm = msg.get("From", "")
            if m["sender"] not in str(frm):
                fail(name, f"sender {m['sender']} not in From")

        # -- subject
        try:
            subject = ref_subject(header_bytes, chk.get("subject_codec"))
        except Exception as exc:  # noqa: BLE001
            fail(name, f"reference subject decoding failed: {exc!r}")
            subject = ""
        if "subject_contains" in m and m["subject_contains"] not in subject:
            fail(name, f"subject_contains {m['subject_contains']!r} not in {subject!r}")

        # -- body
        try:
            texts = ref_texts(msg, chk.get("body_codec"))
        except Exception as exc:  # noqa: BLE001
            fail(name, f"reference body decoding failed: {exc!r}")
            texts = []
        body = "\n".join(texts)
        if "body_contains" in m and m["body_contains"] not in body:
            fail(name, f"body_contains {m['body_contains']!r} not found")
        for bad in m.get("body_not_contains", []):
            if bad in body:
                fail(name, f"body_not_contains {bad!r} found in text")
            if (
                bad.encode() not in data
                and bad not in data.decode("latin-1")
                and not (b"base64" in data.lower() or b"quoted-printable" in data.lower())
            ):
                fail(name, f"body_not_contains {bad!r} is not even in the raw file")
        if "inner_body_contains" in chk and chk["inner_body_contains"] not in body:
            fail(name, "inner forwarded body not recoverable")
        if m.get("body_not_contains"):
            raw_all = "".join(
                raw_payload(p).decode(ref_codec(p.get_param("charset")))
                for p in msg.walk()
                if p.get_content_type() == "text/html"
            )
            for bad in m["body_not_contains"]:
                if bad not in raw_all:
                    fail(name, f"body_not_contains {bad!r} is not present in the raw HTML")

        # -- attachments
        names_found = ref_filenames(msg)
        if names_found != m.get("attachments", []):
            fail(name, f"attachments {names_found!r} != manifest {m.get('attachments', [])!r}")

        # -- outcome-specific evidence
        if outcome == "ignored_autoreply":
            if "header" in chk:
                hname, hval = chk["header"]
                got = msg.get(hname)
                if got is None or (hval is not None and str(got).strip().lower() != hval.lower()):
                    fail(name, f"missing auto header {hname}: {hval}")
            if "subject_re" in chk:
                if not re.search(chk["subject_re"], subject):
                    fail(name, "subject does not show the auto-reply prefix")
                for h in (
                    "Auto-Submitted",
                    "X-Autoreply",
                    "X-Autorespond",
                    "Precedence",
                    "List-Id",
                    "X-Auto-Response-Suppress",
                ):
                    if msg.get(h) is not None:
                        fail(name, f"subject-only case must not carry {h}")
        if "report_type" in chk and (
            msg.get_content_type() != chk["ctype"]
            or msg.get_param("report-type") != chk["report_type"]
        ):
            fail(name, "wrong report type")
        if outcome == "bounce":
            alltext = []
            for p in msg.walk():
                if p.is_multipart():
                    continue
                if isinstance(p.get_payload(), list):
                    continue
                raw = raw_payload(p)
                alltext.append(
                    raw.decode(
                        ref_codec(p.get_param("charset"), chk.get("bounce_text_codec")), "replace"
                    )
                )
            joined = "\n".join(alltext)
            if m.get("bounced_address") not in joined:
                fail(name, "bounced_address not present in any part")
        if outcome == "thread_by_subject" and m.get("ticket_ref") not in subject:
            fail(name, "ticket_ref not in subject")
        if outcome == "thread_by_reference":
            if m.get("in_reply_to") != str(msg.get("In-Reply-To", "")).strip():
                fail(name, "In-Reply-To mismatch")
            if m.get("in_reply_to") not in str(msg.get("References", "")):
                fail(name, "References does not contain the ack id")

        # -- the traps are real
        if chk.get("naive_body_fails") or chk.get("naive_body_fails_as"):
            for p in msg.walk():
                if p.get_content_maintype() == "text" and not p.is_multipart():
                    raw = raw_payload(p)
                    label = p.get_param("charset") or "us-ascii"
                    codecs_to_try = []
                    if chk.get("naive_body_fails"):
                        codecs_to_try.append(label)
                    if chk.get("naive_body_fails_as"):
                        codecs_to_try.append(chk["naive_body_fails_as"])
                    for cdc in codecs_to_try:
                        if not strict_fails(raw, cdc):
                            fail(name, f"trap not real: body decodes strictly as {cdc}")
                    break
        if chk.get("naive_subject_fails"):
            raw_subj = re.search(rb"(?im)^Subject: (.*(?:\r?\n[ \t].*)*)", header_bytes).group(1)
            words = re.findall(rb"=\?([^?]+)\?B\?([^?]*)\?=", raw_subj)
            if words:
                lab = words[0][0].decode()
                raw = b"".join(base64.b64decode(w) for _, w in words)
            else:
                lab, raw = "us-ascii", raw_subj
            if not strict_fails(raw, lab):
                fail(name, f"trap not real: subject decodes strictly as {lab}")
        if chk.get("has_nul") and b"\x00" not in header_bytes:
            fail(name, "no NUL in headers")
        if chk.get("subject_has_crlf") and "\r\nBcc:" not in subject:
            fail(name, "subject does not decode to an injection attempt")
        if chk.get("from_has_crlf") and "\r\nBcc:" not in ref_subject(header_bytes, header="From"):
            fail(name, "From does not decode to an injection attempt")
        if chk.get("subject_word_split"):
            words = re.findall(rb"=\?UTF-8\?B\?([^?]*)\?=", header_bytes)
            if all(not strict_fails(base64.b64decode(w), "utf-8") for w in words):
                fail(name, "no encoded-word splits a character")

        if explain:
            explain_one(name, data)

    if errors:
        print("\n".join(errors))
        print(f"\nCHECK FAILED: {len(errors)} problem(s)")
        return 1
    print(f"check OK: {len(CASES)} files, manifest consistent, all expectations recoverable")
    return 0


def explain_one(name: str, data: bytes) -> None:
    """Show what a naive email.policy.default parse makes of the file."""
    import email
    import email.policy
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            msg = email.message_from_bytes(data, policy=email.policy.default)
            subj = msg.get("Subject")
            subj_s = repr(str(subj)) if subj is not None else None
            try:
                b = msg.get_body(("plain", "html"))
                content = b.get_content() if b is not None else None
                body_s = repr(content[:60]) if content is not None else None
            except Exception as exc:  # noqa: BLE001
                body_s = f"get_content() raised {exc!r}"
            names = []
            for p in msg.walk():
                try:
                    fn = p.get_filename()
                except Exception as exc:  # noqa: BLE001
                    fn = f"<{exc!r}>"
                if fn:
                    names.append(fn)
            defects = sorted(
                {type(d).__name__ for p in msg.walk() for d in p.defects}
                | (
                    {type(d).__name__ for d in subj.defects}
                    if subj is not None and hasattr(subj, "defects")
                    else set()
                )
            )
        except Exception as exc:  # noqa: BLE001
            print(f"--- {name}: policy.default parse raised {exc!r}")
            return
    print(f"--- {name}")
    print(f"    subject : {subj_s}")
    print(f"    body    : {body_s}")
    if names:
        print(f"    files   : {names!r}")
    if defects:
        print(f"    defects : {', '.join(defects)}")
    for w in caught:
        print(f"    warning : {w.category.__name__}: {w.message}")


def main(argv: list[str]) -> int:
    if "--check" in argv or "--explain" in argv:
        return check(explain="--explain" in argv)
    write_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

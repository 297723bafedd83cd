"""Turn bytes in real-world mail charsets into text, trusting the declared charset only so far."""

from __future__ import annotations

import codecs
import re
from email.header import decode_header

ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
}
"""Declared names that are really a superset (GB2312 mail is written with GBK/GB18030 tools)."""

_NOT_MAIL_CHARSETS = [
    "utf_7",
    "utf_16",
    "utf_16_be",
    "utf_16_le",
    "utf_32",
    "utf_32_be",
    "utf_32_le",
]
"""Detection must not pick these for mail text: they do not keep ASCII as ASCII."""
_SURROGATES = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_CHARSET_NAME = re.compile(r"[^a-z0-9_.:+-]")
"""RFC 2978 charset names are printable ASCII tokens; IANA's all use these characters."""


def codec_for(declared: str | None) -> str | None:
    """The Python codec to use for a declared charset, or None when it is unknown.

    Control characters (a NUL inside "gb\\x002312") and anything else that cannot be part of a
    charset name are dropped first: what is left is the name the sender's program meant."""
    if not declared:
        return None
    name = _NOT_IN_CHARSET_NAME.sub("", str(declared).lower())
    name = ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def identifier(text: str) -> str:
    """A Message-ID (or another token from a header) as text that is safe to store and log:
    raw 8-bit bytes that are not UTF-8 (kept as surrogates by the parser) and control
    characters become ``\\xNN``. The same bytes always give the same text, and different bytes
    different text, so an identifier still tells messages apart."""
    if text.isascii() and not _CONTROL_ANY.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no byte became: not from our parser
        raw = text.encode("utf-8", "backslashreplace")
    decoded = raw.decode("utf-8", "backslashreplace")
    return _CONTROL_ANY.sub(lambda match: f"\\x{ord(match.group()):02x}", decoded)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode mail bytes: valid UTF-8 wins over a legacy label, then the label, then detection."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = codec_for(declared)
    if codec and codec not in ("utf-8", "ascii"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    mostly_utf8 = data.decode("utf-8", errors="replace")
    if mostly_utf8.count("\ufffd") <= max(1, len(data) // 200):
        return mostly_utf8
    from charset_normalizer import from_bytes  # only mail that defeats every label gets here

    best = from_bytes(data, cp_exclusion=_NOT_MAIL_CHARSETS).best()
    if best is not None:
        return str(best)
    return data.decode(codec or "utf-8", errors="replace")


def decode_header_value(value: str | None) -> str:
    """A header as readable text: RFC 2047 words and raw 8-bit bytes both decoded."""
    if not value:
        return ""
    value = str(value)
    if _SURROGATES.search(value):
        value = decode_bytes(value.encode("utf-8", "surrogateescape"))
    try:
        parts = decode_header(value)
    except (ValueError, LookupError):
        parts = [(value, None)]
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            out.append(chunk.decode("raw-unicode-escape"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


def one_line(text: str, limit: int = 998) -> str:
    """Text safe to put in a header of ours: no line breaks or control characters."""
    text = _LINE_BREAKS.sub(" ", text)
    text = _CONTROL.sub("", text)
    return " ".join(text.split())[:limit]

"""The latest reply in a mail body: what the person wrote, without quoted history or signature.

Owners and department heads answer our mails by replying. ``latest_reply`` gets the decoded
plain-text body (HTML mail already turned into text with html2text, so a quote is "> " lines or
a client's header line followed by the old mail) and returns only the new text, trimmed.

It works in three passes:

1. Our line scanner (this module) removes "> " quote blocks together with the attribution
   line above them ("On … wrote:", "El … escribió:", "在 … 写道：",
   "… 于2026年11月23日周一 10:31写道："), and cuts at the first header that starts an
   unquoted history: "-----Original Message-----", "-----Mensaje original-----",
   "-----原始邮件-----", QQ Mail's "------------------ 原始邮件 ------------------",
   forwarded-message markers, and Outlook/Foxmail/QQ header blocks ("From:/Sent:/To:/Subject:",
   "De:/Enviado:/Para:/Asunto:", "发件人:/发送时间:/收件人:/主题:" with ASCII or full-width
   colons). A reply written above
   the quote ends there; only when nothing but a greeting stands above the first quote block
   (bottom-posting, answers under each quoted question) is the text between quotes kept.
2. The maintained library mail-parser-reply (``mailparser_reply``) splits what is left at the
   headers it knows (English, Spanish and Chinese always, plus the ``language_hint`` language if
   it has one: de, fr, it, nl, da, sv, pl, cs, ja, ko) and removes its disclaimers and
   signatures ("-- " delimiter, "Sent from my …", "Enviado desde mi …", "Best regards,\\nName").
   A valediction is only taken as a signature when its line is the valediction alone or with a
   name, so "Thanks, the plumber came today" stays. If the library raises, its pass is skipped.
3. Our signature lines the library lacks ("发自我的iPhone", "来自QQ邮箱", "Sent from Outlook",
   "Enviado desde Correo para Windows", …) cut the rest; trailing separator lines go.

Lines lose their surrounding spaces and runs of blank lines become one. Commands on their own
lines at the top ("#accept", "#resolved Replaced the pipe") are set aside first and put back as
they were. The function never raises; it returns "" only for a blank body, and when nothing
is left after removing quotes and signatures (everything looks quoted) it returns the original
text stripped; ``written_text`` returns "" then (a department's empty reply is not an answer).
"""

from __future__ import annotations

import logging
import re

from mailparser_reply import EmailMessage, EmailReplyParser

log = logging.getLogger(__name__)

BASE_LANGUAGES = ("en", "es", "zh")
"""Languages whose headers the library always looks for: the desk's own languages."""

LIBRARY_MAX_CHARS = 32_000
"""Longer text (after our pass) skips the library, whose regular expressions take about a
second per megabyte and more on some inputs; what people type above a quote is far shorter."""

# --- normalisation ---------------------------------------------------------------------------

_INVISIBLE = str.maketrans({"\ufeff": None, "\u200b": None, "\u200c": None, "\u200d": None,
                            "\u2060": None, "\xa0": " "})  # fmt: skip

# --- commands --------------------------------------------------------------------------------

_COMMAND = re.compile(r"#[^\W\d_][\w-]*(?:[\s:：].*)?")
"""A command line: "#accept", "#resolved Replaced the pipe", "#resolved 已更换水管"."""

# --- quotes and history headers --------------------------------------------------------------

_QUOTE = re.compile(r">")
"""A quoted line starts with ">" (also html2text's ">>" for nested blockquotes)."""

_SEPARATOR = re.compile(
    r"""(?ix)
    (?:-{2,}\s*
        (?:original(?:\ message)?|forwarded\ message|mensaje\ original|mensaje\ reenviado
          |原始邮件|原始郵件|转发邮件|转发的邮件|轉寄郵件|轉發郵件)
        \s*-*
    |(?:begin\ forwarded\ message|inicio\ del\ mensaje\ reenviado|以下是转发的邮件|转发的邮件)
        \s*[:：]?
    |_{30,}
    )""",
)
"""A line that starts the old mail: Outlook "-----Original Message-----" (en/es/zh),
QQ Mail's "------------------ 原始邮件 ------------------" and
"------------------ Original ------------------", Gmail/Thunderbird/Apple forwards, and a
line of underscores (Outlook's above its header block, a mailing list's above its footer)."""

_FROM_KEYS = r"From|De|Von|发件人|發件人|寄件者|寄件人"
_OTHER_KEYS = (
    r"Sent|Date|To|Cc|CC|Bcc|Subject|Reply-To"
    r"|Enviado|Fecha|Para|Asunto|Responder a"
    r"|发送时间|發送時間|发送日期|时间|時間|日期|收件人|收件者|抄送|副本|主题|主題|主旨|傳送時間|寄件日期"
)
_HEADER_LINE = re.compile(rf"\**(?:(?P<from>{_FROM_KEYS})|{_OTHER_KEYS})\**\s*[:：](?P<value>.*)")
"""One line of a header block; "*From:*" when bold survived the HTML conversion."""

_DIGIT = re.compile(r"\d")

_ATTRIBUTIONS = (
    # English: Gmail, Outlook, Apple Mail, Thunderbird ("On 23/11/2026 10:31, X wrote:"),
    # Yahoo ("--- On Wed, 4/4/12, X wrote:").
    re.compile(r"(?:-+\s*)?On\s.{3,300}?\s?wrote\s?:", re.IGNORECASE),
    # Spanish: Gmail ("El lun, 23 nov 2026 a las 10:31, X (<x@y>) escribió:"), Apple, Thunderbird.
    re.compile(r"El\s.{3,300}?\s?escribi[óo]\s?:", re.IGNORECASE),
    # Chinese: Foxmail/Apple/Thunderbird ("在 2026年11月23日 星期一 10:31，王丽 <x@y> 写道："),
    # Gmail ("王丽 <x@y> 于2026年11月23日周一 10:31写道：").
    re.compile(r".{0,300}?[写寫]道\s?[：:]"),
    # Other languages' "wrote" (de, fr, nl, da, sv, no, pl, ru, it, pt, fi, hu, tr).
    re.compile(
        r".{0,300}?\b(?:schrieb|a\ écrit|skrev|schreef|napisał(?:\(a\))?|написал[аи]?(?:\(а\))?"
        r"|ha\ scritto|escreveu|kirjoitti|írta|yazdı)\b.{0,200}?[:：]",
        re.IGNORECASE | re.VERBOSE,
    ),
    # A date and an address, then a colon ("2022年1月1日(金) 9:00 田中太郎 <t@example.com>:").
    re.compile(r".{0,300}?<[^<>\s]+@[^<>\s]+>\s?[:：]"),
)
"""Attribution lines, matched against one to three joined lines that end with a colon and
contain a digit (every client puts the date in)."""

_WROTE = re.compile(
    r".{1,120}?(?:\bwrote|\bescribi[óo]|[写寫]道|\bschrieb|\ba\ écrit|\bskrev|\bschreef"
    r"|\bnapisał(?:\(a\))?|\bнаписал[аи]?(?:\(а\))?|\bha\ scritto|\bescreveu)\s?[:：]",
    re.IGNORECASE | re.VERBOSE,
)
"""A one-line attribution without a date ("John wrote:"), taken only right above a quote."""

_MAX_ATTRIBUTION_LINES = 3
_MIN_WRAPPED_LINE = 30
"""A client wraps only a long attribution line: the first of two or three lines is long."""

_GREETING = re.compile(
    r"(?:hi|hello|hey|dear|good\ (?:morning|afternoon|evening)|hola|buen[oa]s|estimad[oa]s?"
    r"|querid[oa]s?|您好|你好|各位|尊敬的)\b",
    re.IGNORECASE | re.VERBOSE,
)

# --- signatures ------------------------------------------------------------------------------

_SIGNATURE_LINE = re.compile(
    r"""(?x)
    --
    |Sent\ (?:from|with|via)\ my\ [\w'’()-]+(?:\ [\w'’()-]+){0,4}
    |Sent\ (?:from|with|via)\ (?:Outlook|Mail|Yahoo|AOL|Gmail|Sparrow|Spark|Proton|ProtonMail
        |Samsung|Huawei|Xiaomi|iPhone|iPad|Android|BlackBerry)\b[\w .'’()-]{0,40}
    |Get\ Outlook\ for\ \S.{0,60}
    |Enviado\ desde\ (?:mi|Outlook|Correo|Yahoo|Gmail|el\ correo|Samsung|Huawei|Xiaomi)\b
        [\w .'’()-]{0,40}
    |Enviado\ con\ \w[\w .'’()-]{0,30}
    |Obtener\ Outlook\ para\ \S.{0,60}
    |发自我的.{1,20}
    |发自(?:网易|新浪|搜狐|腾讯|QQ|139|手机|华为|小米|荣耀|OPPO|vivo|Foxmail|iPhone|iPad).{0,20}
    |来自.{0,10}(?:QQ邮箱|网易邮箱|邮箱大师|手机|iPhone|iPad|Android|Foxmail)
    |从我的.{1,20}发送
    |從我的.{1,20}傳送
    |寄自我的.{1,20}
    """
)
"""A line that starts a signature (everything after it goes): the "-- " delimiter and the
"sent from my phone" lines of English, Spanish and Chinese clients."""

_VALEDICTION = re.compile(
    r"(?:best\ regards|kind\ regards|warm\ regards|regards|many\ thanks|thanks|thank\ you|best"
    r"|all\ the\ best|cheers|saludos|un\ saludo|atentamente|cordialmente|gracias|muchas\ gracias"
    r"|此致|敬礼|谢谢|謝謝|祝好)[\s,，.!！:：]*(?P<rest>.*)",
    re.IGNORECASE | re.VERBOSE,
)
_JOINED_VALEDICTION = re.compile(r"^(?:and|y)\s+", re.IGNORECASE)
"""The "and" of "Thanks and regards"."""
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_END = re.compile(r"[.!?。！？…]$")

_TRAILING_RULE = re.compile(r"[-_=*~—–](?:\s*[-_=*~—–]){2,}")
"""A line drawn with dashes, underscores or stars (html2text turns <hr> into "* * *")."""


# --- public API ------------------------------------------------------------------------------


def latest_reply(text: str, language_hint: str | None = None) -> str:
    """What the person wrote above (or between) the quotes, without history and signature.

    ``language_hint`` ("en", "es", "zh", "zh-CN", "de", …) adds that language's library
    patterns; the English, Spanish and Chinese ones are always on. Never raises.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return ""
    try:
        return _latest_reply(text, language_hint)
    except Exception:  # never raise: fall back to the text as it came
        log.exception("reply text extraction failed; keeping the whole body")
        return text.strip()


def written_text(text: str, language_hint: str | None = None) -> str:
    """Like ``latest_reply``, but "" when the person wrote nothing of their own: a reply that
    is only quotes, attribution lines and a signature is empty, not the quoted mail."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return ""
    try:
        return _latest_reply(text, language_hint, keep_quoted=False)
    except Exception:  # never raise; what is new cannot be told apart, so nothing counts
        log.exception("reply text extraction failed; taking the reply as empty")
        return ""


def library_languages(language_hint: str | None = None) -> list[str]:
    """The mail-parser-reply languages used: the hint's (if the library has it) first."""
    hint = _primary_language(language_hint)
    wanted = [hint] if hint else []
    wanted += [language for language in BASE_LANGUAGES if language != hint]
    # The library drops languages it does not know.
    return EmailReplyParser(languages=wanted).languages


# --- the passes ------------------------------------------------------------------------------


def _latest_reply(text: str, language_hint: str | None, keep_quoted: bool = True) -> str:
    lines = _normalized_lines(text)
    commands, rest, blank_after_commands = _split_commands(lines)
    reply = _scan(rest)
    if reply and len(reply) <= LIBRARY_MAX_CHARS:
        try:
            reply = _library_pass(reply, library_languages(language_hint))
        except Exception:  # an odd input the library chokes on: keep our own result
            log.warning("mail-parser-reply failed; using our own patterns only", exc_info=True)
    reply = _tidy(_cut_signature(reply))
    if commands:
        head = "\n".join(commands)
        if not reply:
            return head
        return head + ("\n\n" if blank_after_commands else "\n") + reply
    return reply or (text.strip() if keep_quoted else "")


def _primary_language(hint: str | None) -> str | None:
    if not hint or not isinstance(hint, str):
        return None
    primary = re.split(r"[-_]", hint.strip().lower(), maxsplit=1)[0]
    return primary or None


def _normalized_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    return [line.strip() for line in text.split("\n")]


def _split_commands(lines: list[str]) -> tuple[list[str], list[str], bool]:
    """Command lines at the top (blank lines between them allowed), the rest, and whether a
    blank line followed the last command."""
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    commands: list[str] = []
    end = start
    i = start
    while i < len(lines):
        if _COMMAND.fullmatch(lines[i]):
            commands.append(lines[i])
            end = i + 1
        elif lines[i]:
            break
        i += 1
    if not commands:
        return [], lines[start:], False
    blank_after = end < len(lines) and not lines[end]
    return commands, lines[end:], blank_after


def _scan(lines: list[str]) -> str:
    """Drop quote blocks with their attribution and stop at the first header that starts an
    unquoted history.

    A reply written above the quote ends at the quote: what follows it is old mail or a footer
    the mail server added. Only when nothing but a greeting ("Hi,", "您好，", "Hola:") stands
    above the first quote block is the text between and after quote blocks the answer
    (bottom-posting, answers written inline under each quoted question)."""
    out: list[str] = []
    inline: bool | None = None  # decided at the first quote block
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _QUOTE.match(line):
            if inline is None:
                inline = _only_greeting(out)
            if not inline:
                break
            while i < n and (not lines[i] or _QUOTE.match(lines[i])):
                i += 1
            out.append("")
            continue
        cut = _SEPARATOR.fullmatch(line) is not None or _header_block_at(lines, i)
        if not cut and line.endswith((":", "：")):
            start = _attribution_start(lines, i)
            if start is None and _WROTE.fullmatch(line) and _quote_follows(lines, i):
                start = i  # "王丽 写道：", "John wrote:" right above a quote: no date needed
            if start is not None:
                del out[len(out) - (i - start) :]
                if _quote_follows(lines, i):
                    i = _next_nonblank(lines, i + 1) or n
                    continue
                cut = True
        if cut:
            break
        out.append(line)
        i += 1
    return "\n".join(out).strip()


def _only_greeting(lines: list[str]) -> bool:
    """Nothing, or one short greeting line: "Hi,", "Hello John,", "您好，", "Estimado Sr. Ruiz:"."""
    written = [line for line in lines if line]
    if not written:
        return True
    if len(written) > 1 or len(written[0]) > 40:
        return False
    return bool(_GREETING.match(written[0]) or written[0].endswith((",", ":", "，", "：")))


def _quote_follows(lines: list[str], i: int) -> bool:
    following = _next_nonblank(lines, i + 1)
    return following is not None and _QUOTE.match(lines[following]) is not None


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i]:
            return i
        i += 1
    return None


def _attribution_start(lines: list[str], end: int) -> int | None:
    """Index of the first line of an attribution ("On … wrote:") ending at line ``end``."""
    for count in range(1, _MAX_ATTRIBUTION_LINES + 1):
        start = end - count + 1
        if start < 0 or not lines[start] or _QUOTE.match(lines[start]):
            return None
        if count > 1 and len(lines[start]) < _MIN_WRAPPED_LINE:
            continue
        candidate = " ".join(lines[start : end + 1])
        if len(candidate) > 400 or not _DIGIT.search(candidate):
            continue
        if any(p.fullmatch(candidate) for p in _ATTRIBUTIONS):
            return start
    return None


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook/Foxmail/QQ header block starts at line ``i``: at least two header lines in a
    row (one wrapped line allowed between), one of them "From:" and one a date or an address."""
    first = _HEADER_LINE.fullmatch(lines[i])
    if not first:
        return False
    has_from = False
    evidence = False
    headers = 0
    j = i
    while j < len(lines) and j < i + 12:
        match = _HEADER_LINE.fullmatch(lines[j])
        if match:
            headers += 1
            value = match.group("value")
            if match.group("from"):
                has_from = True
            if "@" in value or _DIGIT.search(value):
                evidence = True
        elif lines[j] and j + 1 < len(lines) and _HEADER_LINE.fullmatch(lines[j + 1]):
            pass  # a wrapped header value
        else:
            break
        j += 1
    return headers >= 2 and has_from and evidence


def _library_pass(text: str, languages: list[str]) -> str:
    """mail-parser-reply: its header split, disclaimers and signatures, on our scanned text."""
    message = EmailMessage(text=text, languages=list(languages), keep_hyphen_lists=True).read()
    body = text
    if message.replies and not message.replies[0].headers:
        # (A first reply with a header means the text began with one: the library's first reply
        # is then old mail, and our text stands.)
        first = message.replies[0]
        body = first.content
        for disclaimer in first.disclaimers:
            if disclaimer:
                body = body.replace(disclaimer, "")
    return _cut_library_signature(body, message.SIGNATURE_REGEX).strip()


def _cut_library_signature(text: str, signature: re.Pattern[str]) -> str:
    """Cut at the first of the library's signature matches that really is one."""
    pos = 0
    for _ in range(10):
        match = signature.search(text, pos)
        if not match:
            break
        if _is_signature(match.group()):
            return text[: match.start()]
        # Not a signature ("Thanks, the plumber came today"): look again after that line.
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        line_end = text.find("\n", start)
        if line_end < 0:
            break
        pos = line_end + 1
    return text


def _is_signature(signature: str) -> bool:
    """Whether the library's signature really is one: a valediction must stand alone on its
    line or with a name ("Thanks,\\nJohn", "Best regards, John Smith", "Thanks & Regards,",
    "谢谢，王丽"), not start a sentence ("Thanks, the plumber came today",
    "谢谢，水管已经修好了")."""
    first_line = next((line.strip() for line in signature.splitlines() if line.strip()), "")
    valediction = _VALEDICTION.fullmatch(first_line.lstrip("> "))
    if not valediction:
        return True  # a delimiter, "Sent from my …", a separator line
    rest = valediction.group("rest").strip()
    if _SENTENCE_END.search(rest) and not rest.endswith("."):
        return False
    rest = _JOINED_VALEDICTION.sub("", rest.strip(" ,，.&"))
    if not rest:
        return True
    if _CJK.search(rest):
        return len(rest) <= 4
    words = rest.split()
    return len(words) <= 3 and all(_NAME_WORD.fullmatch(w) and w[0].isupper() for w in words)


def _cut_signature(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _SIGNATURE_LINE.fullmatch(line.strip()):
            return "\n".join(lines[:i]).strip()
    return text


def _tidy(text: str) -> str:
    """Trailing separator lines off, runs of blank lines down to one."""
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or _TRAILING_RULE.fullmatch(lines[-1].strip())):
        lines.pop()
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

"""Reply text (daemon.mail.replytext): what the person wrote, without quoted history and signatures.

Our fixtures in tests/replies/ are replies from the clients owners and department heads use
(Outlook en/es/zh, Gmail en/zh/es and its HTML after html2text, Apple Mail, Thunderbird,
Foxmail, QQ Mail); each NAME.txt (or NAME.html) has its exact expected text in
NAME.expected.txt. Other projects' real replies in ../shared/corpus/realworld/replies must
never crash it, and some have an answer we can read off the file.
"""

from __future__ import annotations

import email
import time
from email import policy
from pathlib import Path

import pytest
from mailparser_reply import EmailMessage

from daemon.mail import replytext
from daemon.mail.reading import html_to_text
from daemon.mail.replytext import latest_reply, library_languages
from tests.paths import REALWORLD, TESTS

FIXTURES = TESTS / "replies"
CASES = sorted(
    p
    for p in FIXTURES.iterdir()
    if p.suffix in (".txt", ".html") and not p.name.endswith(".expected.txt")
)
CORPUS = REALWORLD / "replies"
CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.is_file()) if CORPUS.is_dir() else []


def fixture_input(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return html_to_text(text) if path.suffix == ".html" else text


def fixture_expected(path: Path) -> str:
    expected = path.with_name(path.stem + ".expected.txt")
    return expected.read_text(encoding="utf-8").removesuffix("\n")


# --- our fixtures ----------------------------------------------------------------------------


def test_every_client_has_a_fixture():
    names = {p.stem for p in CASES}
    assert {
        "outlook_en",
        "outlook_es",
        "outlook_es_original",
        "outlook_zh_original",
        "gmail_en",
        "gmail_zh",
        "gmail_es",
        "gmail_html",
        "apple_mail",
        "thunderbird",
        "thunderbird_zh",
        "foxmail",
        "foxmail_wrote",
        "qqmail",
        "iphone_zh",
        "command_resolved_zh",
        "command_in_quote",
        "command_in_history",
        "satisfaction_5",
    } <= names
    for path in CASES:
        assert path.with_name(path.stem + ".expected.txt").is_file(), path.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture(path):
    assert latest_reply(fixture_input(path)) == fixture_expected(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_with_crlf_line_ends(path):
    text = fixture_input(path).replace("\r\n", "\n").replace("\n", "\r\n")
    assert latest_reply(text) == fixture_expected(path)


@pytest.mark.parametrize("hint", ["en", "es", "zh", "zh-CN", "es_ES", "de", "xx"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_whatever_the_language_hint(path, hint):
    assert latest_reply(fixture_input(path), hint) == fixture_expected(path)


def test_html_gmail_quote_arrives_as_quote_lines():
    text = fixture_input(FIXTURES / "gmail_html.html")
    assert "\n> A new complaint has been assigned" in text  # what html2text makes of it
    assert ">> Broken tiles in the lobby." in text
    assert (
        latest_reply(text)
        == "#accept\n\nWe will replace the broken tiles in the lobby on Thursday."
    )


def test_command_at_the_top_is_kept_exactly():
    reply = latest_reply(fixture_input(FIXTURES / "command_resolved_zh.txt"))
    assert reply.splitlines()[0] == "#resolved 已更换水管"
    reply = latest_reply("#accept\n#note internal only\n\nWe will handle it.\n\n-- \nAna")
    assert reply == "#accept\n#note internal only\n\nWe will handle it."
    assert latest_reply("#resolved Replaced the pipe\nDone this morning.") == (
        "#resolved Replaced the pipe\nDone this morning."
    )


def test_command_with_nothing_else_above_the_quote():
    text = "#accept\n\nOn Mon, 23 Nov 2026 at 10:31, Desk <desk@example.com> wrote:\n> #reject\n"
    assert latest_reply(text) == "#accept"


@pytest.mark.parametrize("name", ["command_in_quote", "command_in_history"])
def test_command_only_in_the_quoted_part_is_not_extracted(name):
    source = fixture_input(FIXTURES / f"{name}.txt")
    assert "#accept" in source
    reply = latest_reply(source)
    assert "#accept" not in reply
    assert "#resolved" not in reply


def test_satisfaction_digit():
    assert latest_reply(fixture_input(FIXTURES / "satisfaction_5.txt")) == "5"


# --- behaviour -------------------------------------------------------------------------------


def test_everything_quoted_gives_the_original_text_stripped():
    text = "\n  On Mon, 23 Nov 2026 at 10:31, Desk <desk@example.com> wrote:\n> #accept\n> hi\n\n"
    assert latest_reply(text) == text.strip()
    forward = "---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Mon\n\nold"
    assert latest_reply(forward) == forward


@pytest.mark.parametrize("text", ["", "   \n \t\n", None])
def test_blank_input_gives_empty_text(text):
    assert latest_reply(text) == ""


def test_bytes_are_decoded():
    assert latest_reply("好的\n> 原文".encode()) == "好的"


def test_text_written_between_quotes_after_a_greeting_is_kept():
    text = "Hi,\n> When does the noise start?\nAround 22:00.\n> Which flat?\n5C.\n"
    assert latest_reply(text) == "Hi,\n\nAround 22:00.\n\n5C."


def test_text_below_the_quote_of_a_top_posted_reply_is_dropped():
    text = (
        "Tomorrow at 9 is fine.\n\n> Can we come tomorrow at 9?\n\n"
        "CONFIDENTIALITY NOTICE: This e-mail is for the intended recipient only.\n"
    )
    assert latest_reply(text) == "Tomorrow at 9 is fine."


def test_a_sentence_starting_like_a_valediction_is_not_a_signature():
    text = "Hello,\n\nThanks, the plumber came today.\nRegards,\nBob"
    assert latest_reply(text) == "Hello,\n\nThanks, the plumber came today."
    text = (
        "师傅今天来了。\n谢谢，水管已经修好了。\n\n"
        "王丽 <w@example.cn> 于2026年11月23日周一 10:31写道：\n> 原文"
    )
    assert latest_reply(text) == "师傅今天来了。\n谢谢，水管已经修好了。"
    text = "Hola Marta:\n\nGracias, ya vino el fontanero y todo funciona.\n\nSaludos,\nLucía"
    assert latest_reply(text) == "Hola Marta:\n\nGracias, ya vino el fontanero y todo funciona."


@pytest.mark.parametrize(
    "signature",
    [
        "Sent from my iPhone",
        "发自我的iPhone",
        "发自我的华为手机",
        "来自QQ邮箱",
        "Enviado desde mi iPhone",
        "Enviado desde mi teléfono Huawei",
        "Get Outlook for Android",
        "-- \nAna López\nMantenimiento",
    ],
)
def test_phone_and_delimited_signatures_go(signature):
    assert latest_reply(f"The light works again.\n\n{signature}\n") == "The light works again."


def test_sent_from_in_a_sentence_is_not_a_signature():
    text = "Here is another email\n\nSent from my desk, is much easier than my phone."
    assert latest_reply(text) == text


def test_a_date_without_attribution_is_not_a_quote_header():
    text = "On your remote host you can run:\n\ntelnet 127.0.0.1 52698\n"
    assert latest_reply(text) == "On your remote host you can run:\n\ntelnet 127.0.0.1 52698"


def test_library_failure_falls_back_to_our_patterns(monkeypatch):
    def broken(self):
        raise RuntimeError("library bug")

    monkeypatch.setattr(EmailMessage, "read", broken)
    for name in ("gmail_zh", "qqmail", "outlook_es_original", "thunderbird", "satisfaction_5"):
        path = FIXTURES / f"{name}.txt"
        assert latest_reply(fixture_input(path)) == fixture_expected(path)


def test_internal_failure_never_raises(monkeypatch):
    def broken(lines):
        raise ValueError("bug")

    monkeypatch.setattr(replytext, "_scan", broken)
    assert latest_reply("  ok\n> q\n") == "ok\n> q"


def test_library_languages():
    assert library_languages() == ["en", "es", "zh"]
    assert library_languages("zh-CN") == ["zh", "en", "es"]
    assert library_languages("de_DE")[0] == "de"
    assert library_languages("xx") == ["en", "es", "zh"]


def test_long_bodies_stay_fast():
    quoted = (
        "ok\n\nOn Mon, 23 Nov 2026 at 10:31, A <a@example.com> wrote:\n"
        + ("> The pipe leaks again, please come. " * 20 + "\n") * 1500
    )
    plain = (
        "Thanks, the pipe leaks again, please come.\n" + "The leak is back. " * 20 + "\n"
    ) * 1500
    started = time.perf_counter()
    assert latest_reply(quoted) == "ok"
    assert latest_reply(plain).startswith("Thanks, the pipe leaks again")
    assert time.perf_counter() - started < 5


# --- other projects' replies -----------------------------------------------------------------


def corpus_body(path: Path) -> str:
    """The decoded text the daemon would hand over: text/plain, else the HTML as text."""
    raw = path.read_bytes()
    if path.suffix == ".eml":
        message = email.message_from_bytes(raw, policy=policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        text = part.get_content()
        return html_to_text(text) if part.get_content_type() == "text/html" else text
    text = raw.decode("utf-8", "replace")
    return html_to_text(text) if path.suffix == ".html" else text


def test_corpus_is_present():
    assert len(CORPUS_FILES) >= 89, f"expected the shared reply corpus at {CORPUS}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_reply_never_raises_and_keeps_unquoted_text(path):
    body = corpus_body(path)
    reply = latest_reply(body)
    assert isinstance(reply, str)
    unquoted = [
        line for line in body.splitlines() if line.strip() and not line.lstrip().startswith(">")
    ]
    if unquoted:
        assert reply.strip()
        assert len(reply) <= len(body)
        # The quoted part never leaks into a reply that has text of its own.
        assert not any(line.startswith(">") for line in reply.splitlines())
    # The raw file (headers, MIME parts, odd bytes) must not crash it either.
    assert isinstance(latest_reply(path.read_bytes().decode("utf-8", "replace")), str)


CORPUS_EXPECTED = {
    # email-reply-parser (GitHub's) fixtures
    "email-reply-parser__test__emails__correct_sig.txt": (
        "this is an email with a correct -- signature."
    ),
    "email-reply-parser__test__emails__email_1_3.txt": (
        "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"
    ),
    "email-reply-parser__test__emails__email_1_4.txt": (
        "Awesome! I haven't had another problem with it."
    ),
    "email-reply-parser__test__emails__email_1_7.txt": ":+1:",
    "email-reply-parser__test__emails__email_1_8.txt": (
        "I will reply under this one\n\nand under this."
    ),
    "email-reply-parser__test__emails__email_2_1.txt": "Outlook with a reply",
    "email-reply-parser__test__emails__email_2_2.txt": "Outlook with a reply directly above line",
    "email-reply-parser__test__emails__email_2_3.txt": (
        "Outlook with a reply above headers using unusual format"
    ),
    "email-reply-parser__test__emails__email_BlackBerry.txt": "Here is another email",
    "email-reply-parser__test__emails__email_iPhone.txt": "Here is another email",
    "email-reply-parser__test__emails__email_multi_word_sent_from_my_mobile_device.txt": (
        "Here is another email"
    ),
    "email-reply-parser__test__emails__email_gmail.txt": (
        "This is a test for inbox replying to a github message."
    ),
    "email-reply-parser__test__emails__email_headers_no_delimiter.txt": "And another reply!",
    "email-reply-parser__test__emails__email_one_is_not_on.txt": (
        "Thank, this is really helpful.\n\nOne outstanding question I had:\n\n"
        "Locally (on development), when I run..."
    ),
    "email-reply-parser__test__emails__email_sent_from_my_not_signature.txt": (
        "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
    ),
    "email-reply-parser__test__emails__email_sig_delimiter_in_middle_of_line.txt": (
        "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai"
    ),
    "email-reply-parser__test__emails__greedy_on.txt": (
        "On your remote host you can run:\n\ntelnet 127.0.0.1 52698\n\n"
        "This should connect to TextMate (on your Mac, via the tunnel). If that\n"
        "fails, the tunnel is not working."
    ),
    "email-reply-parser__test__emails__pathological.txt": (
        "I think you're onto something. I will try to fix the problem as soon as I\n"
        "get back to a computer."
    ),
    # mail-parser-reply's own fixtures
    "mail-parser-reply__test__emails__email_1_7.txt": ":+1:",
    "mail-parser-reply__test__emails__email_gmail.txt": (
        "This is a test for inbox replying to a github message."
    ),
    "mail-parser-reply__test__emails__multi_header.txt": "No problem. I’ll just start a new order.",
    "mail-parser-reply__test__emails__email_3_1.txt": (
        "First reply.\n\nThis is fairly common; nothing too hard here!"
    ),
    "mail-parser-reply__test__emails__begins_with_signature.txt": (
        "Thank you, Sonya Johnson.\n\nI have sent an invite for 10:30am Monday PDT (today).  I\n"
        "hope you can join."
    ),
    "mail-parser-reply__test__emails__email_danish_3.txt": "Hej,\n\nSvar.",
    "mail-parser-reply__test__emails__email_ja_1_2.txt": (
        "田中様\n\nお世話になっております。織田です。\n\nそれでは 11:00 にお待ちしております。\n\n"
        "以上、よろしくお願いいたします"
    ),
    "mail-parser-reply__test__emails__email_swedish_1.txt": (
        "Hej Person A,\n\nUrsäkta mitt sena svar!\n\n"
        "Kan inte se att det står något om vilket företag det gäller?\n\nMvh,\nPerson B"
    ),
    "mail-parser-reply__test__emails__outlook.txt": (
        "Dear Team,\n\nHello\n\n"
        "What is the best way to clear a Riak bucket of all key, values after\n"
        "running a test?\n\nMy number is: +00 0000 000 000"
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_expected_reply(name):
    assert latest_reply(corpus_body(CORPUS / name)) == CORPUS_EXPECTED[name]


def test_corpus_reply_with_text_written_between_the_quotes():
    name = "email-reply-parser__test__emails__email_1_2.txt"
    reply = latest_reply(corpus_body(CORPUS / name))
    assert reply.startswith("Hi,\n\nYou can list the keys for the bucket and call delete for each.")
    assert reply.endswith('you’ll need to delete them all individually."')
    assert "Abhishek" not in reply  # quoted
    assert "riak-users mailing list" not in reply  # the list's footer


MPR = "mail-parser-reply__test__emails__"


@pytest.mark.parametrize(
    ("name", "hint", "expected"),
    [
        (MPR + "email_danish_2.txt", "da", "Hej Hanne,\n\nJeg har modtaget filerne."),
        (MPR + "email_danish_4.txt", "da", "Hej,\n\nSvar."),
        (MPR + "email_nl_1_2.txt", "nl", "Outlook met een antwoord"),
        (
            MPR + "email_3_1.txt",
            "de",
            "First reply.\n\nThis is fairly common; nothing too hard here!",
        ),
    ],
)
def test_corpus_language_hint_brings_the_library_headers(name, hint, expected):
    assert latest_reply(corpus_body(CORPUS / name), hint) == expected


@pytest.mark.parametrize(
    "path",
    [p for p in CORPUS_FILES if p.name.startswith("talon__tests__fixtures__standard_replies__")],
    ids=lambda p: p.name,
)
def test_corpus_talon_standard_replies(path):
    assert latest_reply(corpus_body(path)) == "Hello"


@pytest.mark.parametrize(
    "path",
    [p for p in CORPUS_FILES if p.name.startswith("talon__tests__fixtures__html_replies__")],
    ids=lambda p: p.name,
)
def test_corpus_talon_html_replies(path):
    assert latest_reply(corpus_body(path)) == "Hi. I am fine."

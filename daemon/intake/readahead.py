"""Read ahead: a helper process reads the next fetched batch while the service records this one.

Parsing (charsets, HTML, attachments) is about a third of the work per message and needs no
database, so on a machine with more than one CPU it runs beside the pipeline; so does what the
language, classify and locate steps find, which depends only on the subject, text and sender
(see ``Finder``). The helper is a plain child process speaking pickle over its stdin/stdout: first
the few settings it needs, then one batch at a time; it ends when the service closes the pipe
or dies. It loads neither the configuration nor the database code nor scikit-learn: it is a
second process on a machine where memory is tight. If it fails, the pipeline parses inline:
nothing depends on the helper.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from daemon.classify.decision import RuleClassifier
from daemon.classify.language import detect, sample
from daemon.classify.names import Register, plain
from daemon.classify.rules import DEFAULT_RULES
from daemon.classify.written import for_rules, own_words
from daemon.mail.attachments import AttachmentStore
from daemon.mail.reading import Findings, Reading, read

if TYPE_CHECKING:
    from daemon.config import Settings
    from daemon.intake.base import Incoming

log = logging.getLogger(__name__)

ANSWER_SECONDS = 30.0
"""A helper that has not begun to answer by then is stuck: it is stopped and the service
parses the batch itself (well inside systemd's watchdog interval)."""


class ReadAhead:
    """Hands one batch at a time to the helper; ``collect`` returns None readings when there
    is no helper (or it failed), which tells the pipeline to parse those items itself."""

    def __init__(self, settings: Settings) -> None:
        self.storage = settings.storage
        self.enabled = settings.service.use_parse_helper()
        self.setup = finder_setup(settings) if self.enabled else None
        self.process: subprocess.Popen[bytes] | None = None
        self.pending: list[Incoming] | None = None

    def start(self) -> None:
        """Start the helper now, so that its own start-up overlaps the service's."""
        if self.enabled:
            try:
                self._start()
            except OSError as exc:
                self._failed(exc)

    def _start(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            command = [
                sys.executable,
                "-m",
                "daemon.intake.readahead",
                str(Path(self.storage.attachments_dir).resolve()),
                str(self.storage.max_attachment_bytes),
            ]
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            pickle.dump(self.setup, self.process.stdin, protocol=5)
        return self.process

    def submit(self, batch: list[Incoming]) -> None:
        """Start reading ``batch``; call ``collect`` before the next ``submit``."""
        self.pending = batch
        if not self.enabled:
            return
        try:
            process = self._start()
            pickle.dump([(i.raw, i.size > len(i.raw)) for i in batch], process.stdin, protocol=5)
            process.stdin.flush()
        except OSError as exc:
            self._failed(exc)

    def collect(self) -> list[Reading | None]:
        """The readings of the submitted batch, in order (None: parse it in the pipeline)."""
        if self.pending is None:
            return []
        batch, self.pending = self.pending, None
        if self.process is not None:
            try:
                if not select.select([self.process.stdout], [], [], ANSWER_SECONDS)[0]:
                    raise TimeoutError(f"no answer within {ANSWER_SECONDS:.0f} s")
                return [pickle.load(self.process.stdout) for _ in batch]
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                self._failed(exc)
        return [None] * len(batch)

    def _failed(self, exc: Exception) -> None:
        log.warning("parse helper failed (%s); parsing in the service until it restarts", exc)
        self.close(wait=0)

    def close(self, wait: float = 5) -> None:
        """Close the pipe (the helper then ends); kill it if it has not ended after ``wait``."""
        process, self.process = self.process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Finder:
    """What the language, classify and locate steps find in a reading, found as they would:
    in what the person wrote, with names masked for the rules."""

    def __init__(
        self,
        default_language: str,
        rules: RuleClassifier | None = None,
        estates: list[dict[str, Any]] | None = None,
    ) -> None:
        self.default_language = default_language
        self.rules = rules
        self.register = Register(estates or ())

    def find(self, reading: Reading) -> Findings:
        subject = reading.subject
        written = own_words(reading.text, reading.content_language, subject)
        decision = None
        if self.rules is not None:
            masked = for_rules(self.register, subject, written, reading.sender_name)
            decision = self.rules.classify(*masked)
        return Findings(
            language=detect(
                sample(subject, written), reading.content_language, self.default_language
            ),
            location=self.register.locate(subject, written),
            decision=decision,
            written=written,
        )


def finder_setup(settings: Settings) -> dict[str, Any]:
    """What the helper needs of the settings, in plain values: the desk's default language, the
    estates register and the rules the service classifies with, with a digest of the rules file
    as it reads now (a trained model, which the helper does not load, is applied in the
    service on top of the rules' decision)."""
    classifier = settings.classifier
    rules = None
    rules_file = classifier.rules_file.resolve() if classifier.rules_file else None
    with contextlib.suppress(OSError):  # gone since the service read it: it classifies
        rules = (rules_file, classifier.extra_rules, _digest(rules_file))
    return {
        "default_language": settings.desk.default_language,
        "rules": rules,
        "estates": plain(settings.estates),
    }


def finder_from(setup: dict[str, Any]) -> Finder:
    """The helper's finder; it leaves classifying to the service when the rules file changed
    since the service read it (the service keeps its rules until it restarts)."""
    rules = None
    if setup["rules"] is not None:
        rules_file, extra_rules, digest = setup["rules"]
        try:
            if _digest(rules_file) == digest:
                rules = RuleClassifier(rules_file, extra_rules)
            else:
                log.warning("rules file changed since the service read it: the service classifies")
        except Exception as exc:  # noqa: BLE001 - the service classifies then
            log.warning("rules not loaded in the parse helper (%s): the service classifies", exc)
    return Finder(setup["default_language"], rules, setup.get("estates"))


def _digest(rules_file: Path | None) -> str:
    return hashlib.sha256((rules_file or DEFAULT_RULES).read_bytes()).hexdigest()


def read_ahead(
    raw: bytes, headers_only: bool, store: AttachmentStore, finder: Finder
) -> Reading | None:
    """One item as the helper answers it: the reading with its findings (none for oversize
    mail, whose text is not read), or None for the pipeline to read it again."""
    try:
        reading = read(raw, store, headers_only=headers_only)
    except Exception:  # noqa: BLE001 - the pipeline reads it again and quarantines it properly
        return None
    if not headers_only:
        try:
            reading.findings = finder.find(reading)
        except Exception:  # noqa: BLE001 - the steps work them out again and fail properly
            reading.findings = None
    return reading


def serve(store: AttachmentStore) -> None:
    """The helper's loop: the finder's setup, then a pickled list of (raw, headers_only) in, one
    pickle per item out.

    Each reading is pickled as soon as it is made, so that one parsed message is held at a
    time; the answers go out together, so that a full pipe never stops the reading.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the service stops us by closing the pipe
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    try:
        finder = finder_from(pickle.load(requests))
    except EOFError:
        return
    while True:
        try:
            batch = pickle.load(requests)
        except EOFError:
            return
        pickled = []
        for index, (raw, headers_only) in enumerate(batch):
            batch[index] = None
            pickled.append(_pickled(read_ahead(raw, headers_only, store, finder)))
        try:
            answers.write(b"".join(pickled))
            answers.flush()
        except BrokenPipeError:
            return


def _pickled(reading: Reading | None) -> bytes:
    """A reading that will not pickle (absurdly deep MIME nesting) is sent as None."""
    try:
        return pickle.dumps(reading, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return pickle.dumps(None, protocol=5)


if __name__ == "__main__":
    serve(AttachmentStore(Path(sys.argv[1]), int(sys.argv[2])))

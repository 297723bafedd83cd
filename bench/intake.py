"""Intake benchmark: IMAP floor vs. the real service, IDLE acknowledgement latency, memory.

Run from the repository root (as root: the private Dovecot runs mail as uid 5000)::

    .venv/bin/python bench/intake.py                 # 5,000 messages, 200 latency probes
    .venv/bin/python bench/intake.py --count 500     # quick check

What it does, all on loopback, with servers it starts and stops itself:

1. Generates a mixed corpus (bench/corpus.py) and APPENDs it to a private Dovecot (setup).
2. Floor: one imaplib connection, ``UID FETCH`` in batches of ``--batch`` with ``BODY.PEEK[]``,
   each message parsed with the stdlib (compat32) and every part decoded: items/s.
3. Pipeline: ``python -m daemon.cli --config CFG run`` against that mailbox, an SQLite
   database and an SMTP sink; items/s from process start until the database holds one ticket
   and one outbox row per message. Start-up (until the service logged its IMAP connection)
   is reported separately.
4. Latency: with the service idle in IDLE, APPENDs ``--latency-count`` new complaints one at
   a time every ``--latency-interval`` s and times each until its acknowledgement (matched by
   In-Reply-To) reaches the SMTP sink.
5. Peak memory: the VmHWM (peak RSS) of the service and of its read-ahead helper process,
   summed, just before the service is stopped with SIGTERM.

``--profile`` runs the service under cProfile (main thread only) and prints the hot spots;
figures measured that way are slower than real and are marked as such.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import imaplib
import os
import platform
import pstats
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pytest  # noqa: E402  (tests/servers.py reports start-up failures through pytest.fail)

from bench.corpus import DESK_ADDRESS, generate  # noqa: E402
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink  # noqa: E402

GOAL_RATIO = 0.5
GOAL_P95_SECONDS = 2.0
GOAL_PEAK_MB = 150.0
POLL_SECONDS = 0.2
CODEC_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030"}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class TimedSink(SmtpSink):
    """The test SMTP sink, plus the arrival time of every ack keyed by its In-Reply-To."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, float] = {}  # time.monotonic() of arrival
        self.arrivals_wall: dict[str, float] = {}  # time.time(), to compare with the database
        self.arrived = threading.Condition()

    def _store(self, message: ReceivedMessage) -> None:
        now, wall = time.monotonic(), time.time()
        ref = str(message.message.get("In-Reply-To") or "").strip().strip("<>")
        with self.arrived:
            if ref and ref not in self.arrivals:
                self.arrivals[ref] = now
                self.arrivals_wall[ref] = wall
            self.arrived.notify_all()
        super()._store(message)

    def count_of(self, ids: set[str] | dict[str, float]) -> int:
        with self.arrived:
            return sum(1 for ref in self.arrivals if ref in ids)


@dataclass
class Figures:
    count: int = 0
    corpus_bytes: int = 0
    mix: Counter = field(default_factory=Counter)
    append_seconds: float = 0.0
    floor_seconds: float = 0.0
    floor_fetch_seconds: float = 0.0
    floor_parse_seconds: float = 0.0
    floor_items: int = 0
    floor_runs: list[float] = field(default_factory=list)
    startup_seconds: float | None = None
    first_ticket_seconds: float | None = None
    pipeline_seconds: float | None = None
    tickets: int = 0
    outbox_rows: int = 0
    outcomes: Counter = field(default_factory=Counter)
    acks_seconds: float | None = None
    acks: int = 0
    latency_sent: int = 0
    latencies: list[float] = field(default_factory=list)
    to_ticket: list[float] = field(default_factory=list)  # APPEND -> ticket row (created_at)
    to_ack: list[float] = field(default_factory=list)  # ticket row -> ack at the SMTP sink
    peak_rss_mb: float | None = None
    peak_rss_detail: str = ""
    peak_rss_after_pipeline_mb: float | None = None
    problems: list[str] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------


def parse_fully(raw: bytes) -> int:
    """What the floor does per message: stdlib parse, every part decoded; returns text length."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    length = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text":
            charset = (part.get_content_charset() or "ascii").lower()
            try:
                length += len(payload.decode(CODEC_ALIASES.get(charset, charset), "replace"))
            except LookupError:
                length += len(payload.decode("utf-8", "replace"))
        else:
            length += len(payload)
    return length


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"p50 {percentile(values, 50):.2f} s, p95 {percentile(values, 95):.2f} s, "
        f"max {max(values):.2f} s"
    )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), e.g. pct=95."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * pct // 100)))
    return ordered[int(rank) - 1]


def vm_hwm_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


def process_tree(pid: int) -> list[int]:
    """The pid and all its descendants (the service's helper processes)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = task.read_text().split()
        except OSError:
            continue
        for child in children:
            pids.extend(process_tree(int(child)))
    return pids


def tree_hwm_mb(pid: int) -> tuple[float | None, str]:
    """The summed VmHWM of the service and its helpers (an upper bound: the peaks need not
    coincide), with each process's share."""
    shares = []
    for member in process_tree(pid):
        hwm = vm_hwm_mb(member)
        if hwm is None:
            continue
        try:
            cmdline = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")
            name = next((a.decode() for a in cmdline if a.startswith(b"daemon.")), "service")
        except OSError:
            name = "?"
        shares.append((name, hwm))
    if not shares:
        return None, ""
    detail = " + ".join(f"{name} {hwm:.0f}" for name, hwm in shares)
    return sum(hwm for _name, hwm in shares), detail


def db_counts(db_path: Path) -> tuple[int, int, Counter] | None:
    """(tickets, outbox rows, raw item outcomes) read-only, or None before the schema exists."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            tickets = conn.execute("select count(*) from tickets").fetchone()[0]
            rows = conn.execute("select count(*) from outbox").fetchone()[0]
            outcomes = Counter(
                dict(
                    conn.execute(
                        "select coalesce(outcome, status), count(*) from raw_items group by 1"
                    ).fetchall()
                )
            )
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return None
    return tickets, rows, outcomes


def ticket_times(db_path: Path, message_ids: list[str]) -> dict[str, float]:
    """Message-ID -> the ticket's created_at (stored as naive UTC) as a Unix timestamp."""
    if not message_ids or not db_path.exists():
        return {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        marks = ",".join("?" * len(message_ids))
        rows = conn.execute(
            f"select message_id, created_at from tickets where message_id in ({marks})",
            message_ids,
        ).fetchall()
    finally:
        conn.close()
    return {
        mid: datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp()
        for mid, created in rows
        if created
    }


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except OSError:
        rev = ""
    return rev or "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# --- the benchmark --------------------------------------------------------------------------


class IntakeBench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.fig = Figures(count=args.count)
        self.work = Path(tempfile.mkdtemp(prefix="complaintd-bench-"))
        self.db_path = self.work / "complaintd.db"
        self.log_path = self.work / "service.log"
        self.profile_path = Path(args.profile).resolve() if args.profile else None
        self.dovecot: DovecotServer | None = None
        self.sink: TimedSink | None = None
        self.service: subprocess.Popen[bytes] | None = None
        self.corpus_ids: set[str] = set()

    # servers ---------------------------------------------------------------------------------

    def start_servers(self) -> None:
        say("starting Dovecot and the SMTP sink on loopback")
        self.dovecot = DovecotServer(tls=False)
        self.dovecot.start()
        self.sink = TimedSink()
        self.sink.start()

    def close(self) -> None:
        """Stop everything this run started; safe to call twice and after any failure."""
        if self.service is not None:
            self.stop_service()
        if self.sink is not None:
            self.sink.stop()
            self.sink = None
        if self.dovecot is not None:
            self.dovecot.close()
            self.dovecot = None
        if self.args.keep:
            say(f"kept work dir {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # setup -----------------------------------------------------------------------------------

    def load(self) -> None:
        n = self.args.count
        say(f"generating and APPENDing {n} messages (setup, not measured)")
        client = self.dovecot.connect()
        started = time.monotonic()
        try:
            for i, sample in enumerate(generate(n, self.args.seed, 0, "bench"), 1):
                typ, data = client.append("INBOX", None, None, sample.raw)
                if typ != "OK":
                    raise RuntimeError(f"APPEND failed: {data!r}")
                self.corpus_ids.add(sample.message_id)
                self.fig.corpus_bytes += len(sample.raw)
                self.fig.mix[sample.language, sample.kind] += 1
                if i % 1000 == 0:
                    say(f"  appended {i}/{n}")
        finally:
            client.logout()
        self.fig.append_seconds = time.monotonic() - started
        say(
            f"  {n} messages, {self.fig.corpus_bytes / 1e6:.0f} MB, "
            f"in {self.fig.append_seconds:.1f} s"
        )

    # floor -----------------------------------------------------------------------------------

    def floor(self) -> None:
        runs = self.args.floor_runs
        say(f"floor: UID FETCH BODY.PEEK[] + stdlib parse, one connection, {runs} run(s)")
        results = sorted(self.floor_once() for _ in range(runs))
        fig = self.fig
        fig.floor_runs = [seconds for seconds, *_ in results]
        seconds, fetch_s, parse_s, items = results[len(results) // 2]  # the median run
        fig.floor_seconds, fig.floor_items = seconds, items
        fig.floor_fetch_seconds, fig.floor_parse_seconds = fetch_s, parse_s
        if items != self.args.count:
            fig.problems.append(f"floor fetched {items} messages, expected {self.args.count}")

    def floor_once(self) -> tuple[float, float, float, int]:
        """(seconds, of which fetching, of which parsing, items) of one pass over the mailbox."""
        client = self.dovecot.connect()
        batch = self.args.batch
        fetch_s = parse_s = 0.0
        items = 0
        started = time.monotonic()
        try:
            client.select("INBOX", readonly=True)
            _, data = client.uid("SEARCH", "ALL")
            uids = (data[0] or b"").split()
            for i in range(0, len(uids), batch):
                t0 = time.monotonic()
                typ, data = client.uid("FETCH", b",".join(uids[i : i + batch]), "(BODY.PEEK[])")
                t1 = time.monotonic()
                if typ != "OK":
                    raise RuntimeError(f"FETCH failed: {data!r}")
                for entry in data:
                    if isinstance(entry, tuple):
                        parse_fully(entry[1])
                        items += 1
                parse_s += time.monotonic() - t1
                fetch_s += t1 - t0
        finally:
            client.logout()
        seconds = time.monotonic() - started
        say(f"  {items} in {seconds:.1f} s = {items / seconds:.0f} items/s")
        return seconds, fetch_s, parse_s, items

    # pipeline --------------------------------------------------------------------------------

    def write_config(self) -> Path:
        d, s = self.dovecot, self.sink
        path = self.work / "complaintd.toml"
        path.write_text(
            f"""log_level = "INFO"

[desk]
address = "{DESK_ADDRESS}"

[database]
url = "sqlite:///{self.db_path}"

[storage]
attachments_dir = "{self.work / "attachments"}"

[maildir]
path = "{self.work / "inbox"}"

[outbox]
dir = "{self.work / "outbox"}"

[imap]
host = "{d.host}"
port = {d.port}
security = "none"
user = "{d.user}"
password = "{d.password}"
batch_size = {self.args.batch}

[smtp]
host = "{s.host}"
port = {s.port}
security = "none"
{self.service_section()}""",
            encoding="utf-8",
        )
        return path

    def service_section(self) -> str:
        """``--parse-helper on/off`` overrides the service's own choice (by CPU count)."""
        if self.args.parse_helper == "auto":
            return ""
        return f"\n[service]\nparse_helper = {str(self.args.parse_helper == 'on').lower()}\n"

    def start_service(self) -> float:
        config = self.write_config()
        command = [sys.executable]
        if self.profile_path is not None:
            command += ["-m", "cProfile", "-o", str(self.profile_path)]
        command += ["-m", "daemon.cli", "--config", str(config), "run"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTD_")}
        env["PYTHONPATH"] = str(REPO)
        with open(self.log_path, "ab") as log:
            started = time.monotonic()
            self.service = subprocess.Popen(
                command,
                cwd=self.work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return started

    def service_log_has(self, needle: str) -> bool:
        try:
            return needle in self.log_path.read_text(errors="replace")
        except OSError:
            return False

    def check_service_alive(self) -> None:
        if self.service is not None and self.service.poll() is not None:
            tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"the service exited with {self.service.returncode}:\n{tail}")

    def pipeline(self) -> None:
        n = self.args.count
        say("pipeline: complaintd run (SQLite, IMAP IDLE, SMTP sink)")
        started = self.start_service()
        fig = self.fig
        last_progress, last_change, last_seen = time.monotonic(), time.monotonic(), (-1, -1)
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            self.check_service_alive()
            if fig.startup_seconds is None and self.service_log_has("connected to"):
                fig.startup_seconds = now - started
            counts = db_counts(self.db_path)
            if counts is None:
                continue
            tickets, rows, outcomes = counts
            if tickets and fig.first_ticket_seconds is None:
                fig.first_ticket_seconds = now - started
            if tickets >= n and rows >= n:
                fig.pipeline_seconds = now - started
                fig.tickets, fig.outbox_rows, fig.outcomes = tickets, rows, outcomes
                break
            if (tickets, rows) != last_seen:
                last_seen, last_change = (tickets, rows), now
            processed = sum(c for k, c in outcomes.items() if k != "received")
            if processed >= n and now - last_change > 10:
                fig.tickets, fig.outbox_rows, fig.outcomes = tickets, rows, outcomes
                fig.problems.append(
                    f"all {n} items processed but only {tickets} tickets / {rows} outbox rows: "
                    f"{dict(outcomes)}"
                )
                fig.pipeline_seconds = None
                break
            if now - last_change > self.args.stall_timeout:
                raise RuntimeError(
                    f"no progress for {self.args.stall_timeout:.0f} s at {tickets} tickets, "
                    f"{rows} outbox rows ({dict(outcomes)})"
                )
            if now - last_progress >= 10:
                last_progress = now
                say(f"  {now - started:5.0f} s: {tickets} tickets, {rows} outbox rows")
        if fig.pipeline_seconds:
            say(
                f"  {n} tickets and outbox rows after {fig.pipeline_seconds:.1f} s "
                f"= {n / fig.pipeline_seconds:.0f} items/s"
            )
        fig.peak_rss_after_pipeline_mb = tree_hwm_mb(self.service.pid)[0]
        # The acknowledgements themselves: not part of the goal, but reported.
        deadline = time.monotonic() + self.args.ack_timeout
        while time.monotonic() < deadline:
            fig.acks = self.sink.count_of(self.corpus_ids)
            if fig.acks >= n:
                fig.acks_seconds = time.monotonic() - started
                break
            self.check_service_alive()
            time.sleep(POLL_SECONDS)
        if fig.acks < n:
            fig.problems.append(f"only {fig.acks}/{n} acks reached the SMTP sink")
        else:
            say(f"  all {n} acks at the SMTP sink after {fig.acks_seconds:.1f} s")

    # latency ---------------------------------------------------------------------------------

    def latency(self) -> None:
        m = self.args.latency_count
        if m <= 0:
            return
        interval = self.args.latency_interval
        say(f"latency: {m} APPENDs every {interval * 1000:.0f} ms to the idle service")
        time.sleep(self.args.settle)  # let the service fall back into IDLE
        samples = list(generate(m, self.args.seed, self.args.count, "probe"))
        appended: dict[str, float] = {}
        appended_wall: dict[str, float] = {}
        client = self.dovecot.connect()
        try:
            next_at = time.monotonic()
            for sample in samples:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                appended[sample.message_id] = time.monotonic()
                appended_wall[sample.message_id] = time.time()
                typ, data = client.append("INBOX", None, None, sample.raw)
                if typ != "OK":
                    raise RuntimeError(f"APPEND failed: {data!r}")
                next_at += interval
        finally:
            client.logout()
        deadline = time.monotonic() + self.args.latency_timeout
        while time.monotonic() < deadline and self.sink.count_of(appended) < m:
            self.check_service_alive()
            time.sleep(0.05)
        with self.sink.arrived:
            arrivals = {k: v for k, v in self.sink.arrivals.items() if k in appended}
            arrivals_wall = {k: self.sink.arrivals_wall[k] for k in arrivals}
        fig = self.fig
        fig.latency_sent = m
        fig.latencies = [arrivals[k] - appended[k] for k in appended if k in arrivals]
        # Where the time goes: until the ticket row exists, and from there to the SMTP sink.
        for message_id, created in ticket_times(self.db_path, list(arrivals)).items():
            fig.to_ticket.append(created - appended_wall[message_id])
            fig.to_ack.append(arrivals_wall[message_id] - created)
        if len(arrivals) < m:
            self.fig.problems.append(
                f"only {len(arrivals)}/{m} latency acks arrived within "
                f"{self.args.latency_timeout:.0f} s of the last APPEND"
            )

    # service stop ----------------------------------------------------------------------------

    def stop_service(self) -> None:
        proc, self.service = self.service, None
        if proc is None:
            return
        if proc.poll() is None:
            self.fig.peak_rss_mb, self.fig.peak_rss_detail = tree_hwm_mb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                say("the service did not stop within 60 s of SIGTERM; killing it")
                proc.kill()
                proc.wait(timeout=10)

    # report ----------------------------------------------------------------------------------

    def run(self) -> None:
        self.start_servers()
        self.load()
        self.floor()
        self.pipeline()
        self.latency()
        self.stop_service()
        self.report()
        if self.profile_path is not None:
            self.print_profile()

    def report(self) -> None:
        fig, args = self.fig, self.args
        n = args.count
        floor_rate = fig.floor_items / fig.floor_seconds if fig.floor_seconds else 0.0
        pipe_rate = n / fig.pipeline_seconds if fig.pipeline_seconds else None
        ratio = pipe_rate / floor_rate if pipe_rate and floor_rate else None
        steady = None
        if fig.pipeline_seconds and fig.startup_seconds:
            steady = n / (fig.pipeline_seconds - fig.startup_seconds)

        def verdict(ok: bool | None) -> str:
            return "n/a" if ok is None else ("PASS" if ok else "FAIL")

        lat = fig.latencies
        p50 = percentile(lat, 50) if lat else None
        p95 = percentile(lat, 95) if lat else None
        mix = Counter()
        for (language, kind), c in fig.mix.items():
            mix[language] += c
            mix[kind] += c
        mix_text = ", ".join(
            f"{k} {mix[k] * 100 / max(n, 1):.0f}%"
            for k in ("zh", "es", "en", "attachment", "html")
            if k in mix
        )
        rows: list[tuple[str, str, str, str]] = [
            ("machine", f"{os.cpu_count()} CPUs ({cpu_model()})", "", ""),
            ("python / rev", f"{platform.python_version()} / {git_revision()}", "", ""),
            ("N", f"{n} messages, {fig.corpus_bytes / 1e6:.0f} MB (seed {args.seed})", "", ""),
            ("mix", mix_text, "", ""),
            ("setup: APPEND", f"{fig.append_seconds:.1f} s (not measured)", "", ""),
            (
                "floor",
                f"{floor_rate:.0f} items/s ({fig.floor_seconds:.1f} s: fetch "
                f"{fig.floor_fetch_seconds:.1f} s, parse {fig.floor_parse_seconds:.1f} s; "
                f"median of {len(fig.floor_runs)})",
                "",
                "",
            ),
            (
                "pipeline",
                f"{pipe_rate:.0f} items/s ({fig.pipeline_seconds:.1f} s from process start)"
                if pipe_rate
                else "did not finish",
                "",
                "",
            ),
            (
                "  start-up",
                f"{fig.startup_seconds:.1f} s to IMAP connect; first ticket at "
                f"{fig.first_ticket_seconds:.1f} s"
                if fig.startup_seconds is not None and fig.first_ticket_seconds is not None
                else "n/a",
                "",
                "",
            ),
            ("  after start-up", f"{steady:.0f} items/s" if steady else "n/a", "", ""),
            (
                "  all acks sent",
                f"{fig.acks_seconds:.1f} s from process start ({fig.acks}/{n})"
                if fig.acks_seconds
                else f"{fig.acks}/{n} acks",
                "",
                "",
            ),
            (
                "ratio pipeline/floor",
                f"{ratio:.2f}" if ratio else "n/a",
                f">= {GOAL_RATIO}",
                verdict(None if ratio is None else ratio >= GOAL_RATIO),
            ),
            (
                "IDLE latency p50",
                f"{p50:.2f} s" if p50 is not None else "n/a",
                "",
                "",
            ),
            (
                "IDLE latency p95",
                f"{p95:.2f} s (max {max(lat):.2f} s; {len(lat)}/{fig.latency_sent} acks)"
                if p95 is not None
                else f"0/{fig.latency_sent} acks",
                f"<= {GOAL_P95_SECONDS:.0f} s",
                verdict(
                    None
                    if not fig.latency_sent
                    else p95 is not None
                    and p95 <= GOAL_P95_SECONDS
                    and len(lat) == fig.latency_sent
                ),
            ),
            (
                "  APPEND -> ticket row",
                spread(fig.to_ticket),
                "",
                "",
            ),
            (
                "  ticket row -> ack at SMTP",
                spread(fig.to_ack),
                "",
                "",
            ),
            (
                "service peak RSS",
                f"{fig.peak_rss_mb:.0f} MB (summed VmHWM: {fig.peak_rss_detail}; "
                f"{fig.peak_rss_after_pipeline_mb or 0:.0f} MB after the pipeline phase)"
                if fig.peak_rss_mb
                else "n/a",
                f"<= {GOAL_PEAK_MB:.0f} MB",
                verdict(None if not fig.peak_rss_mb else fig.peak_rss_mb <= GOAL_PEAK_MB),
            ),
            (
                "outcomes",
                ", ".join(f"{k} {v}" for k, v in sorted(fig.outcomes.items())) or "n/a",
                "",
                "",
            ),
        ]
        header = ("what", "figure", "goal", "ok")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        line = "-" * (sum(widths) + 9)
        title = "complaintd intake benchmark"
        if self.profile_path is not None:
            title += " (UNDER cProfile: pipeline figures are pessimistic)"
        out = [title, line]
        for i, row in enumerate([header, *rows]):
            out.append(" | ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)))
            if i == 0:
                out.append(line)
        out.append(line)
        out += [f"problem: {problem}" for problem in fig.problems]
        print("\n".join(out), flush=True)

    def print_profile(self) -> None:
        if self.profile_path is None or not self.profile_path.exists():
            print("no profile written", flush=True)
            return
        print(f"\ncProfile of the service's main thread: {self.profile_path}")
        stats = pstats.Stats(str(self.profile_path), stream=sys.stdout)
        if self.args.strip_dirs:
            stats.strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="messages in the mailbox")
    parser.add_argument("--latency-count", type=int, default=200, help="IDLE probes")
    parser.add_argument(
        "--latency-interval", type=float, default=0.075, help="seconds between probe APPENDs"
    )
    parser.add_argument("--latency-timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--floor-runs", type=int, default=3, help="floor passes (median is used)")
    parser.add_argument("--batch", type=int, default=50, help="floor and service batch size")
    parser.add_argument("--settle", type=float, default=2.0, help="idle time before the probes")
    parser.add_argument("--ack-timeout", type=float, default=300.0)
    parser.add_argument(
        "--stall-timeout", type=float, default=120.0, help="give up after no progress for this"
    )
    parser.add_argument("--profile", metavar="FILE", help="run the service under cProfile")
    parser.add_argument("--strip-dirs", action="store_true", help="shorter profile paths")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (db, log)")
    parser.add_argument(
        "--parse-helper",
        choices=("auto", "on", "off"),
        default="auto",
        help="the service's read-ahead parse helper process (default: the service decides)",
    )
    args = parser.parse_args(argv)
    if args.count <= 0:
        parser.error("--count must be positive")
    return args


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench/intake.py must run as root (Dovecot mail runs as uid 5000)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)  # also when started with SIGINT ignored (&)
    bench = IntakeBench(args)
    try:
        bench.run()
    except KeyboardInterrupt:
        say("interrupted; stopping the servers")
        return 130
    except pytest.fail.Exception as exc:  # a server fixture could not start
        say(f"server start-up failed: {exc}")
        return 1
    except (RuntimeError, OSError, imaplib.IMAP4.error) as exc:
        say(f"benchmark failed: {exc}")
        return 1
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

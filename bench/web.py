"""Web form benchmark: submissions per second end to end, response times, one ticket each.

Run from the repository root::

    .venv/bin/python bench/web.py                    # 300 submissions, 4 concurrent clients
    .venv/bin/python bench/web.py --count 1000 --clients 8 --max-seconds 300

What it does, all on loopback:

1. Starts ``python -m daemon.cli --config CFG web`` (SQLite in a temp dir, no ``[smtp]``: the
   acknowledgements are written as .eml files to the outbox folder) and waits for /health.
2. ``--clients`` threads, each with its own httpx client, share ``--count`` submissions. Each
   submission is what an owner's browser does: GET the form (a fresh session: CSRF cookie and
   token), then POST it (multipart; every ``--photo-every``-th one with a small JPEG). Every
   simulated owner has their own e-mail address and their own client address, sent as
   X-Forwarded-For (uvicorn trusts it from 127.0.0.1), so the app's rate limits (10 per
   address per 10 minutes, 5 per e-mail per hour) are not what is measured.
3. Stops issuing new submissions after ``--max-seconds``; every request has a timeout.
4. Checks in the database (read-only) that every accepted submission (200 with a number)
   became exactly one ticket with that number, one raw item and one acknowledgement, and
   waits for the acknowledgements to be written to the outbox folder.

Prints submissions/s (GET + POST per submission, wall time of the whole load), the POST's
p50/p95/max response time, the GET's, and the verdict; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
DESK = "complaints@desk.example"
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZG"
    "NywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAMABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA"
    "AAIE/8QAHhAAAAYCAwAAAAAAAAAAAAAAAAECBBESAxMFQdH/xAAUAQEAAAAAAAAAAAAAAAAAAAAE/8QAGBEAAgMA"
    "AAAAAAAAAAAAAAAAERIAASH/2gAMAwEAAhEDEQA/AK5R7lZ6tSUHeZsR9R6HFvcrzbtSgqRFSPufBvAJW2JyEalA"
    "2f/Z"
)
COMPLAINTS = [
    ("zh", "王女士", "您好，{b}栋2单元{u}卫生间天花板漏水一个星期了，请尽快派人维修。"),
    ("zh", "李先生", "{b}号楼电梯这周已经坏了三次，老人上下楼非常不方便，请尽快处理。"),
    ("es", "Ana García", "Hola, sale agua por el techo del baño del piso {u} desde hace días."),
    ("en", "John Smith", "The heating in flat {u} of block {b} has not worked since Monday."),
]
NUMBER = re.compile(r'id="ticket-number">(C\d{8}-\d{4})<')
TOKEN = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def write_config(folder: Path, port: int) -> Path:
    config = folder / "complaintd.toml"
    config.write_text(
        f"""log_level = "WARNING"

[desk]
address = "{DESK}"
web_url = "http://{LOOPBACK}:{port}"
time_zone = "Asia/Shanghai"

[database]
url = "sqlite:///{folder}/complaintd.db"

[storage]
attachments_dir = "{folder}/attachments"

[maildir]
path = "{folder}/inbox"

[outbox]
dir = "{folder}/outbox"

[replies]
secret_file = "{folder}/reply-secret"
""",
        encoding="utf-8",
    )
    return config


@dataclass
class Load:
    """The shared work list and what came back, filled by the client threads."""

    count: int
    deadline: float
    photo_every: int
    next_index: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    get_seconds: list[float] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    numbers: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def take(self) -> int | None:
        with self.lock:
            if self.next_index >= self.count or time.monotonic() >= self.deadline:
                return None
            self.next_index += 1
            return self.next_index - 1


def submission(index: int, photo_every: int) -> tuple[dict[str, str], list, str]:
    language, name, text = COMPLAINTS[index % len(COMPLAINTS)]
    building, unit = index % 12 + 1, 100 + index % 900
    data = {
        "name": name,
        "email": f"owner{index:06d}@owner.example",
        "building": str(building),
        "unit": str(unit),
        "description": text.format(b=building, u=unit),
        "consent": "yes",
    }
    files = []
    if photo_every and index % photo_every == 0:
        files = [("files", (f"photo-{index}.jpg", JPEG, "image/jpeg"))]
    return data, files, language


def client_thread(base_url: str, load: Load, timeout: float) -> None:
    while (index := load.take()) is not None:
        data, files, language = submission(index, load.photo_every)
        address = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
        headers = {"X-Forwarded-For": address, "Accept-Language": language}
        try:
            # A new owner: a fresh browser session (CSRF cookie) for every submission.
            with httpx.Client(base_url=base_url, timeout=timeout, trust_env=False) as client:
                started = time.perf_counter()
                form = client.get("/", headers=headers)
                got = time.perf_counter()
                token = TOKEN.search(form.text)
                if form.status_code != 200 or token is None:
                    with load.lock:
                        load.statuses[f"GET {form.status_code}"] += 1
                    continue
                data["csrf"] = token[1]
                response = client.post("/submit", data=data, files=files, headers=headers)
                done = time.perf_counter()
        except httpx.HTTPError as exc:
            with load.lock:
                load.errors[type(exc).__name__] += 1
            continue
        match = NUMBER.search(response.text) if response.status_code == 200 else None
        with load.lock:
            load.get_seconds.append(got - started)
            load.post_seconds.append(done - got)
            load.statuses[response.status_code] += 1
            if match:
                load.numbers.append(match[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def db_figures(database: Path) -> dict[str, object]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:

        def one(query: str) -> int:
            return conn.execute(query).fetchone()[0]

        return {
            "tickets": one("SELECT count(*) FROM tickets"),
            "web_tickets": one("SELECT count(*) FROM tickets WHERE channel = 'web'"),
            "raw_items": one("SELECT count(*) FROM raw_items"),
            "acks": one("SELECT count(*) FROM outbox WHERE purpose = 'ack'"),
            "numbers": [row[0] for row in conn.execute("SELECT number FROM tickets")],
        }


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    return process.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="submissions (default 300)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument(
        "--max-seconds", type=float, default=180, help="stop issuing after this (default 180)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="per request (default 30 s)")
    parser.add_argument("--photo-every", type=int, default=5, help="every Nth with a JPEG")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, log, outbox)")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="complaintd-bench-web-"))
    port = free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    config = write_config(folder, port)
    log = folder / "web.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTD_")}
    argv_web = [sys.executable, "-m", "daemon.cli", "--config", str(config), "web"]
    argv_web += ["--host", LOOPBACK, "--port", str(port)]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv_web, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    exit_code = None
    try:
        started = time.monotonic()
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1, trust_env=False).text == "ok":
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() - started > 30:
                say(f"complaintd web did not start:\n{log.read_text(errors='replace')[-3000:]}")
                return 1
            time.sleep(0.05)
        startup = time.monotonic() - started
        say(f"complaintd web up on {base_url} after {startup:.2f} s; loading")

        load = Load(args.count, time.monotonic() + args.max_seconds, args.photo_every)
        threads = [
            threading.Thread(target=client_thread, args=(base_url, load, args.timeout))
            for _ in range(args.clients)
        ]
        load_started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - load_started
        say(f"{load.next_index} submissions in {wall:.1f} s; checking the database")

        accepted = len(load.numbers)
        figures = db_figures(folder / "complaintd.db")
        outbox_dir = folder / "outbox"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            written = len(list(outbox_dir.rglob("*.eml"))) if outbox_dir.exists() else 0
            if written >= figures["acks"]:
                break
            time.sleep(0.2)
        exit_code = stop(process)

        numbers = Counter(load.numbers)
        one_each = (
            figures["tickets"] == accepted
            and figures["web_tickets"] == accepted
            and figures["raw_items"] == accepted
            and figures["acks"] == accepted
            and all(n == 1 for n in numbers.values())
            and set(figures["numbers"]) == set(numbers)
        )
        rate = accepted / wall if wall else 0.0
        posts, gets = load.post_seconds, load.get_seconds
        print(f"complaintd web benchmark ({platform.python_version()}, {os.cpu_count()} CPUs)")
        print(f"  submissions issued   {load.next_index} of {args.count}, {args.clients} clients")
        print(f"  photo attached       every {args.photo_every}th")
        print(f"  start-up             {startup:.2f} s until /health answered")
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load.statuses.items(), key=str))
        print(f"  responses            {statuses or '-'}")
        if load.errors:
            print(f"  transport errors     {dict(load.errors)}")
        print(f"  accepted             {accepted} (200 with a number)")
        print(f"  wall time            {wall:.2f} s")
        print(f"  submissions/s        {rate:.1f} (GET form + POST, end to end)")
        print(
            f"  POST /submit         p50 {percentile(posts, 50) * 1000:.0f} ms, "
            f"p95 {percentile(posts, 95) * 1000:.0f} ms, max {max(posts, default=0) * 1000:.0f} ms"
        )
        print(
            f"  GET /                p50 {percentile(gets, 50) * 1000:.0f} ms, "
            f"p95 {percentile(gets, 95) * 1000:.0f} ms, max {max(gets, default=0) * 1000:.0f} ms"
        )
        print(
            f"  database             {figures['tickets']} tickets ({figures['web_tickets']} web), "
            f"{figures['raw_items']} raw items, {figures['acks']} acks; "
            f"{written} .eml written to the outbox folder"
        )
        print(f"  one ticket each      {'PASS' if one_each else 'FAIL'}")
        print(f"  server exit status   {exit_code}")
        return 0 if one_each and accepted == load.next_index else 1
    finally:
        if exit_code is None:
            stop(process)
        if args.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

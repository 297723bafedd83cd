"""How the command line finds and judges its configuration, as an admin runs it: the file named by
``$COMPLAINTD_CONFIG``, a mistake that stops ``run`` with status 2, and ``--now`` refused by the
long-running commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port


def complaintd(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``complaintd ARGS`` in ``cwd`` with no COMPLAINTD_* variables but those in ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTD_")}
    return subprocess.run(
        [sys.executable, "-m", "daemon.cli", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def desk_config(path: Path, name: str) -> Path:
    """A config whose desk name and database are its own, so a run shows which file it read."""
    path.write_text(
        f'[desk]\nname = "{name}"\n[database]\nurl = "sqlite:///{path.with_suffix(".db")}"\n',
        encoding="utf-8",
    )
    return path


def test_complaintd_config_names_the_file_and_config_wins_over_it(tmp_path):
    first = desk_config(tmp_path / "first.toml", "First Desk")
    second = desk_config(tmp_path / "second.toml", "Second Desk")
    by_env = {"COMPLAINTD_CONFIG": str(first)}

    shown = complaintd(tmp_path, "check-config", env=by_env)
    assert shown.returncode == 0, shown.stderr
    assert "desk: First Desk" in shown.stdout

    shown = complaintd(tmp_path, "--config", str(second), "check-config", env=by_env)
    assert shown.returncode == 0, shown.stderr
    assert "desk: Second Desk" in shown.stdout and "First Desk" not in shown.stdout

    listed = complaintd(tmp_path, "tickets", "list", "--json", env=by_env)
    assert listed.returncode == 0 and json.loads(listed.stdout) == [], listed.stderr
    assert first.with_suffix(".db").exists()  # the file's database, built on first use
    assert not (tmp_path / "var").exists()  # not the embedded default's


BAD_PORT = "imap.port: Input should be less than 65536"
"""The README's own example of the message a mistake gets."""


@pytest.mark.parametrize("where", ["file", "environment"])
def test_a_configuration_mistake_stops_run_with_status_2_naming_the_key(tmp_path, where):
    imap = '[imap]\nhost = "imap.example.com"\nuser = "desk"\npassword = "x"\n'
    config = tmp_path / "complaintd.toml"
    env = {}
    if where == "file":
        config.write_text(imap + "port = 99999\n", encoding="utf-8")
    else:
        config.write_text(imap, encoding="utf-8")
        env["COMPLAINTD_IMAP__PORT"] = "99999"
    done = complaintd(tmp_path, "--config", str(config), "run", env=env, timeout=30)
    assert done.returncode == 2, done.stderr
    assert f"complaintd: configuration error: {config}: {BAD_PORT}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "var").exists()  # nothing was started or created


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--now", "2026-12-02T18:00:00+08:00", "web", "--port", "{port}"], {}),
        (["--now", "2026-12-02T18:00:00+08:00", "worker"], {}),
        (["worker", "--burst"], {"COMPLAINTD_NOW": "2026-12-02T18:00:00+08:00"}),
        (["web", "--port", "{port}"], {"COMPLAINTD_NOW": "2026-12-02T18:00:00+08:00"}),
    ],
    ids=["web", "worker", "worker-env", "web-env"],
)
def test_now_is_refused_by_web_and_worker(tmp_path, args, env):
    config = tmp_path / "complaintd.toml"
    config.write_text('[queue]\nredis_url = "redis://127.0.0.1:1/0"\n', encoding="utf-8")
    argv = [arg.format(port=free_port()) for arg in args]
    done = complaintd(tmp_path, "--config", str(config), *argv, env=env, timeout=30)
    assert done.returncode == 2, done.stderr
    command = "web" if "web" in argv else "worker"
    assert f"--now is for one-off commands; the long-running {command} refuses it" in done.stderr

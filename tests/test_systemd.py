"""The unit files pass systemd's own checks and keep their hardening."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = sorted((Path(__file__).resolve().parents[1] / "systemd").glob("*.service"))


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_unit_verifies_and_is_hardened(unit, tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: run scripts/test, which installs systemd"
    binary = Path(sys.executable).parent / "complaintd"
    text = unit.read_text().replace("/opt/complaintd/bin/complaintd", str(binary))
    name = unit.name.replace("@.", "@1.")
    copy = tmp_path / name
    copy.write_text(text)
    verify = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0, verify.stderr
    security = subprocess.run(
        [analyze, "security", "--offline=true", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = float(re.search(r"exposure level for .*?: ([\d.]+)", security.stdout).group(1))
    assert exposure <= 1.2, security.stdout  # README: every unit rates 1.2 "OK"

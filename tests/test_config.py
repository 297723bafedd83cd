"""Configuration: file plus environment, clear errors naming the key, secrets never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from daemon import config
from daemon.cli import main


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "complaintd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_means_defaults(tmp_path):
    settings = config.load(write(tmp_path, ""), environ={})
    assert settings.database.url.startswith("sqlite:///")
    assert settings.imap is None and settings.smtp is None


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, '[desk]\nname = "From file"\ntime_zone = "Europe/Madrid"\n')
    settings = config.load(path, environ={"COMPLAINTD_DESK__NAME": "From env"})
    assert settings.desk.name == "From env"
    assert settings.desk.time_zone == "Europe/Madrid"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[desk]\nnmae = 'x'\n", "desk.nmae"),
        ("[imap]\nhost = 'h'\nuser = 'u'\npassword = 'p'\nport = 99999\n", "imap.port"),
        ("[imap]\nhost = 'h'\nuser = 'u'\n", "imap"),
        ("[outbox]\nmax_attempts = 'many'\n", "outbox.max_attempts"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, key):
    with pytest.raises(config.ConfigError) as caught:
        config.load(write(tmp_path, text), environ={})
    assert key in str(caught.value)


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = write(tmp_path, "[desk\n")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(path, environ={})


def test_password_from_file_or_systemd_credential_and_never_printed(
    tmp_path, capsys, caplog, monkeypatch
):
    secret_file = tmp_path / "imap.pw"
    secret_file.write_text("s3cret-from-file\n")
    path = write(tmp_path, f"[imap]\nhost='h'\nuser='u'\npassword_file='{secret_file}'\n")
    settings = config.load(path, environ={})
    assert settings.imap.password.get_secret_value() == "s3cret-from-file"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())

    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "imap_password").write_text("from-credential")
    path = write(tmp_path, "[imap]\nhost='h'\nuser='u'\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    settings = config.load(path, environ={})
    assert settings.imap.password.get_secret_value() == "from-credential"
    with caplog.at_level(logging.DEBUG):
        assert main(["--config", str(path), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "configuration OK" in out and "from-credential" not in out + caplog.text


def test_check_config_fails_with_exit_2_and_the_key(tmp_path, capsys):
    path = write(tmp_path, "[storage]\nmax_message_bytes = -1\n")
    assert main(["--config", str(path), "check-config"]) == 2
    assert "storage.max_message_bytes" in capsys.readouterr().err


def test_init_writes_a_config_that_loads(tmp_path, capsys):
    target = tmp_path / "new.toml"
    assert main(["init", str(target)]) == 0
    assert config.load(target, environ={}).desk.name == "Complaint Desk"
    assert "#" in target.read_text()
    assert main(["init", str(target)]) == 1

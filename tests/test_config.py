"""Configuration: file plus environment, clear errors naming the key, secrets never shown."""

from __future__ import annotations

import logging
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

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


def _model_keys(model: type[BaseModel], path: str = "") -> dict[str, set[str]]:
    """The keys of each section of the settings model: "" is the top, "departments.*" a table
    of tables, "feeds" an array of tables; a section's own sections are not among its keys."""
    keys: dict[str, set[str]] = {path: set()}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        inner = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
        child = inner[-1]
        if isinstance(child, type) and issubclass(child, BaseModel):
            nested = f"{path}.{name}".lstrip(".") + (".*" if origin is dict else "")
            keys.update(_model_keys(child, nested))
        else:
            keys[path].add(name)
    return keys


SECTION = re.compile(r"^#?\s*\[\[?([\w.]+)\]\]?\s*(#.*)?$")
KEY = re.compile(r"^#?\s*(\w+)\s*=")
ANY_KEY = re.compile(r"(\w+)\s*=")
ENV = re.compile(r"COMPLAINTD_([A-Z]+)__([A-Z_]+)")


def _example_keys(text: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The keys written (commented out or not) at the start of a line in each section of the
    example, plus those an environment variable names; and every ``name =`` in a section's
    lines, inline tables included."""
    written: dict[str, set[str]] = {"": set()}
    anywhere: dict[str, set[str]] = {"": set()}
    section = ""
    for line in text.splitlines():
        if match := SECTION.match(line):
            section = re.sub(r"^departments\.\w+$", "departments.*", match.group(1))
            written.setdefault(section, set())
            anywhere.setdefault(section, set())
            continue
        if match := KEY.match(line):
            written[section].add(match.group(1))
        anywhere[section].update(ANY_KEY.findall(line))
        for env_section, env_key in ENV.findall(line):
            written.setdefault(env_section.lower(), set()).add(env_key.lower())
    return written, anywhere


def test_init_writes_every_key_of_the_settings_and_no_other(tmp_path):
    """``complaintd init`` shows every key an admin can set, each in its section (a list of
    inline tables, like the report recipients, by name in its section), and no key that is
    not one."""
    target = tmp_path / "complaintd.toml"
    assert main(["init", str(target)]) == 0
    written, anywhere = _example_keys(target.read_text(encoding="utf-8"))
    model = _model_keys(config.Settings)
    missing = {}
    for section, names in model.items():
        parent, _, name = section.rpartition(".")
        if section in written or name not in written.get(parent, set()):
            shown = written.get(section, set())
        else:
            shown = anywhere[parent]  # written inline: recipients = [{ address = … }]
        if names - shown:
            missing[section or "(top)"] = sorted(names - shown)
    assert missing == {}, "keys the example of complaintd init does not show"
    children = {
        s: {c.rpartition(".")[2] for c in model if c.rpartition(".")[0] == s} for s in model
    }
    unknown = {
        section: sorted(names - model.get(section, set()) - children.get(section, set()))
        for section, names in written.items()
        if names - model.get(section, set()) - children.get(section, set())
    }
    assert unknown == {}, "keys in the example that the settings do not have"

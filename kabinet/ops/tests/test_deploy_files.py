"""deploy/: the environment file names every setting, and `check --deploy` with it is silent."""

import re
import socket
from pathlib import Path

from django.conf import settings

from kabinet.testing import deploy_check

ROOT = Path(settings.BASE_DIR)
ENV_FILE = ROOT / "deploy" / "kabinet.env"
SETTING = re.compile(r'(?:getenv|envint|envbool|envsecret)\(\s*"([A-Z0-9_]+)"')


def shipped() -> dict[str, str]:
    """NAME=value lines of the file; a commented-out `#NAME=value` is listed too (its default)."""
    values = {}
    for line in ENV_FILE.read_text("utf-8").splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values.setdefault(match.group(1), match.group(2))
    return values


def test_the_environment_file_lists_every_setting_with_its_meaning():
    read = set(SETTING.findall((ROOT / "kabinet" / "settings.py").read_text("utf-8")))
    listed = set(shipped())
    missing = {name for name in read if name not in listed and f"{name}_FILE" not in listed}
    assert not missing, f"settings read but not in deploy/kabinet.env: {sorted(missing)}"
    # Every group of settings stands under a comment that says what they mean.
    setting = re.compile(r"^#?[A-Z][A-Z0-9_]*=")
    lines = ENV_FILE.read_text("utf-8").splitlines()
    for i, line in enumerate(lines):
        if setting.match(line):
            above = i - 1
            while setting.match(lines[above]):
                above -= 1
            assert lines[above].startswith("# ") and not lines[above].startswith("# ==="), line


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


def test_check_deploy_with_the_shipped_environment_file_reports_nothing(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for name, value in shipped().items():
        env[name] = value.replace("/var/lib/kabinet", str(tmp_path / "var")).replace(
            "/srv/kabinet/static", str(tmp_path / "static")
        )
    # Secrets come from files, as on the server.
    for name, value in list(env.items()):
        if name.endswith("_FILE"):
            secret = tmp_path / "secrets" / Path(value).name
            secret.parent.mkdir(exist_ok=True)
            secret.write_text("s" * 10 + "-a-secret-made-for-the-test-" + "x9Q" * 10)
            env[name] = str(secret)
    # Only the lines that are not commented out are in force.
    in_force = {
        m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", ENV_FILE.read_text("utf-8"), re.MULTILINE)
    }
    env = {k: v for k, v in env.items() if k in in_force or k in ("PATH", "HOME")}
    if not redis_answers():
        env.pop("REDIS_URL")  # the deploy check asks Redis for its eviction policy
    result = deploy_check(env, fail_level="DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout

"""The README's first command: `python -m bot` without a token is a working sandbox chat."""

import os
import subprocess
import sys

from bot.config import PROJECT_ROOT


def test_sandbox_runs_from_an_empty_folder(tmp_path):
    script = "\n".join(["/start", "#4", "#1", "#1", "/catalog", "#3", "#1", "/rates", ":quit", ""])
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Bot API emulator at http://127.0.0.1:" in out
    assert "Italiano" in out  # the language picker
    assert "Milano" in out  # Italian chosen (#4), then Italia (#1) and Milano (#1)
    assert "HS" in out  # a product card from the seeded demo catalogue
    assert "EUR" in out  # /rates: the sandbox user is an admin
    assert (tmp_path / "qingtian.db").exists()  # schema created and seeded on first run

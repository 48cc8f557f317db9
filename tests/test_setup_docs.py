"""The README's setup commands: each creates and uses a virtual environment (a fresh Debian
or Ubuntu refuses ``pip install`` into the system Python), and ``.ci/run`` runs exactly the
README's test command."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Setup", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_each_setup_command_creates_and_uses_a_virtual_environment():
    commands = _setup_commands()
    assert len(commands) == 2
    for command in commands:
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install ")
        assert "python3 -m pip" not in command and " pip install" not in command.replace(".venv/bin/pip "
                                                                                         "install", "")
    assert commands[0].endswith(".venv/bin/turaqty assess")
    assert commands[1].endswith(".venv/bin/python -m pytest")


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [line.strip() for line in ci.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert steps[-1] == _setup_commands()[1]
    assert "pytest" not in "\n".join(steps[:-1])

"""Build the book without exercise solutions (for handing out): `make book-nosolutions`.

sphinx-exercise removes every solution when ``hide_solutions`` is true; this writes a copy of
``_config.yml`` with that switch set and builds into ``_build/nosolutions``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_build" / "nosolutions"


def main() -> int:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["config"]["hide_solutions"] = True
    config["title"] = config["title"] + " (exercises without solutions)"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.call([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going",
                            "--config", str(OUTPUT / "_config.yml"), "--path-output", str(OUTPUT)])


if __name__ == "__main__":
    sys.exit(main())

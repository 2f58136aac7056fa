"""lossbook installs on its own: its wheel works in a fresh virtual environment outside the tree.

One test, in steps, because each step needs the previous one (issue 15, "installable on its own";
issue 17, "test the install cell for real"):

1. ``python -m build --wheel`` on a copy of the package (so the checkout gets no ``build/``);
2. a fresh ``venv`` in a temporary directory without lossbook, which sees the book's other
   installed packages (pip, numpy, sympy, ...) through a filtered view (see
   :func:`share_third_party_packages`);
3. a chapter's hidden install cell, run there with ``LOSSBOOK_REQUIREMENT=<the wheel>``: lossbook
   was missing before and is importable after, from the venv, with the wheel's version (pip
   checks its dependencies against the shared packages);
4. the first docstring example of each public module, run as a doctest;
5. the chapter's imports-only cell and set-up cell.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nb as nbtool  # noqa: E402

pytestmark = pytest.mark.slow
CHAPTER = ROOT / "book" / "_src" / "00-how-to-read.py"
MODULES = ("functional", "gradients", "info", "calibration", "symbolic", "plotting")
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "lossbook")
# Modules a chapter may import that lossbook does not depend on: pip name, pinned as the book pins.
EXTRA_DISTRIBUTIONS = {"scipy": "scipy", "IPython": "ipython", "mpmath": "mpmath"}

# Runs inside the fresh venv: the first example of each module's first documented public function,
# checked like pytest's doctests (NORMALIZE_WHITESPACE and NUMBER: a float matches to the precision
# the example writes).
DOCTEST_DRIVER = r"""
import doctest, importlib, json, re, sys

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


class NumberChecker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        if super().check_output(want, got, optionflags):
            return True
        wants, gots = NUMBER.findall(want), NUMBER.findall(got)
        if len(wants) != len(gots) or NUMBER.sub("#", want).split() != NUMBER.sub("#", got).split():
            return False
        for w, g in zip(wants, gots):
            places = len(w.split(".")[1].split("e")[0].split("E")[0]) if "." in w else 0
            if abs(float(w) - float(g)) > 0.5 * 10.0 ** -places + 1e-300:
                return False
        return True


results = {}
for name in sys.argv[1:]:
    module = importlib.import_module(f"lossbook.{name}")
    public = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    finder = doctest.DocTestFinder(recurse=False)
    own = [n for n in public
           if getattr(getattr(module, n), "__module__", "").startswith("lossbook")]
    tests = [t for n in own for t in finder.find(getattr(module, n), f"lossbook.{name}.{n}")
             if t.examples]
    runner = doctest.DocTestRunner(checker=NumberChecker(),
                                   optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    outcome = runner.run(tests[0])
    results[name] = [tests[0].name, outcome.attempted, outcome.failed]
print(json.dumps(results))
"""


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def chapter_opening(path: Path) -> tuple[str, str, str]:
    """The install cell, the imports-only cell and the set-up cell of a chapter source."""
    cells = [c for c in nbtool.read_source(path).cells if c.cell_type == "code"]
    install = next(i for i, c in enumerate(cells) if "LOSSBOOK_REQUIREMENT" in c.source)
    assert "remove-cell" in cells[install].metadata.get("tags", []), "the install cell is hidden"
    return cells[install].source, cells[install + 1].source, cells[install + 2].source


def share_third_party_packages(venv: Path, view: Path) -> None:
    """Let ``venv`` see the book environment's installed packages, lossbook excepted.

    ``view`` gets a symbolic link to every entry of the book's site-packages except lossbook's
    own (its editable-install hooks and metadata) and the ``.pth`` files; a ``.pth`` file in the
    venv puts ``view`` on its path. pip then finds numpy, sympy, matplotlib and pip itself
    already installed and resolves the wheel's dependencies against them, instead of unpacking
    some 200 MB again (over a minute on two busy cores); lossbook stays missing until the install
    cell installs the wheel into the venv's own site-packages.
    """
    import sysconfig

    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.suffix == ".pth" or "lossbook" in entry.name.lower():
            continue
        (view / entry.name).symlink_to(entry)
    site_packages = run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ]
    ).stdout.strip()
    Path(site_packages, "book-packages.pth").write_text(f"{view}\n")


def pinned(distribution: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if re.match(rf"{re.escape(distribution)}==", line, re.I):
            return line.strip()
    return distribution


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGE_FILES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name)
    for cache in source.rglob("__pycache__"):
        shutil.rmtree(cache)
    dist = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend (setuptools) comes from the book's own environment.
    run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(source),
        ]
    )
    (path,) = dist.glob("lossbook-*.whl")
    return path


def test_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    import lossbook

    assert wheel.name.startswith(f"lossbook-{lossbook.__version__}-py3-none-any")
    names = zipfile.ZipFile(wheel).namelist()
    for module in MODULES:
        assert any(re.fullmatch(rf"lossbook/{module}(\.py|/__init__\.py)", n) for n in names), (
            module
        )

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = str(venv / "bin" / "python")
    share_third_party_packages(venv, tmp_path / "book-packages")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # PIP_NO_COMPILE: no .pyc for sympy's thousands of files, about half of the install time.
    env.update(LOSSBOOK_REQUIREMENT=str(wheel), MPLBACKEND="Agg", PIP_NO_COMPILE="1")
    outside = {"cwd": tmp_path, "env": env}

    def has_lossbook() -> bool:
        probe = "import importlib.util; print(importlib.util.find_spec('lossbook') is not None)"
        return run([python, "-c", probe], **outside).stdout.strip() == "True"

    install, imports, setup = chapter_opening(CHAPTER)
    assert not has_lossbook(), "the fresh venv must lack lossbook before the install cell"
    run([python, "-c", install], **outside)
    assert has_lossbook(), "the install cell did not install lossbook"
    where = run(
        [python, "-c", "import lossbook; print(lossbook.__version__, lossbook.__file__)"], **outside
    ).stdout.split()
    assert where[0] == lossbook.__version__
    assert Path(where[1]).is_relative_to(venv), f"lossbook imported from {where[1]}, not the venv"

    results = json.loads(run([python, "-c", DOCTEST_DRIVER, *MODULES], **outside).stdout)
    assert sorted(results) == sorted(MODULES)
    for name, attempted, failed in results.values():
        assert attempted >= 1 and failed == 0, f"{name}: {failed} of {attempted} examples failed"

    imported = {
        (alias.name if isinstance(node, ast.Import) else node.module).split(".")[0]
        for node in ast.parse(imports).body
        for alias in node.names
    }
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.parse(imports).body)
    extras = sorted(pinned(EXTRA_DISTRIBUTIONS[m]) for m in imported if m in EXTRA_DISTRIBUTIONS)
    if extras:
        run([python, "-m", "pip", "install", "--quiet", *extras], **outside)
    run([python, "-c", imports + "\n" + setup], **outside)

"""Every code example of the docs runs: ``>>>`` examples of docs/**/*.rst (doctest),
``.. code-block:: python`` blocks of the .rst pages and the ```` ```python ```` blocks of
README.md (executed in order, one namespace per file). Each file runs in a temporary
working directory, so files the examples write do not land in the repository; ``DOCS``
(the docs/ directory) is defined for pages that read files next to them. A page that
sets ``XLA_FLAGS`` (to simulate devices) runs in a fresh process, since JAX fixes its
devices when it starts."""

import doctest
import glob
import logging
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
PAGES = sorted(
    os.path.relpath(p, ROOT)
    for p in glob.glob(os.path.join(DOCS, "**", "*.rst"), recursive=True)
    if "_build" not in p and "_autosummary" not in p
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def python_blocks(text: str, markdown: bool) -> list[str]:
    """The Python code blocks of an .rst page (``.. code-block:: python``) or of Markdown."""
    if markdown:
        return [m.group(1) for m in re.finditer(r"```python\n(.*?)```", text, re.S)]
    blocks = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*\.\. code-block:: python\s*$", line):
            indent = len(line) - len(line.lstrip())
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt)
            code = textwrap.dedent("\n".join(body))
            code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(":"))
            blocks.append(code)
    return blocks


def _logger_settings() -> dict:
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    return {lg: (lg.disabled, lg.level) for lg in loggers}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """A temporary working directory; loggers a page silenced are restored afterwards
    (``est.logger.disabled = True`` on one page must not hide the next page's output)."""
    monkeypatch.chdir(tmp_path)
    saved = _logger_settings()
    yield tmp_path
    for lg, (disabled, level) in saved.items():
        lg.disabled, lg.level = disabled, level
    for lg in set(_logger_settings()) - set(saved):
        lg.disabled = False


# Runs one page in a fresh interpreter with the test suite's strict JAX settings.
_RUNNER = """
import doctest, sys, jax
jax.config.update("jax_numpy_rank_promotion", "raise")
r = doctest.testfile(sys.argv[1], module_relative=False, optionflags={flags},
                     globs={{"__name__": "__docs__", "DOCS": sys.argv[2]}})
sys.exit(1 if r.failed else 0)
"""


def _run_in_subprocess(path: str, cwd: str) -> None:
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", _RUNNER.format(flags=FLAGS), path, DOCS],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, in_tmp):
    path = os.path.join(ROOT, page)
    with open(path) as f:
        text = f.read()
    if re.search(r'^>>> os\.environ\["XLA_FLAGS"\]', text, re.M):
        _run_in_subprocess(path, str(in_tmp))
        return
    namespace: dict = {"__name__": "__docs__", "DOCS": DOCS}
    for code in python_blocks(text, markdown=False):
        exec(compile(code, f"{page} (code-block)", "exec"), namespace)
    result = doctest.testfile(
        path, module_relative=False, optionflags=FLAGS, globs=namespace, verbose=False,
        report=True, raise_on_error=False,
    )  # fmt: skip
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {page} failed"


def test_readme_python_blocks_run(in_tmp):
    with open(os.path.join(ROOT, "README.md")) as f:
        blocks = python_blocks(f.read(), markdown=True)
    assert len(blocks) >= 3
    namespace: dict = {"__name__": "__readme__"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"README.md (python block {i})", "exec"), namespace)


def test_readme_links_the_guides():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    assert "docs/migration.rst" in text and "docs/compatibility.rst" in text


def test_code_block_extraction():
    page = ".. code-block:: python\n\n   x = 1\n   y = x + 1\n\nText\n"
    assert python_blocks(page, markdown=False) == ["\nx = 1\ny = x + 1"]
    assert python_blocks("a\n```python\nz = 2\n```\n", markdown=True) == ["z = 2\n"]

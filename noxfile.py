"""Nox sessions: tests over the supported JAX range, lint, doctest, docs."""

import nox

nox.options.sessions = ["tests", "lint", "doctest", "docs"]
nox.options.default_venv_backend = "venv"

# Oldest and newest JAX releases we support (keep in sync with pyproject.toml).
JAX_VERSIONS = ["0.6.2", "0.10.2"]


@nox.session
@nox.parametrize("jax", JAX_VERSIONS)
def tests(session: nox.Session, jax: str) -> None:
    """Runs the test suite against one JAX release."""
    session.install(".[test]", f"jax=={jax}", f"jaxlib=={jax}")
    session.run("python", "-m", "pytest", *session.posargs, env={"JAX_PLATFORMS": "cpu"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def doctest(session: nox.Session) -> None:
    """Runs every docstring example of the package."""
    session.install(".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--doctest-modules",
        "mxjax",
        env={"JAX_PLATFORMS": "cpu"},
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Builds the Sphinx docs with warnings as errors."""
    session.install(".[docs,all]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")

"""docs/compatibility.rst is generated from the code (tools/compat_table.py) and stays true."""

import importlib.util
import json
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = importlib.util.spec_from_file_location(
    "compat_table", os.path.join(ROOT, "tools", "compat_table.py")
)
compat_table = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(compat_table)


@pytest.fixture(scope="module")
def groups():
    return compat_table.statuses()


def _committed_rows():
    """(group, name, status) of every row of the committed page."""
    with open(compat_table.PAGE) as f:
        text = f.read()
    rows, group = [], None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\.\. _(mx[\w.]*):$", line)
        if m:
            group = m.group(1)
        m = re.match(r"^   \* - ``(.+)``$", line)
        if m and group is not None:
            rows.append((group, m.group(1), lines[i + 1].strip()[2:]))
    return rows


def test_committed_page_is_up_to_date(groups):
    with open(compat_table.NAMES) as f:
        version = json.load(f)["mxnet_version"]
    with open(compat_table.PAGE) as f:
        committed = f.read()
    assert committed == compat_table.render(groups, version), (
        "docs/compatibility.rst is stale (an MXNet name was added to or removed from mxjax, or "
        "docs/compat/notes.txt changed): run `python tools/compat_table.py` and commit the page"
    )


def test_every_supported_name_exists_in_mxjax():
    rows = _committed_rows()
    assert len(rows) > 1000  # every MXNet name of the committed list has a row
    missing = []
    for group, name, status in rows:
        if status not in (compat_table.SUPPORTED, compat_table.PARTIAL):
            continue
        if group.count(".") and group.rpartition(".")[2][:1].isupper():  # a class group
            cls, instance = compat_table._resolve_class(group)
            found = cls is not None and (hasattr(cls, name) or hasattr(instance, name))
        else:
            module = compat_table._import(compat_table._mxjax_modules(group))
            found = module is not None and hasattr(module, name)
        if not found:
            missing.append(f"{group}.{name}")
    assert not missing, f"listed as supported but missing from mxjax: {missing}"


def test_the_list_covers_the_namespaces_the_issue_names():
    with open(compat_table.NAMES) as f:
        data = json.load(f)
    assert data["mxnet_version"] == "1.9.1"
    names = {g["name"]: set(g["names"]) for g in data["groups"]}
    for ns in ["mx.nd", "mx.autograd", "mx.gluon.nn", "mx.gluon.rnn", "mx.gluon.loss",
               "mx.gluon.data", "mx.gluon.data.vision.transforms", "mx.gluon.utils",
               "mx.gluon.model_zoo.vision", "mx.gluon.contrib.nn", "mx.gluon.contrib.estimator",
               "mx.sym", "mx.mod", "mx.io", "mx.optimizer", "mx.lr_scheduler", "mx.metric",
               "mx.init", "mx.recordio", "mx.contrib.amp", "mx.gluon.Trainer",
               "mx.gluon.Block", "mx.gluon.Parameter"]:  # fmt: skip
        assert names.get(ns), ns
    assert {"Dense", "Conv2D", "BatchNorm", "HybridSequential"} <= names["mx.gluon.nn"]
    assert {"record", "backward", "pause"} <= names["mx.autograd"]
    assert {"step", "save_states", "load_states"} <= names["mx.gluon.Trainer"]


def test_statuses_follow_the_code_and_the_notes(groups):
    status = {(g["name"], n): (s, note) for g in groups for n, s, note in g["rows"]}
    assert status[("mx.gluon.nn", "Dense")] == (compat_table.SUPPORTED, "")
    assert status[("mx.gluon", "HybridBlock")][1] == ""  # supported: no "why missing" note
    assert status[("mx.gluon.nn", "SELU")][0] == compat_table.PARTIAL
    assert "MXNet 1.9.1" in status[("mx.gluon.nn", "SELU")][1]
    assert status[("mx.optimizer", "NDabs")][0] == compat_table.NOT_YET
    assert "internal" in status[("mx.optimizer", "NDabs")][1]


def test_notes_file_parses_and_rejects_bad_lines(tmp_path):
    notes = compat_table.read_notes()
    assert all(status in ("", compat_table.PARTIAL) for _, status, _ in notes)
    bad = tmp_path / "notes.txt"
    bad.write_text("mx.nd.foo | maybe | a note\n")
    with pytest.raises(ValueError, match="notes.txt:1"):
        compat_table.read_notes(str(bad))


def test_partial_notes_name_things_mxjax_has(groups):
    # a "partial" note on a name mxjax lacks is stale: the name is "not yet" instead
    exact = {p for p, s, _ in compat_table.read_notes() if s == compat_table.PARTIAL}
    exact = {p for p in exact if not any(c in p for c in "*?[")}
    have = {f"{g['name']}.{n}" for g in groups for n, s, _ in g["rows"] if s != "not yet"}
    assert exact <= have, sorted(exact - have)

"""The user's own points in a link (pts) and in the downloaded setup: encoded, bounded, read back."""
import json

import numpy as np
import pytest

from ui.mlp import points
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings


def test_added_points_and_an_own_set_survive_the_link():
    added = [(1.0, -2.05, 1.0), (-6.0, 6.0, -1.0)]
    text = points.encode(None, added, 2)
    assert text.startswith("a") and len(text) == 1 + 4 * len(added)
    assert points.decode(text, 2) == (None, added)
    xy = np.array([[0.5, 0.5], [-1.0, 2.0], [3.0, -3.0], [0.0, 0.0]])
    own, more = points.decode(points.encode((xy, np.array([0, 1, 2, 1.0])), [(2.0, 2.0, 2.0)], 3), 3)
    np.testing.assert_allclose(own[0], xy) and np.testing.assert_array_equal(own[1], [0, 1, 2, 1])
    assert more == [(2.0, 2.0, 2.0)]
    values = np.array([-1.0, -0.5, 0.26, 1.0])              # a regression: values in 0.02 steps
    own, _ = points.decode(points.encode((xy, values), [], 0), 0)
    np.testing.assert_allclose(own[1], [-1.0, -0.5, 0.26, 1.0])


def test_a_link_holds_a_bounded_number_of_points():
    many = [(0.0, 0.0, 1.0)] * (points.LINK_MAX_POINTS + 1)
    assert points.encode(None, many, 2) is None and points.encode(None, [], 2) is None
    assert len(points.encode(None, many[:-1], 2)) == 1 + 4 * points.LINK_MAX_POINTS


@pytest.mark.parametrize("text, reason", [
    ("", "does not start"), ("x" + "AAAA", "does not start"), ("aAAA", "does not start"),
    ("aAAAA=", "whole number"), ("a<script>", "whole number"), ("a////", "whole number"),
    ("a" + "AAAA" * 301, "at most 300"), ("a____", "outside the plane"), ("aAAAC", "fit 2 classes"),
    ("aAAAA", "marked as added"), ("oAACA", "at least 4 points"),
])
def test_a_bad_pts_value_is_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        points.decode(text, 2)


def test_labels_must_fit_the_problem():
    text = points.encode(None, [(0.0, 0.0, 2.0)], 3)
    with pytest.raises(ValueError, match="fit 2 classes"):
        points.decode(text, 2)


def test_the_run_trains_on_the_points_and_the_setup_holds_them():
    run = MlpRun(MlpSettings())
    generated = len(run.train_xy)
    run.add_point(1.0, 1.0, -1.0)
    assert len(run.train_xy) == generated + 1 and run.custom
    setup = json.loads(run.setup_json("http://x/mlp?lr=0.3&pts=abc"))
    assert setup["points"] == {"own": None, "added": [[1.0, 1.0, -1.0]]}
    settings, own, added, notes = points.read_setup(json.dumps(setup).encode(), MlpSettings)
    assert settings.lr == 0.3 and own is None and added == [(1.0, 1.0, -1.0)] and notes == []
    xy = np.random.default_rng(0).uniform(-5, 5, (40, 2))
    run.use_points(xy, np.where(xy[:, 0] > 0, 1.0, -1.0))
    assert len(run.train_xy) + len(run.test_xy) == 40 and not run.added
    run.update(run.settings.with_(train_pct=80))              # the split follows the training share
    assert len(run.train_xy) == 32
    own = json.loads(run.setup_json())["points"]["own"]
    assert len(own) == 40
    run.forget_points()
    assert len(run.train_xy) == 400 and not run.custom


@pytest.mark.parametrize("setup, reason", [
    (b"\\xff", "not a setup"), (b"[1, 2]", "no link"), (b'{"link": 5}', "no link"),
    (json.dumps({"link": "", "points": {"added": [[1, 2]]}}).encode(), "finite numbers"),
    (json.dumps({"link": "", "points": {"added": [[9, 2, 1]]}}).encode(), "outside the plane"),
    (json.dumps({"link": "", "points": {"added": [[1, 2, 0.5]]}}).encode(), "fit 2 classes"),
    (json.dumps({"link": "", "points": {"added": [[1, 2, 1]] * 2001}}).encode(), "at most 2000"),
    (json.dumps({"link": "", "points": {"own": [[1, 2, 1]]}}).encode(), "fewer than 4"),
    (b" " * (600 * 1024), "KB"),
])
def test_a_bad_setup_is_refused_with_a_reason(setup, reason):
    with pytest.raises(ValueError, match=reason):
        points.read_setup(setup, MlpSettings)


def test_a_setup_nested_past_pythons_limit_is_refused_with_a_reason():
    """JSON nested deeper than Python's recursion limit made json.loads raise RecursionError, which
    the upload's ValueError path did not catch."""
    for setup in (b"[" * 100_000, b'{"link": "", "points": ' + b"[" * 5000 + b"]" * 5000 + b"}"):
        with pytest.raises(ValueError, match="not a setup"):
            points.read_setup(setup, MlpSettings)

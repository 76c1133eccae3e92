"""2-D data sets: shapes, balance, noise, split, features."""
import numpy as np
import pytest

from engine.data import DATASETS, FEATURES, Plane, featurize, make_2d, split


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shapes_range_and_seed(name):
    pts, labels = make_2d(name, 300, 0.2, seed=3)
    assert pts.shape == (300, 2) and labels.shape == (300,)
    assert np.isfinite(pts).all() and np.abs(pts).max() < 12
    again, _ = make_2d(name, 300, 0.2, seed=3)
    np.testing.assert_array_equal(pts, again)
    other, _ = make_2d(name, 300, 0.2, seed=4)
    assert not np.array_equal(pts, other)
    kind = DATASETS[name].kind
    if kind == "binary":
        assert set(np.unique(labels)) <= {-1.0, 1.0}
    elif kind == "multiclass":
        np.testing.assert_array_equal(np.bincount(labels.astype(int)), [100, 100, 100])
    else:
        assert -1.5 <= labels.min() and labels.max() <= 1.5


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
def test_balanced_classes_without_noise(name):
    _, labels = make_2d(name, 400, 0.0, seed=0)
    assert (labels == 1).sum() == 200


@pytest.mark.parametrize("name", ["circle", "xor", "checkerboard"])
def test_noise_flips_labels_near_boundaries(name):
    clean_pts, clean = make_2d(name, 2000, 0.0, seed=0)
    noisy_pts, noisy = make_2d(name, 2000, 0.5, seed=0)
    # without noise the label is a function of the point itself
    if name == "xor":
        np.testing.assert_array_equal(clean, np.where(clean_pts[:, 0] * clean_pts[:, 1] >= 0, 1, -1))
    truth = {"circle": lambda p: np.where(np.hypot(*p.T) < 2.5, 1, -1),
             "xor": lambda p: np.where(p[:, 0] * p[:, 1] >= 0, 1, -1),
             "checkerboard": lambda p: np.where(np.floor(p / 3).astype(int).sum(1) % 2 == 0, 1, -1)}[name]
    assert (truth(clean_pts) == clean).mean() == 1.0
    assert 0.05 < (truth(noisy_pts) != noisy).mean() < 0.5


def test_gauss_noise_widens_the_clusters():
    narrow, _ = make_2d("gauss", 4000, 0.0, seed=0)
    wide, _ = make_2d("gauss", 4000, 0.5, seed=0)
    assert narrow[:2000].std() == pytest.approx(np.sqrt(0.5), rel=0.1)
    assert wide[:2000].std() == pytest.approx(2.0, rel=0.1)


def test_split_fraction_and_bad_values():
    pts, labels = make_2d("xor", 500, 0.0, seed=0)
    xtr, ytr, xte, yte = split(pts, labels, 0.3, seed=0)
    assert len(xtr) == 150 and len(xte) == 350
    together = np.concatenate([xtr, xte])
    assert sorted(map(tuple, together)) == sorted(map(tuple, pts))
    with pytest.raises(ValueError, match="train_fraction"):
        split(pts, labels, 0.95)
    with pytest.raises(ValueError, match="noise"):
        make_2d("xor", 10, 0.8)
    with pytest.raises(ValueError, match="data set must be one of"):
        make_2d("swirl", 10)


def test_features_and_plane():
    p = np.array([[1.0, 2.0], [-0.5, 3.0]])
    f = featurize(p, list(FEATURES))
    np.testing.assert_allclose(f[0], [1, 2, 1, 4, 2, np.sin(1), np.sin(2)])
    with pytest.raises(ValueError, match="features"):
        featurize(p, ["x3"])
    plane = Plane(features=("x1", "x1_x2"), resolution=5)
    assert plane.inputs().shape == (25, 2)
    assert plane.points()[0].tolist() == [-6.0, -6.0] and plane.points()[-1].tolist() == [6.0, 6.0]

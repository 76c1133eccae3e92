"""The autoencoder page's pure views: grouping by label, the plane's projection, errors, encodings."""
import base64

import numpy as np
import pytest

from viz import autoencoder as ae


def brute_grouped(codes, labels, k=5):
    d = np.linalg.norm(codes[:, None] - codes[None], axis=2)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :k]
    return float(((labels[nearest] == labels[:, None]).sum(axis=1) > k / 2).mean())


def test_grouping_is_exact_and_reads_the_labels_only_to_score():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 400)
    centres = np.array([[0, 0], [5, 0], [0, 5], [5, 5]])
    tight = centres[labels] + rng.normal(0, 0.3, (400, 2))
    loose = centres[labels] + rng.normal(0, 3.0, (400, 2))
    assert ae.grouped_by_label(tight, labels, queries=400) == pytest.approx(brute_grouped(tight, labels)) == 1.0
    assert ae.grouped_by_label(loose, labels, queries=400) == pytest.approx(brute_grouped(loose, labels))
    assert ae.grouped_by_label(loose, labels, queries=400) < 0.8
    assert ae.grouped_by_label(rng.normal(size=(400, 2)), labels, queries=400) < 0.35


def test_the_plane_is_the_code_or_its_first_two_principal_components():
    rng = np.random.default_rng(1)
    two = rng.normal(size=(50, 2))
    p = ae.Projection(two)
    assert not p.principal and np.allclose(p(two), two) and np.allclose(p.back(two[:3]), two[:3])
    many = rng.normal(size=(300, 6)) * np.array([5, 3, 0.1, 0.1, 0.1, 0.1])
    p = ae.Projection(many)
    plane = p(many)
    assert p.principal and plane.shape == (300, 2) and p.explained > 0.99
    assert np.allclose(np.abs(p.axes[:2]), np.eye(2), atol=0.1)             # along the two wide units
    assert np.allclose(p(p.back(plane[:5])), plane[:5])


def test_errors_are_the_losses_per_image():
    rng = np.random.default_rng(2)
    y = rng.random((3, 10))
    z = rng.normal(size=(3, 10))
    p = 1 / (1 + np.exp(-z))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=1)
    assert np.allclose(ae.pixel_errors("binary_crossentropy", y, z), bce, rtol=1e-5)
    assert np.allclose(ae.pixel_errors("mse", y, p), ((p - y) ** 2).mean(axis=1), rtol=1e-5)


def test_points_travel_as_uint16_over_the_extent():
    points = np.array([[-1.0, 2.0], [1.0, 4.0], [0.0, 3.0]])
    extent = ae.plane_range(points)
    q = np.frombuffer(base64.b64decode(ae.points_bytes(points, extent)), "<u2").reshape(-1, 2)
    back = np.array([extent[0], extent[2]]) + q / 65535 * np.array([extent[1] - extent[0], extent[3] - extent[2]])
    assert np.allclose(back, points, atol=1e-3)
    assert extent[0] < -1 and extent[1] > 1 and extent[2] < 2 and extent[3] > 4


def test_grid_points_cover_the_plane_row_by_row_from_the_top():
    g = ae.grid_points([0, 4, 0, 2], 2)
    assert g.tolist() == [[1, 1.5], [3, 1.5], [1, 0.5], [3, 0.5]]

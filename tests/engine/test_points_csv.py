"""The user's CSV of points: good files load, bad ones say exactly what is wrong."""
import numpy as np
import pytest

from engine.data.points_csv import read_points_csv


def csv(text):
    return text.encode()


def test_good_file():
    pts, labels, notes = read_points_csv(csv("x1,x2,label\n1,2,1\n-1,0.5,-1\n0,0,1\n3,-2,-1\n"))
    assert pts.shape == (4, 2) and labels.tolist() == [1, -1, 1, -1] and notes == []


def test_columns_in_any_order_and_case_and_rescaling():
    pts, labels, notes = read_points_csv(csv("Label, X2 ,x1\n0,20,1\n1,-10,2\n0,0,3\n1,5,4\n"))
    assert pts[0].tolist() == pytest.approx([1 * 5.7 / 20, 20 * 5.7 / 20])
    assert labels.tolist() == [-1, 1, -1, 1]
    assert any("scaled" in n for n in notes) and any("blue (+1)" in n for n in notes)


@pytest.mark.parametrize("text, message", [
    ("a,b,c\n1,2,3\n", "missing column(s) x1, x2, label"),
    ("x1,x2\n1,2\n", "missing column(s) label"),
    ("x1,x2,label\n1,2,1\n1,abc,1\n1,1,1\n2,2,-1\n", "row 3: x2 = 'abc' is not a number"),
    ("x1,x2,label\n1,2,1\nnan,1,1\n1,1,1\n2,2,-1\n", "row 3: x1 is nan"),
    ("x1,x2,label\n1,2,1\n1,inf,1\n1,1,1\n2,2,-1\n", "row 3: x2 is inf"),
    ("x1,x2,label\n1,2,1\n1,2\n1,1,1\n2,2,-1\n", "row 3: expected 3 values"),
    ("x1,x2,label\n1,2,1\n", "at least 4 are needed"),
    ("x1,x2,label\n" + "1,2,1\n" * 2001, "at most 2000"),
    ("x1,x2,label\n1,2,1\n1,2,2\n1,1,3\n2,2,4\n", "2 or 3 label values, found 4"),
    ("", "the file is empty"),
])
def test_bad_files_are_refused_clearly(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_points_csv(csv(text))


def test_binary_and_huge_files():
    with pytest.raises(ValueError, match="not UTF-8"):
        read_points_csv(b"\xff\xfe\x00x1")
    with pytest.raises(ValueError, match="limit is 256 KB"):
        read_points_csv(b"x" * (300 * 1024))


def test_regression_labels_are_scaled():
    pts, labels, notes = read_points_csv(csv("x1,x2,label\n1,2,10\n1,1,-5\n0,0,0\n2,2,2\n"), regression=True)
    assert np.abs(labels).max() == 1 and any("divided by 10" in n for n in notes)


def test_three_classes():
    pts, labels, notes = read_points_csv(csv("x1,x2,label\n1,2,0\n-1,0.5,1\n0,0,2\n3,-2,1\n"))
    assert labels.tolist() == [0, 1, 2, 1] and not any("classes" in n for n in notes)
    pts, labels, notes = read_points_csv(csv("x1,x2,label\n1,2,5\n-1,0.5,7\n0,0,9\n3,-2,5\n"))
    assert labels.tolist() == [0, 1, 2, 0] and any("labels 5, 7 and 9 are classes 0, 1 and 2" in n for n in notes)


def test_points_in_a_small_square_fill_the_plane():
    pts, _, notes = read_points_csv(csv("x1,x2,label\n1,0.5,1\n-1,-0.2,-1\n0.5,1,1\n-0.5,-1,-1\n"))
    assert np.abs(pts).max() == pytest.approx(5.7)
    assert pts[0].tolist() == pytest.approx([5.7, 2.85])
    assert any("fill the plane" in n and "±1" in n for n in notes)
    pts, _, notes = read_points_csv(csv("x1,x2,label\n4,0.5,1\n-1,-0.2,-1\n0.5,1,1\n-0.5,-1,-1\n"))
    assert pts[0].tolist() == [4, 0.5] and notes == []              # already spread over the plane

"""Built-in data sets (seeded, sized, split) and CSV uploads, hostile ones included: each bad
file gives one message that says what is wrong, and a good file round-trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expnet.datasets import (
    BUILTINS,
    MAX_CSV_BYTES,
    DataError,
    builtins_for,
    check_targets,
    make_dataset,
    parse_csv,
)


@pytest.mark.parametrize("name", list(BUILTINS))
def test_builtins_are_seeded_sized_and_finite(name: str) -> None:
    b = BUILTINS[name]
    a = make_dataset(name, 123, 0.1, seed=5)
    again = make_dataset(name, 123, 0.1, seed=5)
    other = make_dataset(name, 123, 0.1, seed=6)
    assert a.X.shape == (123, b.inputs) and a.Y.shape == (123, 1)
    assert np.array_equal(a.X, again.X) and np.array_equal(a.Y, again.Y)
    assert not np.array_equal(a.X, other.X)
    assert np.all(np.isfinite(a.X)) and np.all(np.abs(a.X) < 5)
    if b.task == "classification":
        assert set(np.unique(a.Y)) == {0.0, 1.0}
        assert 0.3 < a.Y.mean() < 0.7  # both classes well represented
    if b.task == "counts":
        assert np.all(a.Y >= 0) and np.all(np.round(a.Y) == a.Y)


def test_xor_labels_follow_the_quadrants_without_noise() -> None:
    d = make_dataset("xor", 200, 0.0)
    assert np.array_equal(d.Y[:, 0], (d.X[:, 0] * d.X[:, 1] < 0).astype(float))


def test_multiclass_targets_are_one_hot() -> None:
    d = make_dataset("spiral", 90, 0.0, outputs=3)
    assert d.Y.shape == (90, 3)
    assert np.all(d.Y.sum(axis=1) == 1)
    assert np.bincount(d.labels).tolist() == [30, 30, 30]


def test_which_builtins_fit_which_network() -> None:
    assert builtins_for(1, 1) == ("sine",)
    assert set(builtins_for(2, 1)) == {
        "xor",
        "blobs",
        "circles",
        "spiral",
        "moons",
        "plane",
        "rates",
        "counts",
    }
    assert set(builtins_for(2, 3)) == {"blobs", "spiral"}
    assert builtins_for(3, 1) == ()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "nope"}, "unknown data set"),
        ({"name": "xor", "size": 9}, "from 10 to 500"),
        ({"name": "xor", "size": 501}, "from 10 to 500"),
        ({"name": "xor", "noise": float("nan")}, "noise"),
        ({"name": "sine", "outputs": 2}, "cannot give targets"),
    ],
)
def test_bad_builtin_requests_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        make_dataset(**kwargs)


def test_split_is_seeded_disjoint_and_complete() -> None:
    d = make_dataset("moons", 100, 0.0)
    train, test = d.split(0.2, seed=1)
    assert (train.size, test.size) == (80, 20)
    both = np.vstack([train.X, test.X])
    assert sorted(map(tuple, both)) == sorted(map(tuple, d.X))
    assert np.array_equal(d.split(0.2, seed=1)[1].X, test.X)
    assert d.split(0.0)[1].size == 0
    with pytest.raises(DataError):
        d.split(0.9)


def test_points_can_be_added_and_removed_but_not_the_last() -> None:
    d = make_dataset("xor", 10)
    bigger = d.with_point([0.5, 0.5], [1.0])
    assert bigger.size == 11 and bigger.Y[-1, 0] == 1.0
    assert bigger.without(10).size == 10
    one = d.take(np.array([0]))
    with pytest.raises(DataError, match="at least one point"):
        one.without(0)


def test_csv_round_trip_with_header() -> None:
    d = make_dataset("circles", 30, 0.05, seed=2)
    back = parse_csv(d.to_csv().encode(), 2, 1)
    np.testing.assert_array_equal(back.X, d.X)
    np.testing.assert_array_equal(back.Y, d.Y)
    assert back.task == "classification"


def test_csv_without_header_and_with_blank_lines() -> None:
    d = parse_csv(b"0.5,-0.5,1\n\n1,2,0.25\r\n", 2, 1)
    assert d.X.tolist() == [[0.5, -0.5], [1.0, 2.0]] and d.Y[:, 0].tolist() == [1.0, 0.25]
    assert d.task == "regression"


HOSTILE = {
    "empty": (b"", "the file is empty"),
    "only spaces": (b"  \n \n", "the file is empty"),
    "header only": (b"x1,x2,y\n", "header but no rows"),
    "huge": (b"1,2,3\n" * (MAX_CSV_BYTES // 6 + 10), "bytes; at most"),
    "text in numbers": (b"x1,x2,y\n1,2,3\n4,five,6\n", "row 3, column 2: 'five' is not a number"),
    "nan": (b"1,2,3\nnan,2,3\n", "row 2, column 1: 'nan' is not a finite number"),
    "inf": (b"1,2,inf\n", "'inf' is not a finite number"),
    "too large": (b"1,2,1e300\n", "too large"),
    "a million rows": (b"0,0,0\n" * 1_000_000, "bytes; at most"),
    "many short rows": (b"0,0,0\n" * 2_500, "2,500 rows; at most 2,000"),
    "wrong column count": (
        b"1,2,3\n1,2\n",
        "row 2 has 2 values; this network needs 3 values per row",
    ),
    "binary": (bytes(range(256)) * 4, "not a text file"),
    "latin-1": ("1,2,3\nx\xe9,1,1\n".encode("latin-1"), "not a UTF-8 text file"),
    "a field past the csv module's limit": (
        b"1,2," + b"1" * 131_073 + b"\n",
        "row 1: a value is longer than 131,072 characters",
    ),
    "utf-16 without a byte-order mark": (
        "x1,x2,y\n1,2,3\n".encode("utf-16-le"),
        "UTF-16 text without a byte-order mark; save it as UTF-8",
    ),
    "decimal commas": (b"0,5;1;1\n", "row 1, column 1: '0,5' has a decimal comma"),
    "numbers in a header": (
        b"x1,2,3\n1,2,3\n",
        "row 1, column 1: 'x1' is not a number (a header line has only names)",
    ),
    "very many columns": (b"0," * 60_000 + b"0\n", "row 1 has 60,001 values"),
    "a quote left open": (b'1,2,3\n"4,5,6\n', "row 2 has 1 values"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_csv_gives_one_clear_message(name: str) -> None:
    data, message = HOSTILE[name]
    with pytest.raises(DataError) as err:
        parse_csv(data, 2, 1)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "data",
    [
        b"0,0,1\r1,1,0\r",  # old Mac line endings
        b"0;0;1\n1;1;0\n",  # semicolons: no row of numbers is taken for a header
        b"0\t0\t1\n1\t1\t0\n",
        b"x1;x2;y\n0;0;1\n1;1;0\n",
        "0,0,1\n1,1,0\n".encode("utf-16"),  # with its byte-order mark
        "\ufeffx1,x2,y\r\n0,0,1\r\n1,1,0\r\n".encode("utf-16-be"),
        "\ufeff0,0,1\n1,1,0\n".encode("utf-8"),
        b"0,0,1\r\n1,1,0",
    ],
)
def test_other_legitimate_csv_files_give_the_same_points(data: bytes) -> None:
    d = parse_csv(data, 2, 1)
    assert d.X.tolist() == [[0.0, 0.0], [1.0, 1.0]] and d.Y[:, 0].tolist() == [1.0, 0.0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='01.,;\t\r\n "e-x\x00', max_size=40))
def test_any_text_gives_points_or_one_message(text: str) -> None:
    """Whatever the text, the reader's own errors never escape: points, or one DataError."""
    try:
        d = parse_csv(text, 2, 1)
    except DataError as err:
        assert "\n" not in str(err)
    else:
        assert d.X.shape[1] == 2 and np.all(np.isfinite(d.X))


def test_targets_outside_a_loss_are_named() -> None:
    d = make_dataset("plane", 20, 0.0)
    assert "binary_cross_entropy" in (check_targets(d, "binary_cross_entropy") or "")
    assert check_targets(d, "half_squared_error") is None
    assert check_targets(make_dataset("counts", 20), "poisson_nll") is None

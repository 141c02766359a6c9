"""The two pieces every gradient check rests on, against functions whose derivatives and
whose central-difference errors are known exactly."""
import numpy as np
import pytest

from teachnet.inspect.numerical import central_differences, relative_error

pytestmark = pytest.mark.backend_independent


def test_a_cubic_is_off_by_exactly_h_squared():
    """((x + h)³ - (x - h)³) / 2h = 3x² + h²: the truncation error, known to the digit."""
    x = np.array([[-1.5, 0.0, 0.3], [2.0, -0.7, 1.1]])
    h = 1e-2
    numeric = central_differences(lambda: float(np.sum(x ** 3)), x, step=h)
    np.testing.assert_allclose(numeric, 3 * x ** 2 + h ** 2, rtol=0, atol=1e-10)


def test_a_sine_is_off_by_the_factor_sin_h_over_h():
    """(sin(x + h) - sin(x - h)) / 2h = cos x · sin(h) / h ≈ cos x · (1 - h²/6)."""
    x = np.linspace(-3, 3, 7)
    h = 1e-2
    numeric = central_differences(lambda: float(np.sum(np.sin(x))), x, step=h)
    np.testing.assert_allclose(numeric, np.cos(x) * np.sin(h) / h, rtol=1e-9, atol=1e-12)
    assert np.max(np.abs(numeric - np.cos(x))) == pytest.approx(h ** 2 / 6, rel=1e-3)


def test_a_quadratic_with_cross_terms_is_exact():
    """L = (a·x)² + Σ x_i x_{i+1}: central differences are exact for quadratics, so only
    rounding separates them from dL/dx = 2(a·x) a + (x_{i-1} + x_{i+1})."""
    rng = np.random.default_rng(0)
    a, x = rng.standard_normal(5), rng.standard_normal(5)
    numeric = central_differences(lambda: float((a @ x) ** 2 + np.sum(x[:-1] * x[1:])), x, step=1e-3)
    neighbours = np.r_[0, x[:-1]] + np.r_[x[1:], 0]
    np.testing.assert_allclose(numeric, 2 * (a @ x) * a + neighbours, rtol=1e-9, atol=1e-10)


def test_the_array_is_restored_and_must_be_contiguous():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    central_differences(lambda: float(np.sum(x ** 2)), x)
    np.testing.assert_array_equal(x, before)
    with pytest.raises(ValueError, match='C-contiguous'):
        central_differences(lambda: 0.0, x.T)


@pytest.mark.parametrize('analytic, numeric, expected', [
    ([1.0, -2.0, 4.0], [1.0, -2.0, 4.0], 0.0),
    ([1.0, -2.0, 4.0], [1.0, -2.0, 4.04], 0.04 / 4.04),          # 1% off in the largest entry
    ([1.0, -2.0, 4.0], [1.01, -2.0, 4.0], 0.01 / 4.0),           # 1% off in a smaller one
    ([100.0, 0.001], [100.0, 0.002], 0.001 / 100.0),             # measured against the whole array
    ([1.0, -1.0], [-1.0, 1.0], 2.0),                             # the wrong sign
    ([0.0, 0.0], [0.0, 1e-3], 1.0),                              # a gradient that backward missed
    ([0.0, 0.0], [0.0, 0.0], 0.0),
    ([], [], 0.0),
], ids=['equal', 'largest_1pc', 'smaller_1pc', 'scale', 'sign', 'missed', 'zeros', 'empty'])
def test_relative_error_of_known_disagreements(analytic, numeric, expected):
    assert relative_error(np.array(analytic), np.array(numeric)) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert relative_error(np.array(numeric), np.array(analytic)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_relative_error_reads_arrays_of_any_shape():
    analytic = np.ones((2, 3, 4))
    numeric = analytic.copy()
    numeric[1, 2, 3] = 1.5
    assert relative_error(analytic, numeric) == pytest.approx(0.5 / 1.5)

"""Flatten, Reshape, Permute, RepeatVector: numbers moved around, checked against NumPy."""
import functools

import numpy as np
import pytest

from teachnet.inspect.gradient_check import gradient_check
from teachnet.layers import Dense, Flatten, Permute, RepeatVector, Reshape
from teachnet.models import Sequential

from .harness import layer_test


@pytest.mark.parametrize('input_shape', [(5,), (3, 4), (2, 3, 4), (3, 2, 2, 2)], ids=str)
def test_flatten(input_shape):
    size = int(np.prod(input_shape))
    layer_test(Flatten, input_shape, expected_output_shape=(size,),
               reference=lambda x, weights: np.stack([sample.ravel(order='C') for sample in x]))


def test_flatten_of_a_channels_first_image_keeps_channel_rows_cols_order():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float64).reshape(2, 3, 2, 2)   # (batch, channels, rows, cols)
    model = Sequential([Flatten(input_shape=(3, 2, 2))])
    flat = model.predict(x)
    for sample in range(2):
        for c in range(3):
            for r in range(2):
                for col in range(2):
                    assert flat[sample, c * 4 + r * 2 + col] == x[sample, c, r, col]


@pytest.mark.parametrize('input_shape, target_shape, expected', [
    ((12,), (3, 4), (3, 4)),
    ((12,), (-1, 3), (4, 3)),
    ((2, 6), (3, -1), (3, 4)),
    ((2, 3, 4), (-1,), (24,)),
    ((6, 2), (2, -1, 3), (2, 2, 3)),
], ids=str)
def test_reshape(input_shape, target_shape, expected):
    result = layer_test(functools.partial(Reshape, target_shape), input_shape, expected_output_shape=expected,
                        reference=lambda x, weights: x.reshape((len(x),) + expected))
    assert result.layer.get_config()['target_shape'] == tuple(target_shape)


@pytest.mark.parametrize('input_shape, target_shape', [((12,), (5, -1)), ((12,), (5, 2)), ((6,), (-1, 0))],
                         ids=str)
def test_reshape_that_cannot_fit_names_the_layer(input_shape, target_shape):
    with pytest.raises(ValueError, match='reshape_bad'):
        Sequential([Reshape(target_shape, input_shape=input_shape, name='reshape_bad')])


@pytest.mark.backend_independent
def test_reshape_with_two_unknowns_is_refused():
    with pytest.raises(ValueError, match='reshape_two'):
        Reshape((-1, -1), name='reshape_two')


@pytest.mark.parametrize('input_shape, dims', [
    ((3, 4), (2, 1)),
    ((3, 4), (1, 2)),
    ((2, 3, 4), (3, 1, 2)),
    ((2, 3, 4), (2, 3, 1)),
    ((2, 1, 3, 2), (4, 2, 1, 3)),
], ids=str)
def test_permute(input_shape, dims):
    def reference(x, weights):                  # output[n, i_1, ..., i_k] = x[n, ...] moved by dims
        out = np.empty((len(x),) + tuple(input_shape[d - 1] for d in dims))
        for index in np.ndindex(*out.shape):
            source = [0] * (len(dims) + 1)
            source[0] = index[0]
            for position, d in enumerate(dims):
                source[d] = index[position + 1]
            out[index] = x[tuple(source)]
        return out
    layer_test(functools.partial(Permute, dims), input_shape, reference=reference,
               expected_output_shape=tuple(input_shape[d - 1] for d in dims))


@pytest.mark.parametrize('dims, input_shape', [((0, 1), (3, 4)), ((1, 1), (3, 4)), ((1, 2, 3), (3, 4))], ids=str)
def test_bad_permutation_names_the_layer(dims, input_shape):
    with pytest.raises(ValueError, match='permute_bad'):
        Sequential([Permute(dims, input_shape=input_shape, name='permute_bad')])


@pytest.mark.parametrize('n, input_shape', [(1, (4,)), (3, (2,)), (5, (6,))], ids=str)
def test_repeat_vector(n, input_shape):
    def reference(x, weights):
        out = np.empty((len(x), n) + input_shape)
        for sample in range(len(x)):
            for copy in range(n):
                out[sample, copy] = x[sample]
        return out
    layer_test(functools.partial(RepeatVector, n), input_shape, reference=reference,
               expected_output_shape=(n,) + input_shape)


@pytest.mark.parametrize('n, bad', [(0, None), (2.5, None), (True, None), (2, (3, 4))], ids=str)
def test_repeat_vector_refuses_bad_settings(n, bad):
    with pytest.raises(ValueError, match='repeat_bad'):
        Sequential([RepeatVector(n, input_shape=bad or (3,), name='repeat_bad')])


@pytest.mark.parametrize('shape', [(2, 3, 4), (1, 5, 2), (3, 2, 2)], ids=str)
def test_the_caption_model_shapes(shape):
    """Dense -> RepeatVector -> Permute -> Flatten -> Reshape: shapes follow, gradients flow."""
    batch, steps, units = shape
    model = Sequential([Dense(units, input_dim=3), RepeatVector(steps), Permute((2, 1)), Flatten(),
                        Reshape((steps, units))])
    assert model.output_shape == (None, steps, units)
    model.compile(optimizer='sgd', loss='mse')
    x = np.random.default_rng(0).standard_normal((batch, 3))
    y = np.random.default_rng(1).standard_normal((batch, steps, units))
    before = model.get_weights()[0]
    model.train_on_batch(x, y)
    assert not np.allclose(before, model.get_weights()[0])
    assert gradient_check(model, x, y).passed

"""One harness that exercises every layer the same way, on the active backend.

``layer_test(factory, input_shape, reference=...)`` builds the layer the way a user does
(the only layer of a Sequential model, told its input shape) and then checks, in turn:

1. shapes: the declared ``output_shape`` (and ``compute_output_shape``) against the shape
   of the real output, for several batch sizes; the output lives on the active backend
   and has the float type ``floatx``;
2. forward: the output against ``reference(x, weights)``, plain NumPy written in the
   test, in test mode (training=False) and, unless the layer is random while training,
   in training mode too; once in float32 (loose tolerance) and once in float64 (tight);
3. gradients: dL/dx and dL/dθ for every parameter θ against central differences, in
   float64 (``teachnet.inspect.numerical.check_function`` and
   ``teachnet.inspect.gradient_check``), in test mode and, for a layer that is random
   while training (dropout), in training mode too, every evaluation drawing the same masks;
4. weights: ``set_weights`` then ``get_weights`` gives the new arrays back; a list of the
   wrong length or an array of the wrong shape is refused with a ValueError that names
   the layer, and leaves every weight as it was;
5. config: ``type(layer).from_config(layer.get_config())`` (``deserialize`` with the
   ``custom_objects`` when the layer holds a user's function) has the same config and,
   with the same weights, gives the same outputs; so does ``model_from_json(model.to_json())``;
6. trace: ``layer.trace(x)`` records this layer's steps, one backward step for each
   forward step, and the output of its last forward step is the layer's output; the
   input data is not changed in place.

``factory`` makes a new layer each time it is called; it is given the input shape as a
keyword argument (``input_shape=(4,)``), so a layer class itself, a
``functools.partial(Dense, 3)`` or ``lambda **kw: Dense(3, **kw)`` all do.
"""
import json
from types import SimpleNamespace

import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect.gradient_check import gradient_check
from teachnet.inspect.numerical import check_function
from teachnet.layers import deserialize
from teachnet.models import Sequential, model_from_json
from teachnet.ops.tape import no_tape
from teachnet.ops.tensor import Tensor

#: largest relative error max|a - n| / max(|a|, |n|) over an array accepted
#: (``teachnet.inspect.numerical.relative_error``): well above what rounding leaves in
#: float64, well below a wrong backward (the largest entry 1% off gives 1e-2).
GRADIENT_TOLERANCE = 1e-5
#: the finite-difference step: about (machine ε)^(1/3) balances truncation (∝ h²) and
#: rounding (∝ ε/h) errors in float64
GRADIENT_STEP = 1e-5


def layer_test(layer_factory, input_shape, reference=None, input_dtype='float64', expected_output_shape=None,
               check_gradients=True, deterministic=True, input_data=None, batch_sizes=(2, 3),
               custom_objects=None, seed=0, input_range=10):
    """Run the whole per-layer check list on a layer; see the module docstring.

    # Arguments
        layer_factory: called as ``layer_factory(input_shape=input_shape)``, returns a new layer.
        input_shape: the shape of one sample, without the batch axis.
        reference: ``reference(x, weights) -> array``, the expected output for the host
            float64 input ``x`` and the layer's weights (``get_weights()``), in plain NumPy.
        input_dtype: dtype of the random input data; integer types draw from
            ``range(input_range)`` and skip the input gradient.
        expected_output_shape: the output shape of one sample (no batch axis), if known.
        check_gradients: run the numerical gradient checks.
        deterministic: False for layers that are random while training (Dropout); then
            training mode is not compared with the reference, and its gradients are
            checked with the dropout masks held fixed.
        input_data: a host array to use instead of random data (its batch size is used).
        batch_sizes: batch sizes for the shape checks (the first one for everything else).
        custom_objects: passed to ``from_config`` / ``model_from_json`` (Lambda functions).

    # Returns
        A namespace with ``layer``, ``model``, ``x`` (host input) and ``output``
        (the host float32 output in test mode) for further checks in the test.
    """
    input_shape = tuple(input_shape)
    rng = np.random.default_rng(seed)
    layer = layer_factory(input_shape=input_shape)
    model = Sequential([layer])
    assert layer.built, f'{layer.name} was not built by Sequential.add'

    inputs = [input_data] if input_data is not None else \
        [_random_input(rng, (n,) + input_shape, input_dtype, input_range) for n in batch_sizes]
    outputs = [_check_shapes(layer, x, expected_output_shape) for x in inputs]
    x, output = inputs[0], outputs[0]
    integer_input = np.asarray(x).dtype.kind in 'iu'

    np.testing.assert_allclose(model.predict(x, batch_size=len(x)), output, rtol=1e-6, atol=1e-7,
                               err_msg='model.predict differs from the layer called on its own')
    if reference is not None:
        expected = reference(np.array(x, dtype=np.float64) if not integer_input else x.copy(),
                             [w.astype(np.float64) for w in layer.get_weights()])
        np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5,
                                   err_msg=f'{layer.name}: float32 forward differs from the reference')
        if deterministic:
            np.testing.assert_allclose(_forward(layer, x, training=True), expected, rtol=1e-5, atol=1e-5,
                                       err_msg=f'{layer.name}: training-mode forward differs from the reference')

    with float64():
        twin = _twin(layer_factory, input_shape, layer)
        output64 = _forward(twin, x, training=False)
        if reference is not None:
            np.testing.assert_allclose(output64, expected, rtol=1e-10, atol=1e-12,
                                       err_msg=f'{layer.name}: float64 forward differs from the reference')
        if check_gradients:
            _check_gradients(twin, x, integer_input)
            if not deterministic:
                _check_gradients(twin, x, integer_input, training=True)

    _check_weights_round_trip(layer, rng)
    _check_config_round_trip(layer, model, x, custom_objects)
    _check_trace(layer, x, training=deterministic)
    return SimpleNamespace(layer=layer, model=model, x=x, output=output)


# ----------------------------------------------------------------------------- pieces

class float64:
    """Context manager: build and run in float64 (for tight comparisons and gradient checks)."""

    def __enter__(self):
        self.saved = am.floatx()
        am.set_floatx('float64')

    def __exit__(self, *exc_info):
        am.set_floatx(self.saved)
        return False


def _random_input(rng, shape, dtype, input_range):
    if np.dtype(dtype).kind in 'iu':
        return rng.integers(0, input_range, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _forward(layer, x, training=False):
    """The layer's output for host ``x``, as a host array (no tape)."""
    with no_tape():
        output = layer(x, training)
    assert isinstance(output, Tensor), f'{layer.name} returned {type(output).__name__}, not a Tensor'
    assert am.is_device_array(output.data), f'{layer.name} returned an array off the active backend'
    return am.to_numpy(output.data)


def _check_shapes(layer, x, expected_output_shape):
    output = _forward(layer, x)
    batch = len(x)
    declared = tuple(layer.output_shape)
    assert declared[0] is None, f'{layer.name}: declared batch axis {declared[0]}, expected None'
    assert declared[1:] == output.shape[1:], \
        f'{layer.name}: declared output shape {declared}, real output {output.shape}'
    assert output.shape[0] == batch
    assert tuple(layer.compute_output_shape((batch,) + tuple(x.shape[1:]))) == output.shape
    if expected_output_shape is not None:
        assert output.shape[1:] == tuple(expected_output_shape)
    if np.asarray(x).dtype.kind == 'f':
        assert output.dtype == np.dtype(am.floatx()), f'{layer.name}: output dtype {output.dtype}'
    return output


def _twin(layer_factory, input_shape, layer):
    """The same layer built anew under the current floatx, with ``layer``'s weights."""
    twin = layer_factory(input_shape=input_shape)
    Sequential([twin])
    twin.set_weights(layer.get_weights())
    return twin


def _check_gradients(layer, x, integer_input, training=False):
    """dL/dx and dL/dθ, by backward and by central differences, L = Σ r ⊙ output; in
    training mode every evaluation of L draws the same dropout masks."""
    mode = 'training' if training else 'test'
    if not integer_input:
        with am.same_dropout_masks() as masks:
            [input_error] = check_function(masks.before_each_call(lambda t: layer(t, training)),
                                           np.array(x, dtype=np.float64), step=GRADIENT_STEP)
        assert input_error < GRADIENT_TOLERANCE, \
            f'{layer.name}: dL/dx relative error {input_error:.2e} in {mode} mode'
    report = gradient_check(layer, x, tolerance=GRADIENT_TOLERANCE, step=GRADIENT_STEP, training=training)
    assert [row['parameter'] for row in report.rows] == [p.name for p in layer.params]
    assert report.passed, f'{layer.name}: parameter gradients in {mode} mode\n{report}'


def _check_weights_round_trip(layer, rng):
    before = layer.get_weights()
    assert [w.shape for w in before] == [tuple(p.shape) for p in layer.params]
    assert all(isinstance(w, np.ndarray) for w in before), 'get_weights must return host NumPy arrays'
    new = [rng.standard_normal(w.shape).astype(w.dtype) for w in before]
    layer.set_weights(new)
    for got, wanted in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(got, wanted)
    assert all(am.is_device_array(p.data) for p in layer.params)

    wrong_count = new + [np.zeros(3)]
    with pytest.raises(ValueError, match=layer.name):
        layer.set_weights(wrong_count)
    if new:
        wrong_shape = [w + 1 for w in new[:-1]] + [np.zeros(new[-1].shape + (2,))]
        with pytest.raises(ValueError, match=layer.name):
            layer.set_weights(wrong_shape)
    for got, wanted in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(got, wanted, err_msg='a refused set_weights changed the weights')
    layer.set_weights(before)


def _normalised(config):
    """A config as it reads after a trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(config))


def _check_config_round_trip(layer, model, x, custom_objects):
    config = layer.get_config()
    assert 'name' in config and config['name'] == layer.name
    kwargs = {} if custom_objects is None else {'custom_objects': custom_objects}
    if custom_objects is None:
        copy = type(layer).from_config(config)
    else:                                   # the user's functions come back by name
        copy = deserialize({'class_name': type(layer).__name__, 'config': config}, custom_objects)
    assert type(copy) is type(layer)
    assert _normalised(copy.get_config()) == _normalised(config)
    copy.ensure_built(layer.input_shape)
    copy.set_weights(layer.get_weights())
    np.testing.assert_allclose(_forward(copy, x), _forward(layer, x), rtol=1e-6, atol=1e-7,
                               err_msg=f'{layer.name}: the layer rebuilt from its config computes otherwise')

    rebuilt = model_from_json(model.to_json(), **kwargs)
    assert [type(lay) for lay in rebuilt.layers] == [type(lay) for lay in model.layers]
    assert _normalised(rebuilt.get_config()) == _normalised(model.get_config())
    assert rebuilt.output_shape == model.output_shape
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x, batch_size=len(x)), model.predict(x, batch_size=len(x)),
                               rtol=1e-6, atol=1e-7,
                               err_msg=f'{layer.name}: model_from_json(model.to_json()) computes otherwise')


def _check_trace(layer, x, training):
    """``layer.trace`` (in training mode, its default, unless the layer is random then)."""
    untouched = np.array(x, copy=True)
    output = _forward(layer, x, training=False)
    trace = layer.trace(x, training=training)
    np.testing.assert_array_equal(x, untouched, err_msg=f'{layer.name} changed its input in place')
    forward = trace.forward
    if not forward:                       # nothing was computed: the layer passed x through
        np.testing.assert_allclose(output, np.asarray(x, dtype=output.dtype))
        return
    assert trace.layers() == [layer.name]
    np.testing.assert_allclose(forward[-1].output, output, rtol=1e-6, atol=1e-7,
                               err_msg=f'{layer.name}: the last traced step is not the layer output')
    assert len(trace.backward) == len(forward)
    assert all(step.op and step.formula for step in forward)

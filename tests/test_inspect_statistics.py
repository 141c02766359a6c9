"""teachnet.inspect.statistics and layer_outputs: the numbers agree with plain NumPy."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.inspect import activation_statistics, caught_outputs, model_layers, parameter_statistics, \
    snapshot_parameters
from teachnet.inspect.statistics import first_non_finite_output, layer_histograms, value_histogram
from teachnet.layers import Activation, Dense, Merge
from teachnet.models import Sequential
from teachnet.optimizers import SGD


def small_model():
    am.seed(1)
    model = Sequential([Dense(6, input_dim=4, activation='relu', name='dense_1'),
                        Dense(3, activation='tanh', name='dense_2'), Activation('softmax', name='activation_1')])
    model.compile(SGD(lr=0.1), 'categorical_crossentropy')
    rng = np.random.RandomState(0)
    x = rng.randn(20, 4).astype('float32')
    y = np.eye(3)[rng.randint(3, size=20)]
    return model, x, y


def test_parameter_statistics_equal_numpy_norms():
    model, x, y = small_model()
    before = [w.copy() for w in model.get_weights()]
    snapshot = snapshot_parameters(model)
    model.train_on_batch(x, y)
    stats = parameter_statistics(model, snapshot)
    assert list(stats) == ['dense_1', 'dense_2']
    offset = 0
    for layer in model.layers[:2]:
        weights = layer.get_weights()
        grads = [am.to_numpy(p.grad) for p in layer.params]
        old = before[offset: offset + len(weights)]
        offset += len(weights)
        norm = lambda arrays: np.sqrt(sum(np.sum(np.square(a.astype(float))) for a in arrays))  # noqa: E731
        assert stats[layer.name].weight_norm == pytest.approx(norm(weights), rel=1e-6)
        assert stats[layer.name].gradient_norm == pytest.approx(norm(grads), rel=1e-6)
        step = norm([w - o for w, o in zip(weights, old)])
        assert stats[layer.name].update_ratio == pytest.approx(step / norm(old), rel=1e-5)


def test_no_gradient_and_no_snapshot_give_nan():
    model, _, _ = small_model()
    stats = parameter_statistics(model)
    assert np.isnan(stats['dense_1'].gradient_norm) and np.isnan(stats['dense_1'].update_ratio)
    assert stats['dense_1'].weight_norm > 0


def test_activation_statistics_match_the_layer_outputs():
    model, x, _ = small_model()
    kernel, bias = model.layers[0].get_weights()
    kernel[:, :4] = -np.abs(kernel[:, :4])           # units 0..3: negative weights, negative bias ...
    bias[:4] = -10.0                                 # ... so they are 0 for every sample: dead
    model.layers[0].set_weights([kernel, bias])
    stats = activation_statistics(model, x)
    assert list(stats) == ['dense_1', 'dense_2', 'activation_1']
    hidden = np.maximum(0, x @ kernel + bias)
    assert stats['dense_1'].shape == (20, 6)
    assert stats['dense_1'].mean == pytest.approx(hidden.mean(), rel=1e-5)
    assert stats['dense_1'].std == pytest.approx(hidden.std(), rel=1e-4)
    assert stats['dense_1'].dead_fraction == pytest.approx(np.mean(np.all(hidden <= 0, axis=0)))
    assert stats['dense_1'].dead_fraction >= 4 / 6
    tanh = np.tanh(hidden @ model.layers[1].get_weights()[0] + model.layers[1].get_weights()[1])
    assert stats['dense_2'].saturated_fraction == pytest.approx(np.mean(np.abs(tanh) > 0.99))
    assert np.isnan(stats['activation_1'].dead_fraction) and stats['activation_1'].finite


def test_first_non_finite_output_names_where_nan_appears():
    model, x, _ = small_model()
    kernel, bias = model.layers[1].get_weights()
    kernel[0, 0] = np.nan
    model.layers[1].set_weights([kernel, bias])
    stats = activation_statistics(model, x)
    assert stats['dense_1'].finite and not stats['dense_2'].finite
    assert first_non_finite_output(stats) == 'dense_2'


def test_caught_outputs_leaves_the_layers_as_they_were():
    model, x, _ = small_model()
    seen = []
    with caught_outputs(model_layers(model), lambda layer, output: seen.append(layer.name)):
        model.predict(x[:2])
    assert seen == ['dense_1', 'dense_2', 'activation_1']
    assert all('call' not in vars(layer) for layer in model.layers)


@pytest.mark.backend_independent
def test_model_layers_lists_merge_branches_first():
    left = Sequential([Dense(2, input_dim=3, name='left_dense')])
    right = Sequential([Dense(2, input_dim=3, name='right_dense')])
    model = Sequential([Merge([left, right], mode='concat', name='joined'), Dense(1, name='out')])
    assert [layer.name for layer in model_layers(model)] == ['left_dense', 'right_dense', 'joined', 'out']


def test_histograms_count_every_finite_value():
    model, x, y = small_model()
    model.train_on_batch(x, y)
    found = layer_histograms(model.layers[0], bins=10)
    counts, edges = found['weights']
    assert counts.sum() == 4 * 6 + 6 and len(edges) == 11
    counts, _ = found['gradients']
    assert counts.sum() == 4 * 6 + 6
    xp = am.xp()
    counts, _ = value_histogram([am.to_device(np.array([1.0, np.nan, 2.0, np.inf]))], bins=4)
    assert counts.sum() == 2
    assert value_histogram([xp.zeros(0)])[0].size == 0
    counts, edges = value_histogram([am.to_device(np.arange(1000.0)), am.to_device(np.arange(500.0))],
                                    bins=5, max_values=300)
    assert counts.sum() == 300 and edges[0] == 0 and edges[-1] == 995       # every 5th value


def test_activation_statistics_take_a_dict_of_inputs_whole():
    """A dict by input name holds every sample of the probe: all of them are described."""
    from teachnet.layers import Input
    from teachnet.models import Model
    inputs = Input(shape=(4,), name='pixels')
    model = Model(inputs, Dense(3, name='scores')(inputs))
    x = np.random.default_rng(0).random((10, 4))
    by_name, as_array = activation_statistics(model, {'pixels': x})['scores'], activation_statistics(model, x)['scores']
    assert by_name.shape == as_array.shape == (10, 3)
    np.testing.assert_allclose([by_name.mean, by_name.std], [as_array.mean, as_array.std])


def test_a_snapshot_into_an_earlier_one_reuses_its_arrays_and_holds_the_new_values():
    model, x, y = small_model()
    first = snapshot_parameters(model)
    arrays = {key: array for key, array in first.items()}
    model.train_on_batch(x, y)
    second = snapshot_parameters(model, into=first)
    assert all(second[key] is arrays[key] for key in arrays)            # no new copies
    for p in (p for layer in model.layers for p in layer.params):
        np.testing.assert_array_equal(am.to_numpy(second[id(p)]), am.to_numpy(p.data))
    model.train_on_batch(x, y)
    stats = parameter_statistics(model, second)
    assert all(0 < numbers.update_ratio < 1 for numbers in stats.values())
    wrong_shape = {key: array[:1] for key, array in second.items()}
    third = snapshot_parameters(model, into=wrong_shape)                 # arrays that no longer fit: fresh copies
    assert all(third[key] is not wrong_shape[key] and third[key].shape != wrong_shape[key].shape
               for key in third)

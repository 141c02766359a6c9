"""The step-through explorer, driven from Python as a student drives it with the mouse."""
import numpy as np
import pytest

from teachnet.backend import array_module as am
from teachnet.layers import Activation, Convolution2D, Dense, Flatten
from teachnet.models import Sequential
from teachnet.widgets import StepThrough
from teachnet.widgets.array_view import how_shown
from teachnet.widgets.notebook import set_notebook
from teachnet.widgets.step_through import parse_shape


def small_model():
    am.seed(1)
    model = Sequential([Dense(3, input_dim=4, activation='relu', name='hidden'),
                        Dense(2, name='scores'), Activation('softmax', name='probabilities')])
    model.compile('sgd', 'categorical_crossentropy')
    rng = np.random.RandomState(1)
    return model, rng.randn(5, 4), np.eye(2)[rng.randint(0, 2, 5)]


def texts(explorer):
    """Everything the values area shows as text (captions and numbers)."""
    out = []
    for view in explorer.values.children:
        for child in view.children:
            out.append(getattr(child, 'value', b'') if isinstance(getattr(child, 'value', ''), str) else '<image>')
    return '\n'.join(out)


def test_next_prev_and_the_slider_show_each_step_of_the_trace():
    model, x, y = small_model()
    explorer = StepThrough(model, x, y)
    trace = explorer.trace
    assert 'teachnet-explorer' in explorer.widget._dom_classes
    assert explorer.slider.max == len(trace) - 1 and explorer.prev_button.disabled
    assert 'hidden' in explorer.heading.value and 'z = x·W + b' in explorer.heading.value
    explorer.next_button.click()
    explorer.next_button.click()
    assert explorer.slider.value == 2
    assert trace[2].formula in explorer.heading.value and 'scores' in explorer.heading.value
    assert 'teachnet-current' in explorer.diagram.value
    assert 'teachnet-current" title="scores' in explorer.diagram.value
    explorer.prev_button.click()
    assert explorer.slider.value == 1 and trace[1].op in explorer.heading.value
    explorer.slider.value = len(trace) - 1
    assert explorer.next_button.disabled and 'backward' in explorer.heading.value


def test_a_forward_step_shows_its_inputs_and_output_numbers():
    model, x, y = small_model()
    explorer = StepThrough(model, x, y)
    explorer.slider.value = 1                                      # relu of the hidden layer
    step = explorer.trace[1]
    assert '(5, 3)' in explorer.shapes.value
    shown = texts(explorer)
    assert 'in input 0' in shown and 'out' in shown
    assert f'{step.output.max():.4f}'.rstrip('0') in shown        # the relu's largest output, printed


def test_a_backward_linear_step_shows_the_chain_rule_for_the_chosen_entry():
    model, x, y = small_model()
    explorer = StepThrough(model, x, y)
    index = max(k for k, s in enumerate(explorer.trace) if s.phase == 'backward' and s.layer == 'scores')
    explorer.slider.value = index
    step = explorer.step
    assert explorer.chain_box.layout.display == ''
    assert 'gradient arriving' in texts(explorer) and 'sent back dL/d(W' in texts(explorer)
    assert [value for _, value in explorer.entry_name.options] == ['x', 'W', 'b']
    explorer.entry_name.value = 'W'
    explorer.entry_i.value, explorer.entry_j.value = 2, 1
    assert 'dL/dW[2,1] = Σ_n x[n,2]·g[n,1]' in explorer.chain.value
    assert f'teachnet-sent">{step.input("W")[2, 1]:.6g}</b> ✓' in explorer.chain.value
    assert 'sum of the 5 terms' in explorer.chain.value                  # one per sample
    assert explorer.entry_i.max == 2 and explorer.entry_j.max == 1
    explorer.entry_name.value = 'x'
    assert explorer.entry_i.max == 4 and explorer.entry_j.max == 2 and explorer.entry_index == (2, 1)
    assert f'teachnet-sent">{step.input("x")[2, 1]:.6g}</b>' in explorer.chain.value
    explorer.entry_name.value = 'b'                                        # one axis of 2: the index follows
    assert explorer.entry_index == (1,) and explorer.entry_j.layout.display == 'none'
    assert 'dL/db[1] = Σ_n g[n,1]' in explorer.chain.value
    explorer.slider.value = 0
    assert explorer.chain_box.layout.display == '' and 'out[' in explorer.chain.value      # forward: an output entry
    explorer.slider.value = [k for k, s in enumerate(explorer.trace) if s.op == 'weighted_mean'][-1]
    assert explorer.chain_box.layout.display == 'none' and explorer.chain.value == ''
    explorer.slider.value = [k for k, s in enumerate(explorer.trace) if s.op == 'weighted_mean'][0]
    assert explorer.entry_index == () and f'out = <b>{float(explorer.trace.loss):.6g}</b>' in explorer.chain.value


def test_every_backward_step_of_a_convnet_offers_its_entries_with_one_box_per_axis():
    am.seed(3)
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 5, 5), activation='relu'), Flatten(), Dense(2),
                        Activation('softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    rng = np.random.RandomState(3)
    explorer = StepThrough(model, rng.randn(2, 1, 5, 5), np.eye(2)[[0, 1]])
    conv = max(k for k, s in enumerate(explorer.trace) if s.op == 'conv2d')
    explorer.slider.value = conv
    explorer.entry_name.value = 'W'
    assert [axis.max for axis in explorer.entry_axes] == [2, 2, 0, 1]
    explorer.entry_axes[3].value = 1
    assert 'sum of the 18 terms' in explorer.chain.value and '… + 12 more terms' in explorer.chain.value
    explorer.entry_name.value = 'x'
    assert [axis.max for axis in explorer.entry_axes] == [1, 0, 4, 4]
    explorer.slider.value = max(k for k, s in enumerate(explorer.trace) if s.op == 'relu')
    assert explorer.entry_name.options == (('dL/d(input 0)', 'input 0'),)
    where = '[' + ','.join(map(str, explorer.entry_index)) + ']'             # the index picked before stays
    assert f'dL/dz{where} = g{where}·[z &gt; 0]' in explorer.chain.value
    for k in range(len(explorer.trace)):
        explorer.slider.value = k
        if explorer.step.phase == 'backward' and explorer.step.op != 'weighted_mean':
            assert '✓' in explorer.chain.value, explorer.step.op


def test_predict_then_reveal_hides_the_output_until_a_guess():
    model, x, y = small_model()
    explorer = StepThrough(model, x, y)
    explorer.predict.value = True
    assert '?' in explorer.shapes.value and '<b>out</b>' not in texts(explorer)
    assert explorer.guess_box.layout.display == ''
    explorer.guess.value = '5 x 4'
    explorer.check_button.click()
    assert 'not quite' in explorer.verdict.value and '(5, 3)' in explorer.shapes.value
    assert 'linear makes it from x (5, 4), W (4, 3), b (3,)' in explorer.verdict.value      # and why
    assert '<b>out</b>' in texts(explorer)                       # revealed, with its values
    explorer.next_button.click()
    assert '?' in explorer.shapes.value
    explorer.guess.value = '(5, 3)'
    explorer.check_button.click()
    assert 'right' in explorer.verdict.value and 'not quite' not in explorer.verdict.value
    assert parse_shape('()') == () and parse_shape('2,3') == (2, 3)


def test_predict_a_value_then_reveal_says_right_or_wrong_and_why():
    model, x, y = small_model()
    explorer = StepThrough(model, x, y)
    explorer.predict.value = True
    explorer.guess_kind.value = 'value'
    explorer.entry_i.value, explorer.entry_j.value = 1, 2
    assert 'out[1,2] = <b>?</b>' in explorer.chain.value
    value = float(explorer.step.output[1, 2])
    explorer.guess.value = f'{value * 1.05:.6f}'
    explorer.check_button.click()
    assert 'right' in explorer.verdict.value and 'within 10%' in explorer.verdict.value
    assert 'z = x·W + b' in explorer.verdict.value and f'{value:.6g}' in explorer.chain.value
    step = max(k for k, s in enumerate(explorer.trace) if s.phase == 'backward' and s.layer == 'scores')
    explorer.slider.value = step
    assert 'sent back' not in texts(explorer) and 'gradient arriving' in texts(explorer)
    assert '?' in explorer.shapes.value
    explorer.entry_name.value = 'W'
    assert '= <b>?</b>' in explorer.chain.value and 'teachnet-sent' not in explorer.chain.value
    gradient = float(explorer.step.input('W')[0, 0])
    explorer.guess.value = '+' if gradient < 0 else '-'
    explorer.check_button.click()
    assert 'not quite' in explorer.verdict.value and ('negative' if gradient < 0 else 'positive') in explorer.verdict.value
    assert 'chain rule below' in explorer.verdict.value and 'teachnet-sent' in explorer.chain.value
    assert 'sent back dL/d(W' in texts(explorer)                        # revealed
    explorer.guess.value = 'about three'
    explorer.check_button.click()
    assert 'type a number' in explorer.verdict.value
    explorer.guess_kind.value = 'shape'
    explorer.guess.value = '3, 2'
    explorer.check_button.click()
    assert 'right' in explorer.verdict.value and 'dL/dW is shaped like W' in explorer.verdict.value
    explorer.slider.value = [k for k, s in enumerate(explorer.trace) if s.op == 'weighted_mean'][0]
    explorer.guess_kind.value = 'value'
    explorer.guess.value = f'{float(explorer.trace.loss) * 0.95:.6f}'                   # predict the loss
    explorer.check_button.click()
    assert 'right' in explorer.verdict.value and 'out = ' in explorer.verdict.value


def test_the_judges_of_a_guess():
    from teachnet.widgets.guess import judge_shape, judge_value
    assert judge_value('0.52', 0.5, 'out[0,0]')[0] and not judge_value('0.6', 0.5, 'out[0,0]')[0]
    assert judge_value('0', 4e-4, 'dL/dW[0,0]')[0] and judge_value('0.0001', 0.0, 'x')[0]
    assert judge_value('-', -0.2, 'x')[0] and not judge_value('+', -0.2, 'x')[0]
    assert judge_value('−', -0.2, 'x')[0]
    assert judge_shape('(2, 3)', (2, 3))[0] and not judge_shape('3, 2', (2, 3))[0]


def test_values_are_numbers_heatmaps_or_histograms_by_size():
    assert how_shown(np.ones((2, 3))) == 'numbers'
    assert how_shown(np.ones((10, 10))) == 'heatmap'
    assert how_shown(np.ones((2, 3, 8, 8))) == 'heatmap'
    assert how_shown(np.ones(500)) == 'histogram'
    am.seed(0)
    model = Sequential([Convolution2D(2, 3, 3, input_shape=(1, 8, 8), name='conv'), Flatten(), Dense(1)])
    model.compile('sgd', 'mse')
    explorer = StepThrough(model, np.random.RandomState(0).rand(2, 1, 8, 8), np.ones((2, 1)))
    assert '<image>' in texts(explorer) and 'heatmap of [0, 0, :, :]' in texts(explorer)


def test_explore_is_the_explorer_in_a_notebook_and_text_elsewhere(capsys):
    model, x, y = small_model()
    trace = model.trace(x, y)
    set_notebook(False)
    try:
        assert trace.explore() is None
        printed = capsys.readouterr().out
        assert 'Jupyter notebook' in printed and str(trace) in printed
        set_notebook(True)
        explorer = trace.explore()
        assert isinstance(explorer, StepThrough) and explorer.trace is trace
        assert 'StepThrough' in explorer._repr_mimebundle_()['text/plain']
    finally:
        set_notebook(None)


def test_a_trace_without_a_model_diagram_still_has_boxes():
    model, x, y = small_model()
    trace = model.trace(x, y).layer('scores')
    trace.diagram = None
    explorer = StepThrough(trace=trace)
    assert 'teachnet-current" title="scores' in explorer.diagram.value
    with pytest.raises(ValueError, match='model and x'):
        StepThrough()

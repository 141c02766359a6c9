"""Each forward step names the step that computed each of its inputs (``step.sources``):
that input is exactly that step's output; data and parameters have no source."""
import numpy as np

from teachnet.backend import array_module as am
from teachnet.layers import Activation, Dense
from teachnet.models import Sequential

from tests.guide_models import two_branch_merge_trace


def check_sources(trace):
    for step in trace.forward:
        assert len(step.sources) == len(step.inputs)
        for (label, value), source in zip(step.inputs, step.sources):
            if source is not None:
                assert source in trace.forward and trace.forward.index(source) < trace.forward.index(step)
                np.testing.assert_array_equal(value, source.output, err_msg=f'{step.layer} {label}')
            if ' = ' in label:                                          # a parameter
                assert source is None, label


def test_a_stack_of_layers_is_a_chain_and_parameters_and_data_have_no_source():
    am.seed(1)
    model = Sequential([Dense(4, input_dim=3), Activation('relu'), Dense(2), Activation('softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    trace = model.trace(np.ones((2, 3)), np.eye(2))
    check_sources(trace)
    forward = trace.forward
    assert forward[0].sources == [None, None, None]                     # x, W, b
    for k in (1, 2, 3):
        assert forward[k].sources[0] is forward[k - 1]
    assert forward[4].sources == [None, forward[3]]                     # the targets, the softmax
    backward = trace.backward
    assert all(step.sources is step.forward_step.sources for step in backward)


def test_a_merge_reads_both_branches():
    trace, left, right = two_branch_merge_trace()
    check_sources(trace)
    merge = next(step for step in trace.forward if step.op.startswith('merge'))
    assert [source.layer for source in merge.sources] == [left.name, right.name]

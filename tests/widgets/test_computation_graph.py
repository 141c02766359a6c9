"""The computation graph drawn from a trace: one box per forward step, one arrow per source,
labelled with the shape that flows; data and parameters on the left of the box reading them."""
import re

import numpy as np

from teachnet.backend import array_module as am
from teachnet.layers import Activation, Dense
from teachnet.models import Sequential
from teachnet.widgets.computation_graph import computation_graph_svg, graph_levels

from tests.guide_models import two_branch_merge_trace


def mlp_trace():
    am.seed(0)
    model = Sequential([Dense(32, input_dim=64), Activation('relu'), Dense(10), Activation('softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    return model, model.trace(np.ones((1, 64)), np.eye(10)[:1])


def test_every_step_is_a_box_and_every_source_an_arrow_with_its_shape():
    model, trace = mlp_trace()
    first, second = model.layers[0].name, model.layers[2].name
    svg = computation_graph_svg(trace)
    forward = trace.forward
    assert svg.count('class="teachnet-op"') == len(forward)
    arrows = [(int(a), int(b)) for a, b in re.findall(r'class="teachnet-flow" data-from="(\d+)" data-to="(\d+)"', svg)]
    assert arrows == [(forward.index(s), k) for k, step in enumerate(forward) for s in step.sources if s is not None]
    assert arrows[:3] == [(0, 1), (1, 2), (2, 3)]
    for shape in ('(1, 32)', '(1, 10)'):
        assert f'fill="#1f77b4">{shape}</text>' in svg
    leaves = re.findall(r'class="teachnet-leaf"[^>]*><title>([^<]*)</title>([^<]*)</text>', svg)
    assert leaves[:3] == [('x', 'x (1, 64)'), (f'W = {first}/kernel', 'W (64, 32)'), (f'b = {first}/bias', 'b (32,)')]
    assert (f'W = {second}/kernel', 'W (32, 10)') in leaves
    assert f'{first} · linear' in svg and 'z = x·W + b' in svg


def test_the_branches_of_a_merge_stand_side_by_side():
    trace, left, right = two_branch_merge_trace()
    levels = graph_levels(trace)
    assert [step.layer for step in levels[0]] == [left.name, right.name]
    assert levels[1][0].op.startswith('merge')
    svg = computation_graph_svg(trace)
    boxes = [(float(x), float(y)) for x, y in re.findall(r'class="teachnet-op" x="([\d.]+)" y="([\d.]+)"', svg)]
    assert boxes[0][1] == boxes[1][1] and boxes[0][0] < boxes[1][0]              # one row, left to right
    assert boxes[2][1] > boxes[0][1]                                             # the merge below

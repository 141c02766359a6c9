"""Keras's ``keras.engine.topology`` names: the symbolic tensors and nodes of the functional
API. They live with the layers, in ``teachnet.layers.symbolic``, since calling a layer on a
symbolic tensor is the layer's own business; ``Input`` and ``InputLayer`` are in
``teachnet.layers.input_layer``.
"""
from teachnet.layers.input_layer import Input, InputLayer  # noqa: F401
from teachnet.layers.symbolic import (  # noqa: F401
    Node, SymbolicTensor, call_layer, check_model_call, is_symbolic, nodes_of)

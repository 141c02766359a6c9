"""From a model's inputs and outputs to the order its layers run in.

``Model(input=x, output=y)`` is given only the two ends. Walking back from each output,
through the node that produced it to the tensors that went into that node, and so on down
to the inputs, finds every call that the outputs depend on. Listing each node *after* the
nodes that feed it (a depth-first walk, written down on the way back) gives a
*topological order*: running the nodes in that order, every node finds its inputs ready.

The walk also catches the mistakes a graph can have: an output that depends on an
``Input`` which is not one of the model's inputs (it could never be computed), and model
inputs that are not ``Input`` tensors.
"""
from teachnet.layers.symbolic import SymbolicTensor


def _tensor_list(tensors, what, model_name):
    items = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    if not items:
        raise ValueError(f"Model {model_name} needs at least one {what} tensor.")
    for item in items:
        if not isinstance(item, SymbolicTensor):
            raise TypeError(f"Model {model_name}: every {what} must be a symbolic tensor (from Input(...) or a "
                            f"layer called on one), got {item!r} of type {type(item).__name__}.")
    return items


def check_inputs(inputs, model_name):
    """The model inputs as a list: tensors made by ``Input``, each given once."""
    inputs = _tensor_list(inputs, 'input', model_name)
    for position, tensor in enumerate(inputs):
        if tensor.node.inputs:
            raise ValueError(f"Model {model_name}: input {position} is {tensor.name}, the output of layer "
                             f"{tensor.layer.name}; model inputs must be tensors made by Input(...).")
        if any(other is tensor for other in inputs[:position]):
            raise ValueError(f"Model {model_name}: input {tensor.name} is given twice.")
    return inputs


def check_outputs(outputs, model_name):
    return _tensor_list(outputs, 'output', model_name)


def ordered_nodes(inputs, outputs, model_name):
    """Every node the outputs depend on, each after the nodes feeding it; the input nodes
    come first, in the order of ``inputs``."""
    input_ids = {id(t) for t in inputs}
    order = [t.node for t in inputs]
    placed = {id(node) for node in order}

    def visit(tensor, output):
        node = tensor.node
        if id(node) in placed:
            return
        if not node.inputs and id(tensor) not in input_ids:
            names = ', '.join(t.layer.name for t in inputs)
            raise ValueError(f"Model {model_name}: output {output.name} is not connected to the model's inputs "
                             f"({names}): it depends on {tensor.layer.name}, which is not one of them. Pass "
                             f"every Input it needs, e.g. Model(input=[{names}, {tensor.layer.name}], ...).")
        for source in node.inputs:
            visit(source, output)
        placed.add(id(node))
        order.append(node)

    for output in outputs:
        visit(output, output)
    return order


def layers_in_order(nodes, model_name):
    """The layers of ``nodes``, each once, in order of first call; layer names must be unique."""
    layers, by_name = [], {}
    for node in nodes:
        layer = node.layer
        known = by_name.get(layer.name)
        if known is None:
            by_name[layer.name] = layer
            layers.append(layer)
        elif known is not layer:
            raise ValueError(f"Model {model_name} has two different layers named {layer.name!r}; layer names "
                             "must be unique in a model.")
    return layers

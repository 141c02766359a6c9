"""A functional model's architecture as plain data, and back (Keras 1's layout).

    {'name': 'model_1',
     'layers': [{'name': 'input_1', 'class_name': 'InputLayer', 'config': {...}, 'inbound_nodes': []},
                {'name': 'dense_1', 'class_name': 'Dense', 'config': {...},
                 'inbound_nodes': [[['input_1', 0, 0]]]},
                ...],
     'input_layers': [['input_1', 0, 0]],
     'output_layers': [['dense_2', 0, 0]]}

Each layer lists its calls ('inbound_nodes'); each call lists the tensors it took, as
[layer name, node index, tensor index]. A shared layer has several calls. Rebuilding
creates every layer from its config, then replays the calls -- each as soon as the tensors
it needs exist -- which rebuilds the same graph with fresh weights.
"""
from teachnet.layers.input_layer import InputLayer
from teachnet.layers.registry import LAYER_CLASSES, deserialize
from teachnet.layers.symbolic import call_layer


def _class_name(layer):
    """A model inside the model is saved as 'Model' or 'Sequential' (also when it is of a
    subclass), any other layer by its own class name."""
    for name in ('Model', 'Sequential'):               # both registered by teachnet.models
        if isinstance(layer, LAYER_CLASSES[name]):
            return name
    return type(layer).__name__


def graph_config(model):
    """The config of ``model``: its layers with their calls, its inputs and outputs."""
    def ref(tensor):
        return [tensor.layer.name, model.node_index(tensor.node), tensor.index]

    layers = []
    for layer in model.layers:
        calls = [[ref(t) for t in node.inputs] for node in model.layer_nodes(layer) if node.inputs]
        layers.append({'name': layer.name, 'class_name': _class_name(layer), 'config': layer.get_config(),
                       'inbound_nodes': calls})
    return {'name': model.name, 'layers': layers,
            'input_layers': [ref(t) for t in model.inputs],
            'output_layers': [ref(t) for t in model.outputs]}


def _make_layer(model_class, spec, custom_objects):
    if spec.get('class_name') == 'Model':
        return model_class.from_config(spec['config'], custom_objects)
    return deserialize({'class_name': spec['class_name'], 'config': spec['config']}, custom_objects)


def model_from_graph_config(model_class, config, custom_objects=None):
    """Rebuild a model (fresh weights) from ``graph_config``'s output."""
    if not isinstance(config, dict) or not {'layers', 'input_layers', 'output_layers'} <= set(config):
        raise ValueError("A functional model's config must be a dict with 'layers', 'input_layers' and "
                         f"'output_layers', as model.get_config() writes it; got {config!r:.200}.")
    layers, produced, pending = {}, {}, []
    for spec in config['layers']:
        layer = _make_layer(model_class, spec, custom_objects)
        layers[spec['name']] = layer
        if isinstance(layer, InputLayer):
            produced[(spec['name'], 0)] = [layer.output_tensor]
        pending += [(spec['name'], index, call) for index, call in enumerate(spec.get('inbound_nodes') or [])]

    def tensor(reference):
        name, node_index, tensor_index = reference[:3]
        outputs = produced.get((name, node_index))
        return None if outputs is None else outputs[tensor_index]

    while pending:
        waiting, waiting_calls = [], set()
        for name, index, call in pending:
            sources = [tensor(reference) for reference in call]
            if any(t is None for t in sources) or (name, index - 1) in waiting_calls:
                waiting.append((name, index, call))          # a layer's calls are replayed in order
                waiting_calls.add((name, index))
                continue
            result = call_layer(layers[name], sources if len(sources) > 1 else sources[0])
            produced[(name, index)] = result if isinstance(result, list) else [result]
        if len(waiting) == len(pending):
            names = ', '.join(f'{name}[{index}]' for name, index, _ in waiting)
            raise ValueError(f"Model config {config.get('name')!r}: the calls {names} take tensors that no layer "
                             "of the config produces.")
        pending = waiting

    def tensors(references):
        found = [tensor(reference) for reference in references]
        if any(t is None for t in found):
            raise ValueError(f"Model config {config.get('name')!r}: inputs/outputs {references} name tensors "
                             "that the layers do not produce.")
        return found

    return model_class(input=tensors(config['input_layers']), output=tensors(config['output_layers']),
                       name=config.get('name'))

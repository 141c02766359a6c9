"""Merge: several models side by side, their outputs joined into one.

A Merge layer holds *branches* -- Sequential models (or single layers), each with its own
input -- and joins their outputs x_1, …, x_K into one tensor z by a *mode*:

    sum      z = Σ_k x_k                    ave   z = (1/K) Σ_k x_k
    mul      z = Π_k x_k                    max   z = max_k x_k
    concat   z = [x_1, x_2, …] along ``concat_axis``
    dot      z_b = x_b · y_b over ``dot_axes`` (one number per sample for vectors)
    cos      z = x·y / max(‖x‖ ‖y‖, ε)      (cosine proximity, (batch, 1) for vectors)
    a function of the list [x_1, x_2, …], such as ``lambda xs: xs[0] - xs[1]``

Put first in a Sequential model, the Merge makes the model take one input array per
branch: ``model.fit([x_left, x_right], y)``. In backward the gradient dL/dz splits back
into the branches (see ``teachnet.ops.merge``), and each branch trains on its share: the
Merge's parameters are its branches' parameters.

A branch may itself start with a Merge; its inputs then take their places, in order, in
the model's list of inputs (nested merges are flattened).
"""
import functools

from teachnet.backend import array_module as am
from teachnet.layers.base import Layer
from teachnet.layers.registry import deserialize, register
from teachnet.layers.symbolic import call_layer, is_symbolic
from teachnet.layers.weight_lists import set_weights_of_parts
from teachnet.ops import merge as merge_ops
from teachnet.ops.tape import current_location, located, no_tape
from teachnet.ops.tensor import Tensor
from teachnet.utils.shapes import format_shape


def is_model(branch):
    """A branch is a model (a Sequential) when it holds layers and runs them."""
    return not isinstance(branch, Layer) and hasattr(branch, 'layers') and hasattr(branch, 'forward')


def input_layers_of(branch):
    """The layers that take a branch's inputs: its first layer, or the first layers of the
    branches of the Merge it starts with."""
    first = branch.layers[0] if is_model(branch) else branch
    return first.input_layers if isinstance(first, Merge) else [first]


@register
class Merge(Layer):
    """Joins the outputs of several branches (Sequential models or layers) into one.

    # Arguments
        layers: the branches, a list of at least 2 Sequential models or built layers.
        mode: 'sum' (default), 'mul', 'concat', 'ave', 'cos', 'dot', 'max', or a function
            of the list of branch output tensors returning one tensor (written with tensor
            arithmetic or ``teachnet.backend`` functions, it trains).
        concat_axis: the axis along which 'concat' joins (not the batch axis 0).
        dot_axes: for 'dot' and 'cos', the axis to contract: an int (the same for both
            branches) or a pair (axis of the first, axis of the second).
        output_shape: for a function mode, the output shape of one sample (a tuple), or a
            function of the list of branch output shapes returning the full shape; when
            omitted it is found by running the function on small probe tensors.
        output_mask: for a function mode, the mask of the output (or a function of the
            list of branch masks).
        arguments: keyword arguments passed to a function mode.
        node_indices, tensor_indices: accepted for Keras 1 compatibility (always 0 here).

    # Input shape
        A list of arrays, one per branch input, each of that branch's input shape.

    # Output shape
        sum/mul/ave/max: the branches' common shape. concat: the same, the concat axis
        summed. dot/cos: the axes left of the first branch then of the second (without
        the batch axis and dot axes); (batch, 1) when nothing is left.

    # Example
        left = Sequential(); left.add(Dense(32, input_dim=784))
        right = Sequential(); right.add(Dense(32, input_dim=784))
        model = Sequential()
        model.add(Merge([left, right], mode='concat'))      # output (None, 64)
        model.add(Dense(10, activation='softmax'))
        model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
        model.fit([x_left, x_right], targets)

    Saving keeps only a function mode's name: ``model_from_json(..., custom_objects={name: fn})``
    gives it back, as for Lambda.
    """
    supports_masking = True

    def __init__(self, layers=None, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None,
                 output_mask=None, arguments=None, node_indices=None, tensor_indices=None, name=None,
                 trainable=True):
        super().__init__(name=name, trainable=trainable)
        if not callable(mode) and mode not in merge_ops.MERGE_MODES:
            raise ValueError(f"Merge layer {self.name}: unknown mode {mode!r}; expected one of "
                             f"{', '.join(merge_ops.MERGE_MODES)}, or a function of the list of branch outputs.")
        for label, indices in (('node_indices', node_indices), ('tensor_indices', tensor_indices)):
            if indices is not None and any(i not in (0, None) for i in indices):
                raise ValueError(f"Merge layer {self.name}: {label} other than 0 need the functional API; "
                                 f"got {indices!r}.")
        self.mode = mode
        self.concat_axis = concat_axis
        self.dot_axes = dot_axes
        self.declared_output_shape = output_shape
        self.output_mask = output_mask
        self.arguments = dict(arguments or {})
        self.node_indices, self.tensor_indices = node_indices, tensor_indices
        self.branches = []
        if layers is not None:
            self._connect(layers)

    # ------------------------------------------------------------------ branches
    def _connect(self, branches):
        if not isinstance(branches, (list, tuple)) or len(branches) < 2:
            raise TypeError(f"Merge layer {self.name} needs a list of at least 2 branches (Sequential models or "
                            f"layers), got {branches!r}.")
        for position, branch in enumerate(branches):
            self._check_branch(position, branch)
            if any(other is branch for other in branches[:position]):
                raise ValueError(f"Merge layer {self.name}: branch {branch.name} appears twice; each branch "
                                 "needs its own model (the functional API shares layers).")
        self.branches = list(branches)
        shapes = [tuple(branch.output_shape) for branch in self.branches]
        self._check_shapes(shapes, [branch.name for branch in self.branches], 'cannot join its branches')
        self.input_shape = [tuple(layer.input_shape) for layer in self.input_layers]
        self.output_shape = tuple(self.compute_output_shape(shapes))
        self.built = True

    def _check_branch(self, position, branch):
        if is_model(branch):
            if not branch.layers:
                raise ValueError(f"Merge layer {self.name}: branch {branch.name} has no layers yet.")
            return
        if not isinstance(branch, Layer):
            raise TypeError(f"Merge layer {self.name}: branch {position} must be a Sequential model or a layer, "
                            f"got an object of type {type(branch).__name__}.")
        if not branch.built:
            if branch.batch_input_shape is None:
                raise ValueError(f"Merge layer {self.name}: branch {branch.name} does not know its input shape; "
                                 "give it input_shape=... (or input_dim=...), or put it in a Sequential model.")
            branch.ensure_built(branch.batch_input_shape)

    def _check_shapes(self, shapes, sources, cannot_join):
        """Refuse shapes (of the branch outputs, or of the tensors given) that the mode cannot
        join; ``sources`` names where each shape comes from."""
        if callable(self.mode):
            return
        try:
            axes = merge_ops.check_shapes(self.mode, shapes, self.concat_axis, self.dot_axes)
        except ValueError as error:
            described = ', '.join(f'{source} {format_shape(s)}' for source, s in zip(sources, shapes))
            raise ValueError(f"Merge layer {self.name} {cannot_join} {described}: {error}") from None
        if self.mode in ('dot', 'cos'):
            self.dot_axes = list(axes)

    def joined_output_shape(self, tensors):
        """Called on symbolic tensors (``concatenate([a, b])``, no branches): check that the
        mode can join them, and return the output shape."""
        if self.branches:
            raise ValueError(f"Merge layer {self.name} already joins its branches "
                             f"({', '.join(b.name for b in self.branches)}); to join tensors use "
                             "merge([a, b], mode=...) or concatenate([a, b]).")
        if len(tensors) < 2:
            raise ValueError(f"Merge layer {self.name} needs a list of at least 2 tensors, got {len(tensors)}.")
        shapes = [t.shape for t in tensors]
        self._check_shapes(shapes, [t.name for t in tensors], f"(mode '{self.mode}') cannot join")
        output_shape = tuple(self.compute_output_shape(shapes))
        if not self.built:
            self.input_shape, self.output_shape, self.built = shapes, output_shape, True
        return output_shape

    @property
    def input_layers(self):
        """The layers taking the merge's inputs, in input order (nested merges flattened)."""
        return [layer for branch in self.branches for layer in input_layers_of(branch)]

    def input_descriptions(self, outer=''):
        """One line per input: which layer of which branch takes it, and its shape."""
        lines = []
        for branch in self.branches:
            path = f'{outer}{branch.name}'
            first = branch.layers[0] if is_model(branch) else branch
            if isinstance(first, Merge):
                lines += first.input_descriptions(f'{path}/')
            else:
                lines.append(f'{first.name} (branch {path}) expects {format_shape(first.input_shape)}')
        return lines

    def check_input_count(self, x, what='x'):
        """A clear error unless ``x`` is a list of one array per input."""
        leaves = self.input_layers
        got = len(x) if isinstance(x, (list, tuple)) else 1
        if got != len(leaves):
            raise ValueError(f"Merge layer {self.name} takes {len(leaves)} input arrays, one per branch input "
                             f"({'; '.join(self.input_descriptions())}), but {what} holds {got}. Pass a list "
                             f"[{', '.join('x_' + layer.name for layer in leaves)}].")

    def flattened_layers(self):
        """Every layer of every branch, in order (nested merges unfolded): what a weight file holds."""
        layers = []
        for branch in self.branches:
            for layer in (branch.layers if is_model(branch) else [branch]):
                layers += layer.flattened_layers() if isinstance(layer, Merge) else [layer]
        return layers

    # ------------------------------------------------------------------ shapes
    def ensure_built(self, input_shape):
        """A Merge is built by its branches: it only checks that it is given their inputs."""
        if not self.branches:
            raise ValueError(f"Merge layer {self.name} has no branches: give it a list of models, "
                             "Merge([left, right], mode=...).")
        if not isinstance(input_shape, list) or [tuple(s) for s in input_shape] != self.input_shape:
            raise ValueError(f"Merge layer {self.name} takes its inputs from its branches "
                             f"({', '.join(b.name for b in self.branches)}), so it must be the first layer of a "
                             f"Sequential model; it was given input of shape {input_shape!r}.")
        return self.output_shape

    def compute_output_shape(self, input_shapes):
        shapes = [tuple(s) for s in input_shapes]
        if not callable(self.mode):
            return merge_ops.output_shape(self.mode, shapes, self.concat_axis, self.dot_axes)
        declared = self.declared_output_shape
        if callable(declared):
            return tuple(declared(shapes))
        if declared is not None:
            return (shapes[0][0],) + tuple(declared)
        return self._probe_output_shape(shapes)

    def _probe_output_shape(self, shapes):
        if any(d is None for s in shapes for d in s[1:]):
            raise ValueError(f"Merge layer {self.name}: branch outputs {[format_shape(s) for s in shapes]} have "
                             "sizes unknown in advance, so the mode function's output shape cannot be probed; "
                             "give output_shape=.")
        probes = [Tensor(am.to_device(am.host.full((2,) + s[1:], 0.5 + 0.25 * k, dtype=am.floatx())))
                  for k, s in enumerate(shapes)]
        try:
            with no_tape():
                result = self._call_mode(probes)
        except Exception as error:
            raise ValueError(f"Merge layer {self.name}: could not find the output shape by running the mode "
                             f"function on branch outputs {[format_shape(s) for s in shapes]} ({error}); "
                             "give output_shape=.") from error
        shape = tuple(result.shape)
        batch = shapes[0][0]
        return (batch,) + shape[1:] if shape and shape[0] == 2 else (None,) + shape[1:]

    # ------------------------------------------------------------------ running
    def __call__(self, inputs, training=False):
        """Run each branch on its own input(s) and merge the outputs. ``inputs`` is a list
        with one Tensor or array per branch input (without branches: the tensors to merge)."""
        if is_symbolic(inputs):                 # functional API: build the graph, compute nothing
            return call_layer(self, inputs)
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not self.branches:
            return self.merge_tensors(inputs)
        leaves = self.input_layers
        if len(inputs) != len(leaves):
            self.check_input_count(inputs, 'the list given')
        tensors = [x if isinstance(x, Tensor) else Tensor(am.to_device(x, dtype=leaf.input_dtype or am.floatx()))
                   for x, leaf in zip(inputs, leaves)]
        outer = current_location().get('branch')
        outputs, start = [], 0
        for branch in self.branches:
            count = len(input_layers_of(branch))
            chunk, start = tensors[start:start + count], start + count
            with located(branch=f'{outer}/{branch.name}' if outer else branch.name):
                outputs.append(branch(chunk if count > 1 else chunk[0], training))
        return self.merge_tensors(outputs)

    def merge_tensors(self, tensors):
        """Join the branch outputs ``tensors`` by the mode (the merge step of a trace)."""
        names = [b.name for b in self.branches] if len(self.branches) == len(tensors) else None
        with located(layer=self.name):
            if callable(self.mode):
                output = self._call_mode(tensors)
            elif self.mode == 'concat':
                output = merge_ops.merge_concat(tensors, self.concat_axis, names)
            elif self.mode in ('dot', 'cos'):
                merge = merge_ops.merge_dot if self.mode == 'dot' else merge_ops.merge_cos
                output = merge(tensors, self.dot_axes, names)
            else:
                output = getattr(merge_ops, f'merge_{self.mode}')(tensors, names)
        mask = self._output_mask(tensors)
        if mask is not None or output.mask is not None:
            output.mask = mask
        return output

    def _call_mode(self, tensors):
        result = self.mode(list(tensors), **self.arguments)
        if not isinstance(result, Tensor):
            result = Tensor(result if am.is_device_array(result) else am.to_device(result))
        return result

    def _output_mask(self, tensors):
        """Which timesteps of the output are real: every branch's must be (for concat along
        time, each branch's steps keep their own mask)."""
        masks = [getattr(t, 'mask', None) for t in tensors]
        if callable(self.mode):
            return self.output_mask(masks) if callable(self.output_mask) else self.output_mask
        if self.mode in ('dot', 'cos') or all(m is None for m in masks):
            return None
        xp = am.xp()
        if self.mode == 'concat' and self.concat_axis % tensors[0].ndim == 1:
            return xp.concatenate([xp.ones(t.shape[:2], dtype=bool) if m is None else m
                                   for t, m in zip(tensors, masks)], axis=1)
        return functools.reduce(xp.logical_and, [m for m in masks if m is not None])

    def reset_states(self):
        for branch in self.branches:
            branch.reset_states()

    # ------------------------------------------------------------------ weights: the branches'
    @property
    def params(self):
        return [p for branch in self.branches for p in branch.params]

    @params.setter
    def params(self, value):           # Layer.__init__ starts every layer without parameters
        if value:
            raise AttributeError(f"Merge layer {self.name} has no parameters of its own: they are its branches'.")

    @property
    def regularizers(self):
        layers = [layer for branch in self.branches for layer in (branch.layers if is_model(branch) else [branch])]
        return [pair for layer in layers for pair in layer.regularizers]

    @regularizers.setter
    def regularizers(self, value):
        if value:
            raise AttributeError(f"Merge layer {self.name} has no regularizers of its own: they are its branches'.")

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [p for b in self.branches if is_model(b) or b.trainable for p in b.trainable_weights]

    def get_weights(self):
        """Every branch's weights, branch after branch, as host NumPy arrays."""
        return [w for branch in self.branches for w in branch.get_weights()]

    def set_weights(self, weights):
        """Set every part's weights from one list (as ``get_weights`` returns it); all counts and
        shapes are checked before any weight changes."""
        set_weights_of_parts(f'Merge layer {self.name}', self.branches, weights, part_word='branch')


    # ------------------------------------------------------------------ config
    def get_config(self):
        """Keras 1's Merge config, each branch's config nested under 'layers'."""
        mode = self.mode
        config = {'name': self.name,
                  'mode': getattr(mode, '__name__', repr(mode)) if callable(mode) else mode,
                  'mode_type': 'function' if callable(mode) else 'raw',
                  'concat_axis': self.concat_axis,
                  'dot_axes': self.dot_axes,
                  'output_shape': None, 'output_shape_type': 'raw',
                  'output_mask': None, 'output_mask_type': 'raw',
                  'arguments': self.arguments,
                  'layers': [_branch_spec(branch) for branch in self.branches]}
        declared = self.declared_output_shape
        if declared is not None and not callable(declared):
            config['output_shape'] = tuple(declared)
        if not self.trainable:
            config['trainable'] = False
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        custom_objects = custom_objects or {}
        mode, mode_type = config.pop('mode', 'sum'), config.pop('mode_type', 'raw')
        if mode_type != 'raw' or mode not in merge_ops.MERGE_MODES:
            function = custom_objects.get(mode)
            if function is None:
                raise ValueError(f"Merge layer {config.get('name')}: its mode function {mode!r} is not saved with "
                                 f"the model (code is never loaded from files); pass custom_objects={{'{mode}': ...}}.")
            mode = function
        for key in ('output_shape_type', 'output_mask_type'):
            config.pop(key, None)
        if config.get('output_shape') is not None:
            config['output_shape'] = tuple(config['output_shape'])
        # each branch, a Sequential model or a layer (a Merge too), is registered by its class name
        branches = [deserialize(spec, custom_objects) for spec in config.pop('layers', None) or []]
        return cls(branches or None, mode=mode, **config)

    def __repr__(self):
        shape = format_shape(self.output_shape) if self.output_shape else 'not connected'
        mode = getattr(self.mode, '__name__', 'function') if callable(self.mode) else self.mode
        return f"<Merge {self.name} ({mode} of {', '.join(b.name for b in self.branches)}): {shape}>"


def _branch_spec(branch):
    return {'class_name': 'Sequential' if is_model(branch) else type(branch).__name__,
            'config': branch.get_config()}


"""Merging symbolic tensors in the functional API.

Each function makes a ``Merge`` layer without branches and calls it on a list of symbolic
tensors, so the merge becomes one node of the graph (with its own name in summaries,
traces and saved files). The math of every mode is in ``teachnet.layers.merge``.

Keras 1 spells it with one function and a mode::

    merged = merge([encoded_a, encoded_b], mode='concat', concat_axis=-1)

Keras 2 has one function per mode::

    concatenate([a, b], axis=-1)   add([a, b])   multiply([a, b])   average([a, b])
    maximum([a, b])                dot([a, b], axes=1, normalize=False)
"""
from teachnet.layers.merge import Merge
from teachnet.layers.symbolic import call_layer, is_symbolic


def _merged(inputs, name, **settings):
    if not isinstance(inputs, (list, tuple)) or not is_symbolic(list(inputs)):
        raise TypeError(f"A merge function takes a list of symbolic tensors (the outputs of Input or of layers "
                        f"called on them), such as concatenate([a, b]); got {inputs!r}.")
    return call_layer(Merge(name=name, **settings), list(inputs))


def merge(inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, name=None):
    """Keras 1's functional merge: join the tensors ``inputs`` by ``mode``.

    # Arguments
        inputs: a list of at least 2 symbolic tensors.
        mode: 'sum', 'mul', 'concat', 'ave', 'cos', 'dot', 'max', or a function of the
            list of tensors (see ``Merge``).
        concat_axis, dot_axes, output_shape, output_mask, arguments: as for ``Merge``.
        name: the merge layer's name.
    """
    return _merged(inputs, name, mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                   output_shape=output_shape, output_mask=output_mask, arguments=arguments)


def concatenate(inputs, axis=-1, name=None):
    """The tensors side by side along ``axis`` (Keras 2)."""
    return _merged(inputs, name, mode='concat', concat_axis=axis)


def add(inputs, name=None):
    """z = Σ_k x_k, elementwise (Keras 2)."""
    return _merged(inputs, name, mode='sum')


def multiply(inputs, name=None):
    """z = Π_k x_k, elementwise (Keras 2)."""
    return _merged(inputs, name, mode='mul')


def average(inputs, name=None):
    """z = (1/K) Σ_k x_k, elementwise (Keras 2)."""
    return _merged(inputs, name, mode='ave')


def maximum(inputs, name=None):
    """z = max_k x_k, elementwise (Keras 2)."""
    return _merged(inputs, name, mode='max')


def dot(inputs, axes, normalize=False, name=None):
    """One dot product per sample over ``axes`` (an int, or one axis per tensor); with
    ``normalize=True`` the cosine of the angle between the two vectors (Keras 2)."""
    return _merged(inputs, name, mode='cos' if normalize else 'dot', dot_axes=axes)

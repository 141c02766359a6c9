"""What the last training step left on the parameters: each value and its gradient.

A training step (``fit``, ``train_on_batch``, ``fit_generator``) runs backward and then the
optimizer's update; the gradient that the update used stays on each parameter's ``.grad``
until the next step starts. A live view reads it after each batch (from a callback's
``on_batch_end``) to show, layer by layer, |θ| and |dL/dθ| as training goes::

    for name, (value, grad) in last_step(model).items():
        print(name, float(K.sqrt(K.sum(K.square(grad)))))

The arrays stay on the active backend, so statistics can be reduced there and only small
numbers cross to the host. They are the model's own arrays: read them, never change them.
"""


def last_step(model):
    """{parameter name: (value, gradient)} for every trainable parameter of ``model``, as
    the last training step left them: the value after the update, and dL/dθ of that step
    (the loss with every penalty, before any clipping). The gradient is None before the
    first step and for a parameter the loss does not depend on."""
    return {param.name: (param.data, param.grad) for param in model.trainable_weights if param.trainable}

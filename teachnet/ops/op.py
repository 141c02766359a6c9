"""Op: one differentiable step, its forward and its backward side by side.

Every computation in teachnet is a chain of ops. An op subclass defines

* ``name`` and ``formula`` -- how the step reads in a trace (``z = x·W + b``);
* ``forward(*arrays)`` -- compute the output from input arrays, keeping on ``self`` what
  backward will need;
* ``backward(grad_output)`` -- given dL/d(output), return dL/d(input) for each input
  (``None`` for an input that has no gradient, such as an integer index). A gradient
  that only some rows of a matrix input receive may be returned as a ``RowGradient``
  (an embedding lookup does): an optimizer then updates those rows only.

``op.apply(*inputs)`` runs forward on tensors or arrays and, when a tape is recording and
some input needs a gradient, records the op with its inputs and output.
"""
from teachnet.ops.tape import _location, _recording
from teachnet.ops.tensor import Tensor


class Op:
    name = 'op'
    formula = ''
    #: how the gradient flows back, for traces ('dL/dx = g·Wᵀ, ...'); empty when obvious
    backward_formula = ''

    # filled when recorded
    inputs = ()
    output = None
    where = None

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def describe(self):
        """Extra facts for a trace (an axis, a rate...): a dict, empty by default."""
        return {}

    def apply(self, *inputs):
        """Run forward on ``inputs`` (tensors or arrays) and return the output Tensor."""
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        output = Tensor(self.forward(*arrays))
        tape = _recording[-1]
        if tape is not None and tape.record:
            for x in inputs:
                if isinstance(x, Tensor) and x.requires_grad:
                    output.requires_grad = True
                    self.inputs, self.output = inputs, output
                    self.where = _location[-1]
                    tape.records.append(self)
                    break
        return output

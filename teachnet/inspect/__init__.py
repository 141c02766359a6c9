"""Looking inside: traces of every step, gradient checks, model summaries, feature maps,
and a recurrent layer's gates and gradients through time (``recurrent_layers(model)`` names
every recurrent layer they can look inside, wrapped ones too).

The tools that need a loss or gradients (traces, gradient checks, gates, gradients
through time) compute a batch through ``model.batch_loss``, the computation training
runs, so they show what training does; those that only look at outputs (feature maps,
activation statistics) run the model as ``predict`` does.
``image_layers``, ``sample_maps`` and ``layer_filters`` give a convnet's maps and filters channels first;
``layer_calls`` says how many times a (shared) layer runs, for ``node_index``.
``model_diagram(model)`` gives the model's layers as levels of boxes (what a drawing of it
needs), ``entry(step, name, index)`` the chain rule for one entry of a backward step's
gradient dL/d(name), as the sum it is with the step's numbers (``explained(step)`` lists
which gradients of a step it writes out; ``teachnet.inspect.chain_rule`` lists the ops).
``last_step(model)`` gives what the last training step left: each parameter and its gradient.
``carried_states(model)`` copies what stateful recurrent layers carry into the next batch, and
``restored_states(model, states)`` runs a computation from such states, then puts them back.
"""
from teachnet.inspect.gradient_check import gradient_check, GradientCheckReport  # noqa: F401
from teachnet.inspect.trace import Trace, Step, trace_layer, trace_model  # noqa: F401
from teachnet.inspect.feature_maps import feature_maps, layer_calls  # noqa: F401,E402
from teachnet.inspect.recurrent import gates, gradients_through_time, recurrent_calls  # noqa: F401
from teachnet.inspect.recurrent_layers import recurrent_layers  # noqa: F401,E402
from teachnet.inspect.last_step import last_step  # noqa: F401
from teachnet.inspect.layer_outputs import caught_outputs, model_layers  # noqa: F401,E402
from teachnet.inspect.statistics import activation_statistics, parameter_statistics, snapshot_parameters  # noqa: F401,E402,E501
from teachnet.inspect.diagram import Box, model_diagram  # noqa: F401,E402
from teachnet.inspect.chain_rule import entry, explained, input_entry, weight_entry  # noqa: F401,E402
from teachnet.inspect.image_layers import image_layers, layer_filters, sample_maps  # noqa: F401,E402
from teachnet.inspect.carried_states import carried_states, restored_states  # noqa: F401,E402

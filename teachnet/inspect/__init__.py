"""Looking inside: traces of every step, gradient checks, model summaries."""
from teachnet.inspect.gradient_check import gradient_check, GradientCheckReport  # noqa: F401
from teachnet.inspect.trace import Trace, Step, trace_layer, trace_model  # noqa: F401
from teachnet.inspect.feature_maps import feature_maps  # noqa: F401,E402
from teachnet.inspect.layer_outputs import caught_outputs, model_layers  # noqa: F401,E402
from teachnet.inspect.statistics import activation_statistics, parameter_statistics, snapshot_parameters  # noqa: F401,E402,E501

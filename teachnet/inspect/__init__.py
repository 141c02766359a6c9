"""Looking inside: traces of every step, gradient checks, model summaries, feature maps,
and a recurrent layer's gates and gradients through time."""
from teachnet.inspect.gradient_check import gradient_check, GradientCheckReport  # noqa: F401
from teachnet.inspect.trace import Trace, Step, trace_layer, trace_model  # noqa: F401
from teachnet.inspect.feature_maps import feature_maps  # noqa: F401,E402
from teachnet.inspect.recurrent import gates, gradients_through_time  # noqa: F401

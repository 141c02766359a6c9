"""Live views for notebooks, built from core ipywidgets only.

    from teachnet.widgets import Dashboard
    model.fit(x, y, callbacks=[Dashboard()])

``dashboard`` holds the training dashboard, ``progress`` the widget progress bar that
``fit(verbose=1)`` shows in a notebook, ``step_through`` the explorer of one training step
(``model.trace(x, y).explore()``), ``gate_explorer`` a recurrent layer's gates timestep by
timestep, ``feature_map_explorer`` a convnet's maps and filters; the drawing, bounded series and throttling
pieces are reusable by other views.

Pictures and sliders for the tutorials: ``convolution_window`` (a kernel sliding over a padded
input, ``ConvolutionWindow``), ``temperature`` (sampling with a temperature,
``TemperatureSlider``), ``lstm_cell`` (an LSTM cell drawn from its wiring) and
``computation_graph`` (a trace's forward computation drawn as a graph).
"""
from teachnet.widgets.dashboard import Dashboard  # noqa: F401
from teachnet.widgets.step_through import StepThrough  # noqa: F401
from teachnet.widgets.gate_explorer import GateExplorer  # noqa: F401
from teachnet.widgets.feature_map_explorer import FeatureMaps  # noqa: F401
from teachnet.widgets.convolution_window import ConvolutionWindow  # noqa: F401
from teachnet.widgets.temperature import TemperatureSlider  # noqa: F401
from teachnet.widgets.notebook import in_notebook, set_notebook  # noqa: F401

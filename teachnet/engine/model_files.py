"""What every model can do with files and on the screen: save and load its weights, save
itself whole, print its summary. Shared by Sequential and the functional Model."""


class ModelFilesAndSummary:
    def save_weights(self, filepath, overwrite=True):
        """Write the weights to an HDF5 file in Keras's layout (see ``teachnet.saving``)."""
        from teachnet.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False):
        """Set the weights from an HDF5 file written by teachnet or Keras (1, 2 or 3)."""
        from teachnet.saving import load_weights
        load_weights(self, filepath, by_name=by_name)

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Write architecture, weights and training state to one HDF5 file (``load_model`` reads it)."""
        from teachnet.saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def summary(self, line_length=100, print_fn=print):
        """Print each layer's name, type, output shape, parameter count and what it is
        connected to, as Keras does."""
        from teachnet.inspect.summary import format_summary
        print_fn(format_summary(self, line_length))

"""Saving and loading: weights and whole models in HDF5 files, as Keras keeps them.

    model.save_weights('weights.h5')         # the weights only (Keras 1/2 layout)
    model.load_weights('weights.h5')         # into a model of the same architecture
    model.save('model.h5')                   # architecture + weights + training state
    model = load_model('model.h5')           # ready to go on training

* ``hdf5_files``       opening, atomic writing, attributes (the file-level promises)
* ``keras_layout``     the Keras 1/2 layout: a group per layer, ``layer_names``, ``weight_names``
* ``keras3_layout``    the Keras 3 ``.weights.h5`` layout: ``layers/<name>/vars/0, 1...``
* ``weights``          save_weights / load_weights: which arrays go to which layer
* ``training_config``  the compile settings and the optimizer's state
* ``model_file``       save_model / load_model

Files are only ever read as numbers and text: loading never runs code from a file.
"""
from teachnet.saving.weights import save_weights, load_weights
from teachnet.saving.model_file import save_model, load_model

__all__ = ['save_weights', 'load_weights', 'save_model', 'load_model']

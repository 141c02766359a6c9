"""Callbacks: code that ``fit`` calls at the start and end of training, epochs and batches.

    from teachnet.callbacks import EarlyStopping, ModelCheckpoint
    model.fit(X, y, validation_split=0.1,
              callbacks=[EarlyStopping(patience=2), ModelCheckpoint('best.h5', save_best_only=True)])

``base`` explains the hooks and the logs they receive; each other module holds one callback.
"""
from teachnet.callbacks.base import BaseLogger, Callback, CallbackList, History, HistoryDict
from teachnet.callbacks.checkpoint import ModelCheckpoint
from teachnet.callbacks.csv_logger import CSVLogger
from teachnet.callbacks.early_stopping import EarlyStopping
from teachnet.callbacks.lambda_callback import LambdaCallback
from teachnet.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from teachnet.callbacks.progbar import Progbar, ProgbarLogger
from teachnet.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ['Callback', 'CallbackList', 'BaseLogger', 'History', 'HistoryDict', 'Progbar',
           'ProgbarLogger', 'EarlyStopping', 'ModelCheckpoint', 'LearningRateScheduler',
           'ReduceLROnPlateau', 'TerminateOnNaN', 'CSVLogger', 'LambdaCallback']

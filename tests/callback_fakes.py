"""Stand-ins for a model and the params the engine gives callbacks, shared by the callback tests."""
from teachnet.callbacks import CallbackList


class FakeOptimizer(object):
    def __init__(self, lr):
        self.lr = lr


class FakeModel(object):
    def __init__(self, lr=1.0):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.saved = []

    def save(self, path, overwrite=False):
        self.saved.append(('model', path, overwrite))

    def save_weights(self, path, overwrite=False):
        self.saved.append(('weights', path, overwrite))


def make_params(metrics=('loss', 'acc'), nb_epoch=3, nb_sample=10, verbose=0):
    return {'batch_size': 4, 'nb_epoch': nb_epoch, 'epochs': nb_epoch, 'nb_sample': nb_sample,
            'samples': nb_sample, 'verbose': verbose, 'do_validation': False,
            'metrics': list(metrics)}


def prepared(callbacks, model=None, **param_kwargs):
    model = model or FakeModel()
    cbs = CallbackList(callbacks)
    cbs.set_model(model)
    cbs.set_params(make_params(**param_kwargs))
    return cbs, model

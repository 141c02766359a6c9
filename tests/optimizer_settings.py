"""One setting of every update rule (and of the clipping), for the tests that hold a way of
updating (small parameters together, large ones in blocks) to the plain update of each."""
from teachnet.optimizers import SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam

EVERY_RULE = {
    'sgd': lambda: SGD(lr=0.05),
    'sgd momentum': lambda: SGD(lr=0.05, momentum=0.7),
    'sgd nesterov': lambda: SGD(lr=0.05, momentum=0.8, nesterov=True, decay=0.01),
    'rmsprop': lambda: RMSprop(lr=0.01, rho=0.8),
    'adagrad': lambda: Adagrad(lr=0.1),
    'adadelta': lambda: Adadelta(lr=0.9),
    'adam': lambda: Adam(lr=0.01),
    'adamax': lambda: Adamax(lr=0.01),
    'nadam': lambda: Nadam(lr=0.01),
    'rmsprop clipnorm': lambda: RMSprop(lr=0.01, clipnorm=0.5),
    'rmsprop clipvalue': lambda: RMSprop(lr=0.01, clipvalue=0.5),
}

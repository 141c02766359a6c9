"""The harness checks the gradients of training mode for every layer that drops units
while training, the dropout masks held fixed between the numerical evaluations: a
backward that forgets a mask fails here (tests/layers/test_checkers.py shows it)."""
import functools

import pytest

from teachnet.layers import GRU, LSTM, Embedding, SimpleRNN

from .harness import layer_test

RECURRENT = {'SimpleRNN': (SimpleRNN, {}), 'LSTM': (LSTM, {}), 'GRU': (GRU, {}),
             'GRU_reset_after': (GRU, {'reset_after': True})}


@pytest.mark.parametrize('spelling', [{'dropout_W': 0.4, 'dropout_U': 0.4},
                                      {'dropout': 0.3, 'recurrent_dropout': 0.5},
                                      {'dropout_U': 0.5}], ids=['keras1', 'keras2', 'recurrent_only'])
@pytest.mark.parametrize('kind', sorted(RECURRENT))
def test_recurrent_layers_with_dropout(kind, spelling):
    cls, fixed = RECURRENT[kind]
    result = layer_test(functools.partial(cls, 3, return_sequences=True, bias_initializer='uniform', **fixed,
                                          **spelling),
                        (4, 2), deterministic=False, expected_output_shape=(4, 3))
    assert result.layer.dropout_U > 0


def test_embedding_with_dropout():
    layer_test(functools.partial(Embedding, 6, 3, input_length=4, dropout=0.5), (4,), input_dtype='int32',
               input_range=6, deterministic=False, expected_output_shape=(4, 3))

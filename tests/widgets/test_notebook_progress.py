"""fit(verbose=1) shows a widget bar inside a notebook kernel and the text bar elsewhere."""
import numpy as np
import pytest

from teachnet.callbacks import ProgbarLogger
from teachnet.callbacks.progbar import progress_logger
from teachnet.layers import Dense
from teachnet.models import Sequential
from teachnet.widgets import in_notebook, set_notebook
from teachnet.widgets.notebook import clicks_during_run
from teachnet.widgets.progress import STOP_HINT, NotebookProgbarLogger, ProgressPanel


@pytest.fixture
def forced_notebook():
    set_notebook(True)
    yield
    set_notebook(None)


@pytest.mark.backend_independent
def test_a_script_is_not_a_notebook_unless_told(monkeypatch):
    monkeypatch.delenv('TEACHNET_NOTEBOOK', raising=False)
    assert not in_notebook()
    assert isinstance(progress_logger(1), ProgbarLogger)
    monkeypatch.setenv('TEACHNET_NOTEBOOK', '1')
    assert in_notebook()
    set_notebook(False)
    try:
        assert not in_notebook()
    finally:
        set_notebook(None)
    with pytest.raises(ValueError):
        set_notebook('yes')


@pytest.mark.backend_independent
def test_without_a_kernel_clicks_cannot_arrive_and_the_button_says_so():
    assert clicks_during_run() is False
    panel = ProgressPanel()
    panel.start({'nb_epoch': 1, 'nb_sample': 10, 'batch_size': 5})
    panel.epoch_begin(0)
    panel.refresh()
    assert panel.stop_button.description == 'Stop'
    assert 'cannot deliver a click' in panel.text.value and STOP_HINT[False] in panel.text.value


def test_fit_verbose_1_in_a_notebook_shows_the_widget_bar(forced_notebook, capsys):
    model = Sequential([Dense(2, input_dim=3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x = np.random.RandomState(0).rand(40, 3)
    y = np.eye(2)[np.arange(40) % 2]
    shown = []
    original = NotebookProgbarLogger.on_train_begin

    def remember(self, logs=None):
        original(self, logs)
        shown.append(self.panel)

    NotebookProgbarLogger.on_train_begin = remember
    try:
        model.fit(x, y, nb_epoch=2, batch_size=10, verbose=1)
    finally:
        NotebookProgbarLogger.on_train_begin = original
    assert '\r' not in capsys.readouterr().out            # no text bar
    panel, = shown
    assert panel.bar.value == panel.bar.max == 8
    assert 'Epoch 2/2' in panel.text.value and 'loss' in panel.text.value and 'acc' in panel.text.value
    assert panel.stop_button is None


class FakeManager:
    def __init__(self, subshells):
        self.subshells = subshells

    def list_subshell(self):
        return list(self.subshells)


class FakeKernel:
    def __init__(self, supports, subshells=()):
        self._supports_kernel_subshells = supports
        self.shell_channel_thread = type('Thread', (), {'manager': FakeManager(subshells)})()


@pytest.mark.backend_independent
@pytest.mark.parametrize('kernel, expected', [
    (FakeKernel(False), False),                    # ipykernel < 7: one message at a time
    (FakeKernel(True), None),                      # subshells offered, none opened yet: unknown
    (FakeKernel(True, ['a1b2']), True),            # a frontend sends comms to a subshell
])
def test_clicks_during_run_reads_the_kernels_subshells(monkeypatch, kernel, expected):
    from teachnet.widgets import notebook
    monkeypatch.setattr(notebook, '_kernel', lambda: kernel)
    assert notebook.clicks_during_run() is expected
    panel = ProgressPanel()
    panel.start({'nb_epoch': 1, 'nb_sample': 10, 'batch_size': 5})
    panel.refresh()
    assert STOP_HINT[expected] in panel.text.value


def test_clicks_are_let_through_to_any_shell():
    """ipykernel 7.4 routes a widget's incoming messages to the shell that last sent from it;
    let_clicks_through forgets that route, and leaves comms without one as they are."""
    import threading
    from types import SimpleNamespace
    from teachnet.widgets.notebook import let_clicks_through

    routed = SimpleNamespace(_reply_subshell_lock=threading.Lock(), _reply_subshell_id=None)
    let_clicks_through(SimpleNamespace(comm=routed))
    assert not hasattr(routed, '_reply_subshell_id')
    older = SimpleNamespace(other='kept')                      # ipykernel before 7.4: no route
    let_clicks_through(SimpleNamespace(comm=older))
    assert vars(older) == {'other': 'kept'}
    let_clicks_through(None)                                   # no button: nothing to do


@pytest.mark.backend_independent
def test_batches_are_counted_in_their_own_epoch_however_late_they_are_read():
    panel = ProgressPanel(with_stop_button=False)
    panel.start({'nb_epoch': 2, 'nb_sample': 30, 'batch_size': 10})
    for epoch, losses in enumerate([(9.0, 9.0, 9.0), (1.0, 2.0, 6.0)]):
        panel.epoch_begin(epoch)
        for batch, loss in enumerate(losses):
            panel.batch_end(batch, {'batch': batch, 'size': 10 if batch < 2 else 5, 'loss': loss})
    line = panel.line()                        # nothing was read before: all six batches now
    assert 'Epoch 2/2' in line and '25/30 samples' in line
    assert 'loss 2.4000' in line               # (10·1 + 10·2 + 5·6) / 25: the second epoch alone
    panel.refresh()
    assert panel.bar.value == 6 == panel.bar.max


@pytest.mark.backend_independent
def test_epochs_never_drawn_still_count_their_batches_without_summing_them():
    panel = ProgressPanel(with_stop_button=False)
    panel.start({'nb_epoch': 3, 'nb_sample': 30, 'batch_size': 10})
    for epoch in range(2):                     # two epochs that no refresh ever read
        panel.epoch_begin(epoch)
        for batch in range(3):
            panel.batch_end(batch, {'batch': batch, 'size': 10, 'loss': 5.0})
        panel.epoch_end({'loss': 5.0})
    panel.epoch_begin(2)
    assert panel.unread == [] and panel.values == {}          # counted, not summed
    panel.refresh()
    assert panel.bar.value == 6 and panel.first_step == 0
    assert 'Epoch 3/3' in panel.text.value and '0/30 samples' in panel.text.value

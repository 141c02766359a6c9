"""What a finished dashboard shows where no widget runs: a static HTML snapshot of its
last frame (a reopened notebook without widget state, GitHub) and one line of text."""
import html

from teachnet.widgets.diagnostics import notes_html, notes_text


def summary_html(record, notes, status):
    """The curves, the layer table, the gradient norms and the notes of ``record`` as one
    HTML block, headed by ``status`` ('done', 'training', 'stopped by ...')."""
    if record is None:
        return '<p>teachnet Dashboard: not trained yet.</p>'
    from teachnet.widgets.curves import curves_html
    from teachnet.widgets.gradients import gradient_norms_svg
    from teachnet.widgets.layer_table import table_html
    return (f'<div class="teachnet-dashboard-summary"><b>teachnet Dashboard</b> ({html.escape(status)}, '
            f'{record.step} steps)' + curves_html(record) + table_html(record)
            + gradient_norms_svg(record) + notes_html(notes) + '</div>')


def summary_text(record, notes, finished):
    """One line: the steps, the last batch's loss and the notes."""
    if record is None:
        return 'teachnet Dashboard: not trained yet.'
    if not finished:
        return 'teachnet Dashboard: training (a live widget; shown where Jupyter widgets run)'
    loss = record.batch.get('loss')
    last = f', last batch loss {loss.values()[1][-1]:.4g}' if loss is not None and len(loss) else ''
    return f'teachnet Dashboard: {record.step} steps{last}' + (f' | {notes_text(notes)}' if notes else '')

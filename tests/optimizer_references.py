"""Keras 1's optimizer update rules written out again, one step each, in plain NumPy on host
arrays: what tests/test_optimizers.py holds teachnet's optimizers to.

Each reference applies one step: thetas and state are lists of arrays, ``iteration`` is the
number of steps done before this one.
"""
import numpy as np


def ref_sgd(thetas, grads, state, iteration, lr, momentum, decay, nesterov):
    lr_t = lr / (1.0 + decay * iteration)
    velocities = state.setdefault('v', [np.zeros_like(t) for t in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        v = momentum * velocities[k] - lr_t * g
        velocities[k] = v
        if nesterov:
            thetas[k] = thetas[k] + momentum * v - lr_t * g
        else:
            thetas[k] = thetas[k] + v


def ref_rmsprop(thetas, grads, state, iteration, lr, rho, epsilon, decay):
    lr_t = lr / (1.0 + decay * iteration)
    accs = state.setdefault('a', [np.zeros_like(t) for t in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        accs[k] = rho * accs[k] + (1 - rho) * g ** 2
        thetas[k] = thetas[k] - lr_t * g / (np.sqrt(accs[k]) + epsilon)


def ref_adagrad(thetas, grads, state, iteration, lr, epsilon, decay):
    lr_t = lr / (1.0 + decay * iteration)
    accs = state.setdefault('a', [np.zeros_like(t) for t in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        accs[k] = accs[k] + g ** 2
        thetas[k] = thetas[k] - lr_t * g / (np.sqrt(accs[k]) + epsilon)


def ref_adadelta(thetas, grads, state, iteration, lr, rho, epsilon, decay):
    lr_t = lr / (1.0 + decay * iteration)
    accs = state.setdefault('a', [np.zeros_like(t) for t in thetas])
    deltas = state.setdefault('d', [np.zeros_like(t) for t in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        accs[k] = rho * accs[k] + (1 - rho) * g ** 2
        step = g * np.sqrt(deltas[k] + epsilon) / np.sqrt(accs[k] + epsilon)
        thetas[k] = thetas[k] - lr_t * step
        deltas[k] = rho * deltas[k] + (1 - rho) * step ** 2


def ref_adam(thetas, grads, state, iteration, lr, beta_1, beta_2, epsilon, decay):
    lr_decayed = lr / (1.0 + decay * iteration)
    t = iteration + 1
    lr_t = lr_decayed * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    ms = state.setdefault('m', [np.zeros_like(x) for x in thetas])
    vs = state.setdefault('v', [np.zeros_like(x) for x in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        ms[k] = beta_1 * ms[k] + (1 - beta_1) * g
        vs[k] = beta_2 * vs[k] + (1 - beta_2) * g * g
        thetas[k] = thetas[k] - lr_t * ms[k] / (np.sqrt(vs[k]) + epsilon)


def ref_adamax(thetas, grads, state, iteration, lr, beta_1, beta_2, epsilon, decay):
    lr_decayed = lr / (1.0 + decay * iteration)
    t = iteration + 1
    lr_t = lr_decayed / (1 - beta_1 ** t)
    ms = state.setdefault('m', [np.zeros_like(x) for x in thetas])
    us = state.setdefault('u', [np.zeros_like(x) for x in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        ms[k] = beta_1 * ms[k] + (1 - beta_1) * g
        us[k] = np.maximum(beta_2 * us[k], np.abs(g))
        thetas[k] = thetas[k] - lr_t * ms[k] / (us[k] + epsilon)


def ref_nadam(thetas, grads, state, iteration, lr, beta_1, beta_2, epsilon, schedule_decay):
    t = iteration + 1
    mu_t = beta_1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))
    mu_next = beta_1 * (1 - 0.5 * 0.96 ** ((t + 1) * schedule_decay))
    schedule = state.get('schedule', 1.0) * mu_t
    schedule_next = schedule * mu_next
    state['schedule'] = schedule
    ms = state.setdefault('m', [np.zeros_like(x) for x in thetas])
    vs = state.setdefault('v', [np.zeros_like(x) for x in thetas])
    for k, g in enumerate(grads):
        if g is None:
            continue
        g_hat = g / (1 - schedule)
        ms[k] = beta_1 * ms[k] + (1 - beta_1) * g
        m_hat = ms[k] / (1 - schedule_next)
        vs[k] = beta_2 * vs[k] + (1 - beta_2) * g ** 2
        v_hat = vs[k] / (1 - beta_2 ** t)
        m_bar = (1 - mu_t) * g_hat + mu_next * m_hat
        thetas[k] = thetas[k] - lr * m_bar / (np.sqrt(v_hat) + epsilon)


def ref_clip(grads, clipnorm=None, clipvalue=None):
    present = [g for g in grads if g is not None]
    if clipnorm is not None:
        norm = np.sqrt(sum(np.sum(g ** 2) for g in present))
        if norm >= clipnorm:
            grads = [None if g is None else g * clipnorm / norm for g in grads]
    if clipvalue is not None:
        grads = [None if g is None else np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads

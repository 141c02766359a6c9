"""Imports run one way: backend -> ops -> layers -> models/engine -> inspect -> widgets.

The import graph is read from the source with ``ast`` (every ``import``, also the ones
inside functions), so nothing is imported to check it. Two rules hold it together:

* no cycle joins modules of two different packages (``teachnet.layers.base`` importing
  ``teachnet.engine.topology`` which imports ``teachnet.layers.merge`` ties both packages
  into one knot that no student can read from the bottom up);
* each level imports only what sits below it (``LAYER_RULES``).
"""
import ast
import pathlib
import subprocess
import sys

import pytest

import teachnet

pytestmark = pytest.mark.backend_independent        # source files only: once is enough

ROOT = pathlib.Path(teachnet.__file__).parent

#: package -> the packages it must never import, and why
LAYER_RULES = {
    'teachnet.backend': (('teachnet.ops', 'teachnet.layers', 'teachnet.engine', 'teachnet.models',
                          'teachnet.saving', 'teachnet.inspect', 'teachnet.widgets'),
                         'the backend is the bottom: only the array module'),
    'teachnet.ops': (('teachnet.layers', 'teachnet.engine', 'teachnet.models', 'teachnet.saving',
                      'teachnet.inspect', 'teachnet.widgets'),
                     'ops are the differentiable primitives that layers are made of'),
    'teachnet.layers': (('teachnet.engine', 'teachnet.models', 'teachnet.saving', 'teachnet.inspect',
                         'teachnet.widgets'),
                        'layers are compositions of ops; models and the engine use them'),
    'teachnet.saving': (('teachnet.engine', 'teachnet.models', 'teachnet.inspect', 'teachnet.widgets'),
                        'saving rebuilds models through the class registry, so models may import it'),
    'teachnet.inspect': (('teachnet.widgets',), 'widgets read the inspection API, not the other way'),
}
for _building_block in ('activations', 'initializers', 'regularizers', 'losses', 'metrics', 'optimizers',
                        'callbacks', 'utils'):
    LAYER_RULES[f'teachnet.{_building_block}'] = (
        ('teachnet.layers', 'teachnet.engine', 'teachnet.models', 'teachnet.saving', 'teachnet.inspect',
         'teachnet.widgets'),
        'the building blocks that layers and the engine take')

#: (importer, imported) pairs allowed although LAYER_RULES forbid them, and why
EXCEPTIONS = {
    ('teachnet.backend', 'teachnet.ops.functions'):
        "the K face (`import teachnet.backend as K`) re-exports the ops; the ops import "
        "teachnet.backend.array_module, never the face",
}

#: packages whose modules may import each other in a circle, and why
CYCLES_INSIDE = {
    'teachnet.ops': "a Tensor's operators (x + y, x @ W) build ops, and ops make Tensors",
}


def module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


MODULES = {module_name(path): path for path in sorted(ROOT.rglob('*.py'))}


def package_of(module):
    """'teachnet.engine.training' -> 'teachnet.engine'; 'teachnet.models' stays itself."""
    return '.'.join(module.split('.')[:2])


def known_module(name):
    """The teachnet module that ``import name`` loads: the name, or the package it is in."""
    while name and name not in MODULES:
        name = name.rpartition('.')[0]
    return name or None


def imports_of(module):
    """The teachnet modules that ``module`` imports anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == '__init__.py' else module.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            found.update(known_module(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:                                        # from . import x, from ..ops import y
                anchor = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(anchor + ([node.module] if node.module else []))
            for alias in node.names:                              # from teachnet.ops import tape: a module
                submodule = f'{base}.{alias.name}'
                found.add(submodule if submodule in MODULES else known_module(base))
    found.discard(None)
    found.discard(module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def strongly_connected(graph):
    """Tarjan's algorithm: the groups of modules that import each other in a circle."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while module not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def test_the_graph_sees_every_kind_of_import():
    assert 'teachnet.ops.tape' in GRAPH['teachnet.layers.base']              # from teachnet.ops import tape
    assert 'teachnet.ops.functions' in GRAPH['teachnet.ops.tensor']          # inside a method
    assert 'teachnet.backend.array_module' in GRAPH['teachnet.ops.tape']     # from teachnet.backend import ...
    assert len(MODULES) > 100


def test_no_cycle_crosses_a_package_boundary():
    knots = [group for group in strongly_connected(GRAPH) if len({package_of(m) for m in group}) > 1]
    assert not knots, 'modules of different packages import each other in a circle:\n' + '\n'.join(
        f'{len(group)} modules: {", ".join(group)}' for group in knots)


def test_cycles_inside_a_package_are_the_known_ones():
    packages = {package_of(group[0]) for group in strongly_connected(GRAPH)}
    assert packages <= set(CYCLES_INSIDE), f'new import cycles inside {sorted(packages - set(CYCLES_INSIDE))}'


@pytest.mark.parametrize('package', sorted(LAYER_RULES))
def test_each_level_imports_only_what_lies_below(package):
    forbidden, why = LAYER_RULES[package]
    wrong = sorted(f'{module} imports {imported}'
                   for module, imports in GRAPH.items() if package_of(module) == package
                   for imported in imports
                   if package_of(imported) in forbidden and (module, imported) not in EXCEPTIONS)
    assert not wrong, f'{package} must not import {", ".join(forbidden)} ({why}):\n' + '\n'.join(wrong)


FRESH_PROGRAM = '''
import sys
import numpy as np
from teachnet.saving import load_model             # nothing else: teachnet.models is not imported here
model = load_model(sys.argv[1])
print(type(model).__name__, [type(layer).__name__ for layer in model.layers])
from teachnet.layers import Dense
print(Dense(2, input_dim=3).trace(np.ones((1, 3))).layers())
'''


def test_what_points_up_is_joined_by_import_teachnet(tmp_path):
    """In a fresh interpreter that imports only teachnet.saving, a saved model (a Merge of
    two Sequential branches) loads: its classes are registered by name. A layer's trace
    runs inspect's trace_layer, which the layers never import."""
    from teachnet.layers import Dense, Merge
    from teachnet.models import Sequential
    left, right = Sequential([Dense(2, input_dim=3)]), Sequential([Dense(2, input_dim=4)])
    Sequential([Merge([left, right], mode='concat'), Dense(1)]).save(tmp_path / 'merged.h5')
    result = subprocess.run([sys.executable, '-c', FRESH_PROGRAM, str(tmp_path / 'merged.h5')],
                            capture_output=True, text=True, cwd=ROOT.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[:2] == ["Sequential ['Merge', 'Dense']", "['dense_1']"]

#!/usr/bin/env bash
# The GPU checks of issue 13 in one run, for a machine with a GPU and CuPy (about 5
# minutes): the recurrent tests on CuPy, the LSTM's one-kernel steps among them (compiled
# by CuPy's NVRTC, checked against the reference cell and against the array calls), then
# gpu_check.py (NumPy against CuPy to rounding, then speed next to PyTorch, the LSTM models
# with and without the kernels). Logs go to $OUT when it is set, else to gpu-logs/.
#
#     bash benchmarks/gpu_session.sh
set -u -o pipefail
cd "$(dirname "$0")/.."
logs=${OUT:-gpu-logs}
mkdir -p "$logs"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python=${PYTHON:-python3}

"$python" -c 'import cupy, numpy; print("cupy", cupy.__version__, "numpy", numpy.__version__,
cupy.cuda.runtime.getDeviceProperties(0)["name"].decode())' 2>&1 | tee "$logs/versions.log" || exit 1

# the LSTM kernels first: if CuPy's compiler refuses their source, this says so at once
timeout 240 "$python" -m pytest -q -p no:cacheprovider --backends=cupy \
    tests/layers/test_lstm_step_kernels.py tests/layers/test_reference_cells.py \
    tests/layers/test_recurrent.py tests/layers/test_recurrent_stateful.py 2>&1 | tee "$logs/tests.log"
tests=$?

timeout 300 "$python" benchmarks/gpu_check.py 2>&1 | tee "$logs/gpu_check.log"
check=$?
echo "tests exit $tests, gpu_check exit $check" | tee -a "$logs/gpu_check.log"
[ "$tests" -eq 0 ] && [ "$check" -eq 0 ]

"""Run teachnet's benchmarks and print the results as tables of ratios.

    python benchmarks/run.py                 # everything (a few minutes on 2 cores)
    python benchmarks/run.py --quick         # fewer repeats, a smaller epoch: a smoke run
    python benchmarks/run.py --only large tiny tape agreement --repeats 9

See benchmarks/README.md for what each part measures.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_mlp  # noqa: E402  (found through the path set just above)

PARTS = ('agreement', 'large', 'tiny', 'tape')


def row(name, times, per, unit, scale, extra=''):
    median, low, high = (t / per * scale for t in bench_mlp.spread(times))
    return f"  {name:<14}{median:10.3f} {unit:<10}({low:.3f} .. {high:.3f}){extra}"


def print_large(result):
    times, count = result['times'], result['count']
    print(f"(a) MLP 784-512-512-10, relu, Dropout(0.2), RMSprop, batch {result['batch_size']}: "
          f"one epoch of {count} samples")
    print("  median s/epoch (min .. max)   samples/s   held-out accuracy")
    for name, samples in times.items():
        median = bench_mlp.spread(samples)[0]
        print(row(name, samples, 1, 's', 1, f"   {count / median:9.0f}   {result['accuracy'][name]:.3f}"))
    ratio_lines(times, 1.05)                # issue 13: within 1.05x of NumPy by hand


def print_tiny(result):
    times, batches = result['times'], result['batches']
    print(f"(b) the guide's MLP 20-64-64-10, tanh, Dropout(0.5), SGD nesterov, batch "
          f"{result['batch_size']}: {batches} batches per timing")
    print("  median ms/batch (min .. max)   held-out accuracy")
    for name, samples in times.items():
        print(row(name, samples, batches, 'ms', 1e3, f"   {result['accuracy'][name]:.3f}"))
    median = bench_mlp.spread(times['teachnet'])[0] / batches * 1e3
    print(f"  target teachnet <= 0.25 ms/batch: {'met' if median <= 0.25 else 'NOT met'} ({median:.3f} ms)")
    if 'torch' in times:                    # issue 13: ahead of PyTorch per batch
        torch_median = bench_mlp.spread(times['torch'])[0] / batches * 1e3
        print(f"  target teachnet ahead of torch per batch: "
              f"{'met' if median < torch_median else 'NOT met'} ({median:.3f} against {torch_median:.3f} ms)")
    ratio_lines(times, None)


def ratio_lines(times, target):
    teachnet = bench_mlp.spread(times['teachnet'])[0]
    reference = bench_mlp.spread(times['reference'])[0]
    ratio = teachnet / reference
    verdict = '' if target is None else f"   target <= {target}: {'met' if ratio <= target else 'NOT met'}"
    print(f"  teachnet time / reference time = {ratio:.2f}{verdict}")
    rounds = bench_mlp.paired_ratios(times['teachnet'], times['reference'])     # the two in the same minute
    print(f"  teachnet time / reference time, round by round: {', '.join(f'{r:.2f}' for r in rounds)}")
    if 'teachnet+acc' in times:
        print(f"  teachnet with metrics=['accuracy'] / reference = "
              f"{bench_mlp.spread(times['teachnet+acc'])[0] / reference:.2f}")
    if 'torch' in times:
        torch_time = bench_mlp.spread(times['torch'])[0]
        print(f"  torch throughput / teachnet throughput = {teachnet / torch_time:.2f}   "
              f"(reference / torch time = {reference / torch_time:.2f})")


def print_tape(results):
    print("(c) what the tape costs, per batch (teachnet only), median µs (min .. max)")
    for label, steps in results.items():
        print(f"  {label}")
        base = bench_mlp.spread(steps['forward, no tape, no dropout (predict)'])[0]
        for name, samples in steps.items():
            median, low, high = (t * 1e6 for t in bench_mlp.spread(samples))
            print(f"    {name:<52}{median:9.1f} µs  ({low:.1f} .. {high:.1f})  x{median / 1e6 / base:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', nargs='+', choices=PARTS, default=list(PARTS))
    parser.add_argument('--repeats', type=int, default=None, help='timings per contender')
    parser.add_argument('--quick', action='store_true', help='few repeats, a 12,800-sample epoch')
    args = parser.parse_args(argv)
    print("environment:", ', '.join(f"{key} {value}" for key, value in bench_mlp.environment().items()))
    print()
    if 'agreement' in args.only:
        print("agreement: max |θ_teachnet - θ_reference| after 32 identical steps (same weights, masks, batches)")
        for name, difference in bench_mlp.check_agreement().items():
            print(f"  {name:<16}{difference:.2e}")
        print()
    if 'large' in args.only:
        repeats = args.repeats or (2 if args.quick else 5)
        print_large(bench_mlp.bench_large(repeats, count=12800 if args.quick else 60000))
        print()
    if 'tiny' in args.only:
        repeats = args.repeats or (3 if args.quick else 7)
        print_tiny(bench_mlp.bench_tiny(repeats, epochs=3 if args.quick else 10))
        print()
    if 'tape' in args.only:
        repeats = args.repeats or (3 if args.quick else 7)
        print_tape(bench_mlp.bench_tape(repeats))
        print()
    print(f"load average at the end: {bench_mlp.load_average()} (on {bench_mlp.os.cpu_count()} CPUs)")


if __name__ == '__main__':
    main()

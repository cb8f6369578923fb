#!/usr/bin/python3
"""Thread scaling of saddle_bench's workloads: each timed with 1 thread and with T (2 by default),
one workload at a time, the two runs back to back in alternating order for several rounds, so that
both see the same load on a shared machine; reports the median over rounds of each run's median,
and the speed-up t(1)/t(T) as the median over rounds of each round's pair, with its range and its
target. Pairs taken seconds apart cancel the slow swings of a shared machine's speed that times
taken a whole suite apart do not.

Threads are SADDLE_NUM_THREADS (nn's workers) and OPENBLAS_NUM_THREADS together. Beside them it
times shard_products/softmax/f32, the products alone of the softmax regression's shards on data of
their own (bench/nn_bench.cpp): nothing shared, nothing serial, so its speed-up is what this
machine's cores give such work when all are busy, the ceiling for train_step/softmax/f32's.
Usage: /usr/bin/python3 bench/thread_scaling.py BENCH_BINARY [--threads 2] [--rounds 3] [--repetitions 5]
       [--filter REGEX]
"""
import os
import re
import statistics
import subprocess
import sys

from compare import bench_medians, check_counts, round_parser

TARGET = 1.7  # the training steps and hvp/lenet5/f64 on 2 threads against 1
REFERENCE = "shard_products/softmax/f32"
DEFAULT_FILTER = "^(train_step/|hvp/lenet5/|shard_products/)"


def main():
    parser = round_parser(__doc__, repetitions=5)
    parser.add_argument("--filter", default=DEFAULT_FILTER, help=f"benchmarks to time (default {DEFAULT_FILTER})")
    args = parser.parse_args()
    check_counts("thread_scaling", args)
    names = [n for n in subprocess.run([args.binary, "--benchmark_list_tests=true"], check=True, capture_output=True,
                                       text=True).stdout.split() if re.search(args.filter, n)]
    if not names:
        sys.exit(f"thread_scaling: no benchmark of {args.binary} matches --filter {args.filter}")
    one, many, pairs = {}, {}, {}
    blas = "?"
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        for name in names:
            runs = [(1, one), (args.threads, many)]
            for threads, into in runs if r % 2 == 0 else runs[::-1]:
                times, context = bench_medians(args.binary, threads, args.repetitions, f"^{re.escape(name)}$")
                blas = context.get("blas", "?")
                into.setdefault(name, []).append(times[name.removesuffix("/real_time")])
            pairs.setdefault(name, []).append(one[name][-1] / many[name][-1])
    print(f"median over {args.rounds} rounds of the median of {args.repetitions}; speed-up: the median of the "
          f"rounds' pairs (their range); {blas}")
    print(f"| workload | 1 thread ms | {args.threads} threads ms | speed-up | range | target |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        a, b = statistics.median(one[name]), statistics.median(many[name])
        if name == REFERENCE:
            target = "(the ceiling)"
        else:
            target = f"≥ {TARGET}" if args.threads == 2 else ""
        p = pairs[name]
        print(f"| `{name}` | {a:.3f} | {b:.3f} | {statistics.median(p):.2f} | {min(p):.2f}–{max(p):.2f} | {target} |")
    if REFERENCE in pairs and args.threads == 2:
        ceiling = statistics.median(pairs[REFERENCE])
        where = "above" if ceiling >= TARGET else "below"
        print(f"The cores' ceiling in this run, {ceiling:.2f}×, is {where} the target {TARGET}×: a step that "
              "shares data between its workers or runs anything alone scales less than work that does neither.")


if __name__ == "__main__":
    main()

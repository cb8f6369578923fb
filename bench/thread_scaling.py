#!/usr/bin/python3
"""Thread scaling of saddle_bench's workloads: each timed with 1 thread and with T (2 by default)
in the same process, the repetitions of both in random order (Google Benchmark's random
interleaving), so that a slow spell of a shared machine falls on both thread counts alike; several
such rounds, each its own process. Reports the median over rounds of each side's median, and the
speed-up t(1)/t(T) as the median over rounds of each round's own ratio, with their range and the
target.

The T-thread side is the workload under SADDLE_NUM_THREADS=T and OPENBLAS_NUM_THREADS=T; the
1-thread side is saddle_bench's one_worker/<name>, the same workload with one worker (WorkerLimit)
and OpenBLAS held to one thread (SingleThreadedBlas), as SADDLE_NUM_THREADS=1 and
OPENBLAS_NUM_THREADS=1 would run it (bench/nn_bench.cpp). Beside them it times
shard_products/softmax/f32, the products alone of the softmax regression's shards on data of their
own: nothing shared, nothing serial, so its speed-up is what this machine's cores give such work
when all are busy, the ceiling for train_step/softmax/f32's.
Usage: /usr/bin/python3 bench/thread_scaling.py BENCH_BINARY [--threads 2] [--rounds 3] [--repetitions 5]
       [--filter REGEX]
"""
import os
import re
import statistics
import subprocess
import sys

from compare import bench_medians, check_counts, round_parser, spread

TARGET = 1.7  # the training steps and hvp/lenet5/f64 on 2 threads against 1
REFERENCE = "shard_products/softmax/f32"
ONE = "one_worker/"  # the prefix of a workload's 1-thread twin in saddle_bench
DEFAULT_FILTER = "^(train_step/|hvp/lenet5/|shard_products/)"


def main():
    parser = round_parser(__doc__, repetitions=5)
    parser.add_argument("--filter", default=DEFAULT_FILTER, help=f"benchmarks to time (default {DEFAULT_FILTER})")
    args = parser.parse_args()
    check_counts("thread_scaling", args)
    # Named as bench_medians names its results: without a /real_time suffix.
    listed = [n.removesuffix("/real_time") for n in subprocess.run(
        [args.binary, "--benchmark_list_tests=true"], check=True, capture_output=True, text=True).stdout.split()]
    names = [n for n in listed if ONE + n in listed and re.search(args.filter, n)]
    if not names:
        sys.exit(f"thread_scaling: no benchmark of {args.binary} with a one_worker/ twin matches --filter {args.filter}")
    pattern = f"^({re.escape(ONE)})?({'|'.join(re.escape(n) for n in names)})(/real_time)?$"
    one, many, pairs = {}, {}, {}
    blas = "?"
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        times, context = bench_medians(args.binary, args.threads, args.repetitions, pattern, interleave=True)
        blas = context.get("blas", "?")
        for name in names:
            a, b = times[ONE + name], times[name]
            one.setdefault(name, []).append(a)
            many.setdefault(name, []).append(b)
            pairs.setdefault(name, []).append(a / b)
    print(f"median over {args.rounds} rounds of the median of {args.repetitions}, both thread counts interleaved in "
          f"each round; speed-up: the median of the rounds' ratios (their range); {blas}")
    print(f"| workload | 1 thread ms | {args.threads} threads ms | speed-up | range | target |")
    print("|---|---:|---:|---:|---:|---:|")
    speedup = {name: round(statistics.median(p), 2) for name, p in pairs.items()}  # as printed, as compared
    for name in names:
        a, b = statistics.median(one[name]), statistics.median(many[name])
        if name == REFERENCE:
            target = "(the ceiling)"
        else:
            target = f"≥ {TARGET}" if args.threads == 2 else ""
        print(f"| `{name}` | {a:.3f} | {b:.3f} | {speedup[name]:.2f} | {spread(pairs[name])} | {target} |")
    if REFERENCE in speedup and args.threads == 2:
        ceiling = speedup[REFERENCE]
        where = "at or above" if ceiling >= TARGET else "below"
        print(f"The cores' ceiling in this run, {ceiling:.2f}×, is {where} the target {TARGET}×: a step that "
              "shares data between its workers or runs anything alone scales less than work that does neither.")


if __name__ == "__main__":
    main()

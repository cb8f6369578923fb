#!/usr/bin/python3
"""What a Hessian-vector product costs against a gradient: hvp/mlp ÷ grad/mlp in saddle_bench, in
float and double, beside the same ratio for their matrix products alone (hvp_floor/mlp ÷
blas_floor/mlp: the products in raw BLAS, one call each, bench/autodiff_bench.cpp), with the
target 2.1.

Forward-over-reverse asks 4 products of the first layer's size for the gradient's 2, and 9 of
each other layer's for 3: on this MLP 2.12 × the gradient's multiply-adds. An engine whose own
work (activations, loss, tape, copies) is lean shows about the products' ratio; below it only
if its gradient carries more of that work than its HVP does.

Each round runs the eight benchmarks interleaved in random order (Google Benchmark's
--benchmark_enable_random_interleaving) with 1 thread and with T; the table gives the median over
rounds of each round's ratio of medians, and the rounds' range.

Usage: /usr/bin/python3 bench/hvp_cost.py BENCH_BINARY [--threads 2] [--rounds 3] [--repetitions 9]
"""
import os
import statistics
import sys

from compare import bench_medians, check_counts, round_parser, spread

TARGET = 2.1
PATTERN = "^(grad|hvp|blas_floor|hvp_floor)/mlp/f(32|64)$"


def main():
    args = round_parser(__doc__, repetitions=9).parse_args()
    check_counts("hvp_cost", args)
    thread_counts = sorted({1, args.threads})
    ratios = {}  # (precision, threads) -> ([engine ratio per round], [products' ratio per round])
    blas = "?"
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        for threads in thread_counts:
            times, context = bench_medians(args.binary, threads, args.repetitions, PATTERN, interleave=True)
            blas = context.get("blas", "?").rsplit(", ", 1)[0]  # the library and kernel, less the thread count
            for p in ["f32", "f64"]:
                engine, products = ratios.setdefault((p, threads), ([], []))
                engine.append(times[f"hvp/mlp/{p}"] / times[f"grad/mlp/{p}"])
                products.append(times[f"hvp_floor/mlp/{p}"] / times[f"blas_floor/mlp/{p}"])
    print(f"median over {args.rounds} rounds of the ratio of medians of {args.repetitions} (range); {blas}")
    print("| precision | threads | hvp ÷ grad | range | products alone | range | target |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for (p, threads), (engine, products) in sorted(ratios.items()):
        e, f = statistics.median(engine), statistics.median(products)
        print(f"| {p} | {threads} | {e:.2f} | {spread(engine)} | {f:.2f} | {spread(products)} | ≤ {TARGET} |")
        if e > TARGET:
            where = ("the products alone ask more" if f > TARGET else "the products alone leave room for it")
            verdicts.append(f"{p} on {threads} thread{'s' if threads > 1 else ''}: {e:.2f} over the target; {where} "
                            f"({f:.2f})")
    print("Every ratio within the target." if not verdicts else "Not met: " + "; ".join(verdicts) + ".")


if __name__ == "__main__":
    main()

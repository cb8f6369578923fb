#!/usr/bin/python3
"""Side-by-side table of saddle's nn benchmarks and PyTorch's (bench/peers/pytorch.py).

Runs the two alternately for several rounds, so that both see the same load on a shared machine,
and reports for each workload the median over rounds of each round's median, and the ratio
saddle/PyTorch with its target. For a step with a floor (its matrix products alone, one BLAS call
each: step_products/mlp/f32 for train_step/mlp/f32) it also says whether the floor leaves room for
the target.

Usage: /usr/bin/python3 bench/compare.py BENCH_BINARY [--rounds 3] [--repetitions 5] [--threads N]
(BENCH_BINARY: the Google Benchmark executable holding bench/nn_bench.cpp, e.g. build/bench/saddle_bench)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {  # saddle/PyTorch at most, with OPENBLAS_CORETYPE unset, one thread and two
    "train_step/mlp/f32": 0.5,
    "train_step/cnn/f32": 0.25,
    "train_step/lenet5/f32": 0.35,
    "hvp/lenet5/f64": 0.2,
    "conv2d_fwd/lenet5_c2/f32": 1.0,
}
NAMES = ["grad/mlp/f64", "hvp/mlp/f64", "grad/mlp/f32", "hvp/mlp/f32", "train_step/softmax/f32", "train_step/mlp/f32", "train_step/cnn/f32", "train_step/lenet5/f32", "hvp/mlp_model/f64",
         "hvp/lenet5/f64", "conv2d_fwd/lenet5_c2/f32", "conv2d_bwd/lenet5_c2/f32", "step_products/mlp/f32"]
# A workload's floor: its matrix products alone, one BLAS call each on the whole batch (no engine's
# step on this BLAS is faster), timed on both sides like the rest.
FLOORS = {"train_step/mlp/f32": "step_products/mlp/f32"}


def bench_medians(binary, threads, repetitions, pattern, interleave=False):
    """saddle_bench's benchmarks matching `pattern` with `threads` (nn's workers and OpenBLAS's):
    {name: median ms} and the run's context (Google Benchmark's, with saddle's entries). With
    `interleave`, the repetitions of all of them run in random order, so that a slow spell of a
    shared machine falls on each alike."""
    env = dict(os.environ, SADDLE_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    command = [binary, f"--benchmark_filter={pattern}", f"--benchmark_repetitions={repetitions}",
               "--benchmark_format=json"]
    if interleave:
        command.append("--benchmark_enable_random_interleaving=true")
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    report = json.loads(out)
    times = {}
    for b in report["benchmarks"]:
        # the median of the repetitions; with one repetition Google Benchmark reports no aggregates
        if b.get("aggregate_name") == "median" or (repetitions == 1 and b.get("run_type") == "iteration"):
            times[b["run_name"].removesuffix("/real_time")] = b["real_time"] * scale[b["time_unit"]]
    return times, report.get("context", {})


def spread(xs):
    """The rounds' range of a ratio, as the tables print it: "min–max"."""
    return f"{min(xs):.2f}–{max(xs):.2f}"


def round_parser(description, repetitions):
    """The arguments of a script that times saddle_bench alone in alternating rounds: the binary,
    --threads (against 1), --rounds, --repetitions; check them with check_counts."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="saddle_bench")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=repetitions)
    return parser


def check_counts(program, args):
    """Stops `program` with one line if --threads, --rounds or --repetitions is not positive."""
    for name in ["threads", "rounds", "repetitions"]:
        value = getattr(args, name)
        if value < 1:
            sys.exit(f"{program}: --{name} = {value} is not a positive whole number")


def saddle_round(binary, repetitions, threads):
    times, context = bench_medians(binary, threads, repetitions,
                                   "^(grad/mlp/|hvp/mlp/|train_step/|hvp/mlp_model|hvp/lenet5|conv2d_|step_products/)")
    times["context"] = (f"saddle: {context.get('blas', '?')}; convolution kernels "
                        f"{context.get('saddle_conv_kernels', '?')}, {context.get('saddle_nn_workers', '?')} nn workers")
    return times


def pytorch_round(repetitions, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, os.path.join(HERE, "peers", "pytorch.py"), "--repetitions",
                          str(repetitions), "--threads", str(threads)], check=True, capture_output=True,
                         text=True, env=env).stdout
    return json.loads(out)["median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="the Google Benchmark executable holding bench/nn_bench.cpp")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="threads for both: SADDLE_NUM_THREADS, torch.set_num_threads and, for both, "
                        "OPENBLAS_NUM_THREADS (PyTorch's matrix products in double go to the same OpenBLAS)")
    args = parser.parse_args()
    ours, theirs = {n: [] for n in NAMES}, {n: [] for n in NAMES}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        times = saddle_round(args.binary, args.repetitions, args.threads)
        context = times.pop("context")
        for n, t in times.items():
            ours.setdefault(n, []).append(t)
        for n, t in pytorch_round(args.repetitions, args.threads).items():
            theirs.setdefault(n, []).append(t)
    print(f"{args.threads} threads each, median over {args.rounds} rounds of the median of {args.repetitions}")
    print(f"{context}; PyTorch: OpenBLAS's own kernel under OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, oneDNN for float convolutions")
    print(f"| workload | saddle ms | PyTorch ms | saddle/PyTorch | target |")
    print(f"|---|---:|---:|---:|---:|")
    for n in NAMES:
        if not ours[n] or not theirs[n]:
            continue
        a, b = statistics.median(ours[n]), statistics.median(theirs[n])
        target = f"≤ {TARGETS[n]}" if n in TARGETS else ""
        print(f"| `{n}` | {a:.3f} | {b:.3f} | {a / b:.2f} | {target} |")
    for n, floor in FLOORS.items():
        if ours[n] and theirs[n] and ours[floor] and theirs[floor] and n in TARGETS:
            step, products = statistics.median(theirs[n]), min(statistics.median(ours[floor]), statistics.median(theirs[floor]))
            verdict = ("not ruled out by them" if products < TARGETS[n] * step
                       else "out of reach on this machine: the products alone exceed it")
            print(f"`{n}`: its products alone (`{floor}`, the faster side) take {products:.3f} ms, "
                  f"{products / step:.2f} × PyTorch's step; the target ≤ {TARGETS[n]} × is {verdict}")


if __name__ == "__main__":
    main()

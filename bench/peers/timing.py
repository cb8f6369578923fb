"""Timing and the command line shared by the PyTorch peers (pytorch.py, pytorch_hessian.py, mlp_engine.py):
each peer defines WORKLOADS {name: () -> step} under saddle_bench's names and calls run(WORKLOADS, __doc__)."""
import argparse
import json
import os
import statistics
import time

import torch


def median_ms(step, repetitions, min_time=0.5):
    """Median over repetitions of the mean time of a run of calls lasting at least min_time/10 s."""
    for _ in range(3):
        step()  # warm up: allocator, oneDNN primitives
    start = time.perf_counter()
    step()
    once = time.perf_counter() - start
    calls = max(1, int(min_time / 10 / max(once, 1e-9)))
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(calls):
            step()
        samples.append((time.perf_counter() - start) / calls * 1e3)
    return statistics.median(samples)


def run(workloads, doc, repetitions=10):
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=repetitions)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--filter", default="", help="run only the workloads whose name contains this")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    for name, make in workloads.items():
        if args.filter in name:
            results[name] = median_ms(make(), args.repetitions)
    if args.table:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, median of {args.repetitions}")
        for name, ms in results.items():
            print(f"{name:32s} {ms:10.3f} ms")
    else:
        print(json.dumps({"torch": torch.__version__, "threads": args.threads, "median_ms": results}, indent=1))

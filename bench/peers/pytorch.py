#!/usr/bin/python3
"""PyTorch's times for the workloads of bench/nn_bench.cpp, under the same names and shapes.

  train_step/<model>/f32   forward, backward and an SGD update on 200 random images
  hvp/<model>/f64          Hessian-vector product over 1,000 samples by double backward:
                           Hv = ∇(∇L·v), with create_graph=True on the first gradient
  conv2d_fwd|bwd/lenet5_c2/f32   LeNet-5's second convolution (6→16, 5×5) on (200, 6, 14, 14)

Prints one JSON object {name: median milliseconds}, or a table with --table.
Usage: /usr/bin/python3 bench/peers/pytorch.py [--repetitions 10] [--threads N] [--table]
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def softmax_regression():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(392, 64), nn.ReLU(), nn.Linear(64, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


MODELS = {"softmax": softmax_regression, "mlp": mlp, "cnn": small_cnn, "lenet5": lenet5}


def batch(n, dtype):
    x = torch.rand(n, 1, 28, 28, dtype=dtype)
    y = torch.randint(0, 10, (n,))
    return x, y


def train_step(name):
    model = MODELS[name]()
    params = list(model.parameters())
    x, y = batch(200, torch.float32)
    lr = 0.01

    def step():
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
                p.grad = None
        return loss

    return step


def hvp(name):
    model = MODELS[name]().double()
    params = list(model.parameters())
    x, y = batch(1000, torch.float64)
    v = [torch.randn_like(p) for p in params]

    def step():
        loss = F.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        dot = sum((g * u).sum() for g, u in zip(grads, v))
        return torch.autograd.grad(dot, params)

    return step


def lenet_c2(requires_grad):
    x = (0.1 * torch.randn(200, 6, 14, 14)).requires_grad_(requires_grad)
    w = (0.1 * torch.randn(16, 6, 5, 5)).requires_grad_(requires_grad)
    b = (0.1 * torch.randn(16)).requires_grad_(requires_grad)
    return x, w, b


def conv2d_fwd():
    x, w, b = lenet_c2(False)

    def step():
        with torch.no_grad():
            return F.conv2d(x, w, b)

    return step


def conv2d_bwd():
    # backward of sum(conv2d(x, w, b)) into x, w and b; the forward is recorded once
    x, w, b = lenet_c2(True)
    loss = F.conv2d(x, w, b).sum()

    def step():
        return torch.autograd.grad(loss, (x, w, b), retain_graph=True)

    return step


WORKLOADS = {
    "train_step/mlp/f32": lambda: train_step("mlp"),
    "train_step/cnn/f32": lambda: train_step("cnn"),
    "train_step/lenet5/f32": lambda: train_step("lenet5"),
    "hvp/mlp_model/f64": lambda: hvp("mlp"),
    "hvp/lenet5/f64": lambda: hvp("lenet5"),
    "conv2d_fwd/lenet5_c2/f32": conv2d_fwd,
    "conv2d_bwd/lenet5_c2/f32": conv2d_bwd,
}


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--filter", default="", help="run only the workloads whose name contains this")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    for name, make in WORKLOADS.items():
        if args.filter in name:
            results[name] = median_ms(make(), args.repetitions)
    if args.table:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, median of {args.repetitions}")
        for name, ms in results.items():
            print(f"{name:32s} {ms:10.3f} ms")
    else:
        print(json.dumps({"torch": torch.__version__, "threads": args.threads, "median_ms": results}, indent=1))


if __name__ == "__main__":
    main()

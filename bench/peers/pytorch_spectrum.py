#!/usr/bin/python3
"""PyTorch's side of the full-dataset spectrum (bench/spectrum_compare.py): the top eigenvalues of
LeNet-5's Hessian of the mean cross-entropy over the first N MNIST training images, by a fixed
number of Lanczos steps on double-backward products, as PyHessian computes them.

The model is saddle's LeNet-5 (conv1 6@5x5 pad 2, ReLU, max-pool 2, conv2 16@5x5, ReLU, max-pool 2,
fc1 400-120, ReLU, fc2 120-84, ReLU, fc3 84-10) with the weights of a saddle .npz
(nn::save_weights: the same names and layouts as torch.nn). The images are the IDX bytes / 255,
as saddle reads them.

A product H v = sum_b (N_b / N) H_b v over batches of --batch rows, each H_b v = grad(grad(L_b) . v)
with create_graph=True, computed in --dtype and summed in float64. Lanczos keeps its vectors and
sums in float64 with full reorthogonalisation (classical Gram-Schmidt, twice), as saddle's does,
and returns the top Ritz values of the tridiagonal after --steps products.

Prints one JSON object: eigenvalues, products, seconds (the Lanczos run; loading is not timed).
Usage: /usr/bin/python3 bench/peers/pytorch_spectrum.py --weights W.npz --data DIR [--samples 60000]
       [--batch 1000] [--steps 30] [--top 5] [--dtype float32|float64] [--threads N] [--seed 0]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from double_backward import make_hvp


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def read_idx(path, magic, count):
    with open(path, "rb") as f:
        data = f.read()
    if int.from_bytes(data[:4], "big") != magic:
        sys.exit(f"pytorch_spectrum: {path} is not an IDX file of magic {magic:#x}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(magic & 0xff)]
    if dims[0] < count:
        sys.exit(f"pytorch_spectrum: {path} holds {dims[0]} items, fewer than --samples {count}")
    offset = 4 + 4 * len(dims)
    size = int(np.prod(dims[1:])) if len(dims) > 1 else 1
    return np.frombuffer(data, dtype=np.uint8, count=count * size, offset=offset).reshape([count] + dims[1:])


def load_model(path, dtype):
    model = LeNet5().to(dtype)
    weights = np.load(path)
    state = model.state_dict()
    for name in state:
        if name not in weights or weights[name].shape != tuple(state[name].shape):
            sys.exit(f"pytorch_spectrum: {path} has no {name} of shape {tuple(state[name].shape)}")
        state[name] = torch.from_numpy(np.asarray(weights[name], dtype=np.float64)).to(dtype)
    model.load_state_dict(state)
    return model


def lanczos(apply, n, steps, top, seed):
    generator = torch.Generator().manual_seed(seed)
    q = torch.randn(n, dtype=torch.float64, generator=generator)
    basis, alpha, beta = [q / q.norm()], [], []
    for j in range(steps):
        w = apply(basis[-1])
        Q = torch.stack(basis)
        a = 0.0
        for _ in range(2):  # full reorthogonalisation, twice
            c = Q @ w
            w = w - Q.T @ c
            a += float(c[-1])
        alpha.append(a)
        b = float(w.norm())
        if j + 1 < steps:
            beta.append(b)
            basis.append(w / b)
    t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return sorted(np.linalg.eigvalsh(t)[-top:].tolist(), reverse=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, help="saddle's LeNet-5 weights (.npz)")
    parser.add_argument("--data", required=True, help="a directory with MNIST's IDX files")
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30, help="Lanczos steps (products)")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name, value in [("--samples", args.samples), ("--batch", args.batch), ("--steps", args.steps),
                        ("--top", args.top), ("--threads", args.threads)]:
        if value < 1:
            sys.exit(f"pytorch_spectrum: {name} = {value} is not a positive whole number")
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte"), 0x803, args.samples)
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte"), 0x801, args.samples)
    x = (torch.from_numpy(images.astype(np.float64)) / 255.0).to(dtype).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64)).reshape(-1)
    model = load_model(args.weights, dtype)
    params = list(model.parameters())
    hvp = make_hvp(model, params, x, y, args.batch, accumulate=torch.float64)
    shapes, sizes = [p.shape for p in params], [p.numel() for p in params]

    def apply(q):
        pieces = [t.reshape(s) for t, s in zip(torch.split(q, sizes), shapes)]
        return torch.cat([h.reshape(-1) for h in hvp(pieces)])

    start = time.perf_counter()
    eigenvalues = lanczos(apply, sum(sizes), args.steps, args.top, args.seed)
    seconds = time.perf_counter() - start
    print(json.dumps({"eigenvalues": eigenvalues, "products": args.steps, "seconds": seconds,
                      "dtype": args.dtype, "threads": args.threads, "samples": args.samples,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

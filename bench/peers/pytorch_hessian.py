#!/usr/bin/python3
"""PyTorch's times for the workloads of bench/analysis_bench.cpp, under the same names and shapes:
the MLP 784-128-64-10 (ReLU, cross-entropy) in float64 over 1,000 random images (uniform pixels,
random labels).

  hessian_hvp/mlp/f64       one Hessian-vector product over the 1,000 samples by double backward,
                            Hv = ∇(∇L·v) with create_graph=True, in 4 batches of 250 weighted 1/4
  hessian_hvp_1batch/mlp/f64  the same in a single batch of 1,000
  lanczos20/mlp/f64         20 Lanczos steps with full reorthogonalisation (as saddle's), then the
                            top-5 Ritz values of the tridiagonal (numpy.linalg.eigh)
  per_sample_grad/mlp/f64   the 1,000 per-sample gradients, one autograd.grad per sample
  per_sample_grad_vmap/mlp/f64  the same with functorch's vmap(grad(...)) in chunks of 250

Prints one JSON object {name: median milliseconds}, or a table with --table.
Usage: /usr/bin/python3 bench/peers/pytorch_hessian.py [--repetitions 5] [--threads N] [--table]
"""

import numpy as np
import torch

from double_backward import make_hvp
from timing import run
import torch.nn as nn
import torch.nn.functional as F

SAMPLES, BATCH = 1000, 250


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10)).double()


def problem():
    model = mlp()
    params = list(model.parameters())
    x = torch.rand(SAMPLES, 1, 28, 28, dtype=torch.float64)
    y = torch.randint(0, 10, (SAMPLES,))
    return model, params, x, y


def hessian_hvp(batch):
    model, params, x, y = problem()
    hvp = make_hvp(model, params, x, y, batch)
    v = [torch.randn_like(p) for p in params]
    return lambda: hvp(v)


def lanczos20():
    model, params, x, y = problem()
    hvp = make_hvp(model, params, x, y, BATCH)
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]

    def apply(q):
        pieces = [t.reshape(s) for t, s in zip(torch.split(q, sizes), shapes)]
        return torch.cat([h.reshape(-1) for h in hvp(pieces)])

    def step():
        n = sum(sizes)
        q = torch.randn(n, dtype=torch.float64)
        q /= q.norm()
        basis, alpha, beta = [q], [], []
        for j in range(20):
            w = apply(basis[-1])
            Q = torch.stack(basis)
            for _ in range(2):  # classical Gram–Schmidt, twice
                c = Q @ w
                w = w - Q.T @ c
                if _ == 0:
                    alpha.append(float(c[-1]))
                else:
                    alpha[-1] += float(c[-1])
            b = float(w.norm())
            if j < 19:
                beta.append(b)
                basis.append(w / b)
        T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
        return np.linalg.eigh(T)[0][-5:]

    return step


def per_sample_grad():
    model, params, x, y = problem()

    def step():
        total = 0.0
        for i in range(SAMPLES):
            loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
            g = torch.autograd.grad(loss, params)
            total += float(g[-1][0])
        return total

    return step


def per_sample_grad_vmap():
    from functorch import grad, make_functional, vmap
    model, _, x, y = problem()
    fmodel, params = make_functional(model)

    def loss(p, xi, yi):
        return F.cross_entropy(fmodel(p, xi.unsqueeze(0)), yi.unsqueeze(0))

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))

    def step():
        return [per_sample(params, x[b:b + BATCH], y[b:b + BATCH]) for b in range(0, SAMPLES, BATCH)]

    return step


WORKLOADS = {
    "hessian_hvp/mlp/f64": lambda: hessian_hvp(BATCH),
    "hessian_hvp_1batch/mlp/f64": lambda: hessian_hvp(SAMPLES),
    "lanczos20/mlp/f64": lanczos20,
    "per_sample_grad/mlp/f64": per_sample_grad,
    "per_sample_grad_vmap/mlp/f64": per_sample_grad_vmap,
}


if __name__ == "__main__":
    run(WORKLOADS, __doc__, repetitions=5)

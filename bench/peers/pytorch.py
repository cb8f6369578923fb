#!/usr/bin/python3
"""PyTorch's times for the workloads of bench/autodiff_bench.cpp and bench/nn_bench.cpp, under the
same names and shapes.

  grad|hvp/mlp/f64|f32     the engine's MLP problem (784-128-64-10, tensor ops, 1,000 samples):
                           its gradient, and its HVP by double backward

  train_step/<model>/f32   forward, backward and an SGD update on 200 random images
  hvp/<model>/f64          Hessian-vector product over 1,000 samples by double backward:
                           Hv = ∇(∇L·v), with create_graph=True on the first gradient
  conv2d_fwd|bwd/lenet5_c2/f32   LeNet-5's second convolution (6→16, 5×5) on (200, 6, 14, 14)
  step_products/mlp/f32    the eight matrix products of the MLP's training step on 200 rows

Prints one JSON object {name: median milliseconds}, or a table with --table.
Usage: /usr/bin/python3 bench/peers/pytorch.py [--repetitions 10] [--threads N] [--table]
"""

import torch

from timing import run
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


def step_products():
    """The MLP step's products as bench/nn_bench.cpp's step_products times them: per layer l the
    forward H·Wᵀ, the weight adjoint dZᵀ·H and, above the first layer, the input adjoint dZ·W."""
    widths, rows = [784, 128, 64, 10], 200
    h = [torch.rand(rows, widths[l]) for l in range(3)]
    w = [torch.randn(widths[l + 1], widths[l]) * 0.05 for l in range(3)]
    dz = [torch.randn(rows, widths[l + 1]) * 0.1 for l in range(3)]
    z = [torch.empty(rows, widths[l + 1]) for l in range(3)]
    dw = [torch.empty(widths[l + 1], widths[l]) for l in range(3)]
    dh = [torch.empty(rows, widths[l]) for l in range(3)]

    def step():
        for l in range(3):
            torch.mm(h[l], w[l].t(), out=z[l])
        for l in reversed(range(3)):
            torch.mm(dz[l].t(), h[l], out=dw[l])
            if l > 0:
                torch.mm(dz[l], w[l], out=dh[l])

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


def engine_mlp(dtype):
    """bench/autodiff_bench.cpp's problem: the MLP 784-128-64-10 (ReLU, cross-entropy) written with
    tensor ops, W stored (in, out), over 1,000 random samples; returns (loss(), params, v)."""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(1000, 784, generator=g, dtype=dtype)
    y = torch.randint(0, 10, (1000,), generator=g)
    shapes = [(784, 128), (128,), (128, 64), (64,), (64, 10), (10,)]
    params = [(torch.randn(*s, generator=g, dtype=dtype) / s[0] ** 0.5).requires_grad_() for s in shapes]
    v = [torch.randn(*s, generator=g, dtype=dtype) for s in shapes]

    def loss():
        w1, b1, w2, b2, w3, b3 = params
        h = torch.relu(torch.relu(x @ w1 + b1) @ w2 + b2)
        return F.cross_entropy(h @ w3 + b3, y)

    return loss, params, v


def engine_grad(dtype):
    loss, params, _ = engine_mlp(dtype)
    return lambda: torch.autograd.grad(loss(), params)


def engine_hvp(dtype):
    # double backward: Hv = ∇(∇L · v), the way PyTorch (and PyHessian) computes it
    loss, params, v = engine_mlp(dtype)

    def step():
        g = torch.autograd.grad(loss(), params, create_graph=True)
        return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    return step


WORKLOADS = {
    "grad/mlp/f64": lambda: engine_grad(torch.float64),
    "hvp/mlp/f64": lambda: engine_hvp(torch.float64),
    "grad/mlp/f32": lambda: engine_grad(torch.float32),
    "hvp/mlp/f32": lambda: engine_hvp(torch.float32),
    "train_step/softmax/f32": lambda: train_step("softmax"),
    "train_step/mlp/f32": lambda: train_step("mlp"),
    "train_step/cnn/f32": lambda: train_step("cnn"),
    "train_step/lenet5/f32": lambda: train_step("lenet5"),
    "hvp/mlp_model/f64": lambda: hvp("mlp"),
    "hvp/lenet5/f64": lambda: hvp("lenet5"),
    "conv2d_fwd/lenet5_c2/f32": conv2d_fwd,
    "conv2d_bwd/lenet5_c2/f32": conv2d_bwd,
    "step_products/mlp/f32": step_products,
}


if __name__ == "__main__":
    run(WORKLOADS, __doc__, repetitions=10)

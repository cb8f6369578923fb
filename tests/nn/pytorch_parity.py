#!/usr/bin/python3
"""Checks saddle's models against PyTorch's: loads the weights saddle saved (.npz, saddle's names in
named_parameters() order), runs the same inputs, and compares logits, loss, gradient and the
Hessian-vector product (PyTorch's double backward) with what saddle wrote.

Usage: pytorch_parity.py DIR MODEL...   (exit 0: agree, 1: disagree, 77: PyTorch not installed)
"""
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "peers"))
import pytorch as peers  # noqa: E402  the same model definitions the benchmarks use


def check(directory, name):
    model = peers.MODELS[name]().double()
    weights = np.load(os.path.join(directory, f"{name}_weights.npz"))
    io = np.load(os.path.join(directory, f"{name}_io.npz"))
    names = list(weights.keys())
    torch_names = list(model.state_dict().keys())
    assert len(names) == len(torch_names), (names, torch_names)
    model.load_state_dict({t: torch.from_numpy(weights[k]) for k, t in zip(names, torch_names)})
    params = list(model.parameters())
    x = torch.from_numpy(io["x"])
    labels = torch.from_numpy(io["labels"]).long()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    v = [torch.from_numpy(io["v." + k]) for k in names]
    hv = torch.autograd.grad(sum((g * u).sum() for g, u in zip(grads, v)), params)
    worst = {
        "logits": float(np.abs(logits.detach().numpy() - io["logits"]).max() / max(1.0, np.abs(io["logits"]).max())),
        "loss": abs(loss.item() - float(io["loss"])),
        "grad": max(float(np.abs(g.detach().numpy() - io["grad." + k]).max()) for g, k in zip(grads, names)),
        "hvp": max(float(np.abs(h.numpy() - io["hvp." + k]).max()) for h, k in zip(hv, names)),
    }
    print(name, " ".join(f"{k} {e:.2e}" for k, e in worst.items()))
    return all(e < 1e-10 for e in worst.values())


if __name__ == "__main__":
    ok = all([check(sys.argv[1], name) for name in sys.argv[2:]])
    sys.exit(0 if ok else 1)

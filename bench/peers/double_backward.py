"""The Hessian-vector product by double backward, shared by the PyTorch peers (pytorch_hessian.py,
pytorch_spectrum.py): H v = sum_b (N_b / N) H_b v over batches of `batch` rows, each
H_b v = grad(grad(L_b) . v) with create_graph=True on the first gradient (PyHessian's product)."""
import torch
import torch.nn.functional as F


def make_hvp(model, params, x, y, batch, accumulate=None):
    """v (a list like params) -> H v, summed in `accumulate` (default: the parameters' dtype)."""
    n = x.shape[0]

    def hvp(v):
        dtype = accumulate or params[0].dtype
        out = [torch.zeros(p.shape, dtype=dtype) for p in params]
        v = [t.to(params[0].dtype) for t in v]
        for b in range(0, n, batch):
            xb, yb = x[b:b + batch], y[b:b + batch]
            loss = F.cross_entropy(model(xb), yb)
            grads = torch.autograd.grad(loss, params, create_graph=True)
            dot = sum((g * u).sum() for g, u in zip(grads, v))
            for o, h in zip(out, torch.autograd.grad(dot, params)):
                o.add_(h.to(dtype), alpha=xb.shape[0] / n)
        return out

    return hvp

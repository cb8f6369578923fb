#!/usr/bin/env python3
"""hessian's outputs as a user reads them: the JSON of --operator, --per-layer, --trace-method,
--diag, --save-eigenvectors and --batch-spectrum on softmax regression over 100 MNIST images, and the
.npz files, each key and shape checked.

For this model the Fisher equals the generalized Gauss-Newton matrix (softmax cross-entropy) and
both equal the Hessian (the logits are linear in the parameters): the three runs must agree. The
diagonal of the bias block is exact; the eigenvectors are unit vectors and, for the bias block
alone, their length-10 parts are read back from the archive.

usage: hessian_outputs.py EXAMPLES_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def read_npy(data):
    """(shape, values) of a little-endian float64 .npy member."""
    if data[:6] != b"\x93NUMPY":
        fail("a member is not .npy")
    header_len = struct.unpack("<H", data[8:10])[0]
    header = eval(data[10 : 10 + header_len].decode("latin1"))  # a dict literal, as numpy writes it
    if header["descr"] != "<f8" or header["fortran_order"]:
        fail(f"dtype {header['descr']}")
    shape = tuple(header["shape"])
    count = 1
    for s in shape:
        count *= s
    values = struct.unpack(f"<{count}d", data[10 + header_len : 10 + header_len + 8 * count])
    return shape, values


def run(exe, args):
    result = subprocess.run([exe] + args + ["--json", "--quiet"], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"hessian {' '.join(args)}: exit {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def main():
    exe = os.path.join(sys.argv[1], "hessian")
    common = ["--model", "softmax", "--samples", "100", "--batch", "25", "--top", "2", "--bottom", "1"]
    with tempfile.TemporaryDirectory() as out:
        diag, vectors = os.path.join(out, "d.npz"), os.path.join(out, "v.npz")
        r = run(exe, common + ["--operator", "ggn", "--per-layer", "--trace", "--trace-method", "hutch++",
                               "--trace-probes", "30", "--diag", diag, "--save-eigenvectors", vectors,
                               "--batch-spectrum"])
        if r["operator"] != "ggn":
            fail(f"operator {r['operator']}")
        for part in ("top", "bottom"):
            for key in ("eigenvalues", "residuals", "tolerances", "certified", "verified", "products"):
                if key not in r[part]:
                    fail(f"{part} has no '{key}'")
        if [layer["name"] for layer in r["per_layer"]] != ["fc.weight", "fc.bias"]:
            fail(f"per_layer names {[layer['name'] for layer in r['per_layer']]}")
        if r["per_layer"][1]["parameters"] != 10 or len(r["per_layer"][1]["top"]["eigenvalues"]) != 2:
            fail("the bias block")
        if r["trace"]["method"] != "hutch++" or r["trace"]["products"] > 30:
            fail(f"trace {r['trace']}")
        b = r["batch_spectrum"]
        if b["batches"] != 4 or len(b["top"]) != 4 or not b["min"] <= b["mean"] <= b["max"]:
            fail(f"batch_spectrum {b}")

        with zipfile.ZipFile(vectors) as z:
            names = sorted(z.namelist())
            expected = sorted(f"{p}.{t}.npy" for p in ("top_1", "top_2", "bottom_1") for t in ("fc.weight", "fc.bias"))
            if names != expected:
                fail(f"eigenvector keys {names}")
            for p in ("top_1", "top_2", "bottom_1"):
                (w_shape, w), (b_shape, bias) = (read_npy(z.read(f"{p}.fc.{t}.npy")) for t in ("weight", "bias"))
                if w_shape != (10, 784) or b_shape != (10,):  # PyTorch's (out, in)
                    fail(f"{p} shapes {w_shape} {b_shape}")
                length = sum(x * x for x in w) + sum(x * x for x in bias)
                if abs(length - 1) > 1e-12:
                    fail(f"{p} has squared norm {length}")
        with zipfile.ZipFile(diag) as z:
            if sorted(z.namelist()) != sorted(["fc.weight.npy", "fc.weight.standard_error.npy", "fc.bias.npy",
                                               "fc.bias.standard_error.npy"]):
                fail(f"diagonal keys {z.namelist()}")
            _, se = read_npy(z.read("fc.bias.standard_error.npy"))
            _, wse = read_npy(z.read("fc.weight.standard_error.npy"))
            _, bias_diag = read_npy(z.read("fc.bias.npy"))
            if any(x != 0 for x in se) or not any(x > 0 for x in wse):
                fail("the bias diagonal should be exact (standard error 0), the weight's sampled")
            # The bias block of the GGN of softmax regression is the mean of diag(p) − ppᵀ: its
            # diagonal entries are in (0, 1/4] and sum to its trace, which the bias block's
            # eigenvalues bound from above (each eigenvalue ≤ the trace).
            if not all(0 < x <= 0.25 for x in bias_diag):
                fail(f"bias diagonal {bias_diag}")
            if r["per_layer"][1]["top"]["eigenvalues"][0] > sum(bias_diag) + 1e-12:
                fail("the bias block's top eigenvalue exceeds its trace")

        # The Fisher, the GGN and the Hessian of softmax regression are one matrix.
        tops = {}
        for op in ("hessian", "ggn", "fisher"):
            tops[op] = run(exe, common + ["--operator", op])["top"]["eigenvalues"]
        for op in ("ggn", "fisher"):
            for a, h in zip(tops[op], tops["hessian"]):
                if abs(a - h) > 1e-9 * abs(h):
                    fail(f"{op} top {tops[op]} against the Hessian's {tops['hessian']}")
        ef = run(exe, common + ["--operator", "empirical-fisher"])
        if not ef["bottom"]["eigenvalues"][0] >= -1e-10:
            fail(f"the empirical Fisher is positive semi-definite, bottom {ef['bottom']['eigenvalues']}")
    print("hessian outputs checked")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Two MPI processes against one (base/distributed.hpp), on the programs as a user runs them:

  hessian  top-5 of the MLP's Hessian, and of its GGN, over 200 MNIST images (2 batches of 100, one a
           rank, each in 2 shards of 50 on the rank's workers), at most 60 Lanczos steps: within
           1e-12 relative of one process (the same batch products summed in the same order, so
           the same Ritz values whether or not the run has converged; the Hessian's clustered top
           needs ~140 steps, and the cap keeps the test under 20 s on OpenBLAS's SSE3 kernels)
  train    20 SGD steps of the MLP on batches of 50 (each batch's rows split between the ranks):
           the per-epoch CSV and the saved weights equal to float rounding (the two halves of a
           batch are summed in another order than one process sums the whole batch)
  error    a bad flag under `mpirun --quiet`: exit status 2 and one line on stderr

Both sides run with SADDLE_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1: the bits of a product depend on
the thread count, and MPI binds each rank to one core.

usage: mpi_equal.py EXAMPLES_DIR {hessian,train,error}
"""
import csv
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

MPIRUN = ["mpirun", "--quiet", "--oversubscribe", "--allow-run-as-root", "-np", "2",
          "-x", "SADDLE_NUM_THREADS", "-x", "OPENBLAS_NUM_THREADS"]


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def run(cmd):
    env = dict(os.environ, SADDLE_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def weights(path):
    """{name: values} of a float32 or float64 .npz written by saddle."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            header_len = struct.unpack("<H", data[8:10])[0]
            header = eval(data[10 : 10 + header_len].decode("latin1"))
            size = {"<f4": 4, "<f8": 8}[header["descr"]]
            body = data[10 + header_len :]
            out[name] = struct.unpack(f"<{len(body) // size}{'f' if size == 4 else 'd'}", body)
    return out


def main():
    exe_dir, case = sys.argv[1], sys.argv[2]
    exe = lambda name: os.path.join(exe_dir, name)
    with tempfile.TemporaryDirectory() as out:
        if case == "hessian":
            for operator in ("hessian", "ggn"):
                args = ["--model", "mlp", "--samples", "200", "--batch", "100", "--top", "5", "--bottom", "0", "--iterations", "60",
                        "--operator", operator, "--json", "--quiet"]
                one = json.loads(run([exe("hessian")] + args))["top"]["eigenvalues"]
                two = json.loads(run(MPIRUN + [exe("hessian")] + args))["top"]["eigenvalues"]
                for a, b in zip(one, two):
                    if abs(a - b) > 1e-12 * abs(a):
                        fail(f"{operator}: top-5 with 2 ranks {two}, with one {one}")
                print(f"{operator}: top-5 equal to 1e-12 ({one})")
        elif case == "train":
            paths = {k: (os.path.join(out, f"{k}.csv"), os.path.join(out, f"{k}.npz")) for k in ("one", "two")}
            args = ["--model", "mlp", "--optimizer", "sgd", "--lr", "0.1", "--train-limit", "1000", "--batch", "50",
                    "--epochs", "1"]
            run([exe("train")] + args + ["--csv", paths["one"][0], "--save", paths["one"][1]])
            run(MPIRUN + [exe("train")] + args + ["--csv", paths["two"][0], "--save", paths["two"][1]])
            rows = {k: list(csv.DictReader(open(paths[k][0]))) for k in paths}
            if len(rows["one"]) != len(rows["two"]) or rows["one"][-1]["step"] != "20":
                fail(f"{len(rows['one'])} and {len(rows['two'])} rows")
            for a, b in zip(rows["one"], rows["two"]):
                for key in ("train_loss", "train_acc", "test_loss", "test_acc", "weight_norm", "grad_norm"):
                    x, y = float(a[key]), float(b[key])
                    if abs(x - y) > 1e-5 * max(1.0, abs(x)):
                        fail(f"epoch {a['epoch']} {key}: one process {x}, two {y}")
            w1, w2 = weights(paths["one"][1]), weights(paths["two"][1])
            if sorted(w1) != sorted(w2):
                fail("the saved weights differ in their names")
            scale = max(abs(v) for vs in w1.values() for v in vs)
            worst = max(abs(a - b) for k in w1 for a, b in zip(w1[k], w2[k]))
            if worst > 1e-5 * scale:
                fail(f"weights differ by {worst} (scale {scale})")
            print(f"train: 20 steps, weights equal to {worst / scale:.1e} of their scale")
        elif case == "error":
            env = dict(os.environ, SADDLE_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
            r = subprocess.run(MPIRUN + [exe("hessian"), "--weights", os.path.join(out, "missing.npz")],
                               capture_output=True, text=True, env=env)
            lines = [l for l in r.stderr.splitlines() if l.strip()]
            if r.returncode != 2 or len(lines) != 1 or "missing.npz: no such file" not in lines[0]:
                fail(f"exit {r.returncode}, stderr {r.stderr!r}")
            print(f"error: {lines[0]}")
        else:
            fail(f"unknown case {case}")


if __name__ == "__main__":
    main()

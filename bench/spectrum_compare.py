#!/usr/bin/python3
"""The full-dataset spectrum side by side: the top-5 Hessian eigenvalues of LeNet-5 over the first N
MNIST training images (all 60,000 by default), by saddle's `hessian` and by PyTorch running the
same Lanczos on double-backward products (bench/peers/pytorch_spectrum.py), in one run.

Every run takes the same number of Lanczos steps (--steps products, full reorthogonalisation, no
stopping rule) over the same weights, images and batches of --batch rows, so that the times
compare like for like:
  saddle double   hessian --precision double: products and Lanczos in double
  saddle float    hessian --precision float: products in single precision, Lanczos in double
  PyTorch float32 products by double backward in float32 (PyHessian's precision), Lanczos in float64
  PyTorch float64 the same in float64 (with --torch-double; a product costs several times more)
Each eigenvalue is compared with saddle double's; after a fixed number of steps the top Ritz values
of different start vectors agree only as far as they have converged, which the table shows.

Writes DIR/spectrum.csv (run,seconds,products,seconds_per_product,lambda_1..lambda_5,
max_relative_difference) and DIR/spectrum_time.png, and prints a Markdown table with the BLAS kernel
and thread counts.
Usage: /usr/bin/python3 bench/spectrum_compare.py BUILD_DIR --weights W.npz [--data DIR]
       [--samples 60000] [--batch 1000] [--steps 30] [--threads N] [--torch-double] [--out DIR]
"""
import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")), "saddle", "mnist")


def saddle_run(build, args, precision):
    command = [os.path.join(build, "examples", "hessian"), "--model", "lenet5", "--weights", args.weights,
               "--data", args.data, "--samples", str(args.samples), "--batch", str(args.batch), "--top", "5",
               "--bottom", "0", "--tol", "0", "--iterations", str(args.steps), "--precision", precision,
               "--json", "--quiet"]
    env = dict(os.environ, SADDLE_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads))
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)
    return {"run": f"saddle {precision}", "seconds": report["top"]["seconds"], "products": report["top"]["products"],
            "eigenvalues": report["top"]["eigenvalues"],
            "blas": "OpenBLAS kernel {kernel} (chosen by {chosen_by}), {threads} BLAS threads".format(**report["blas"])}


def pytorch_run(args, dtype):
    command = [sys.executable, os.path.join(HERE, "peers", "pytorch_spectrum.py"), "--weights", args.weights,
               "--data", args.data, "--samples", str(args.samples), "--batch", str(args.batch), "--steps",
               str(args.steps), "--dtype", dtype, "--threads", str(args.threads)]
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)
    return {"run": f"PyTorch {dtype}", "seconds": report["seconds"], "products": report["products"],
            "eigenvalues": report["eigenvalues"], "blas": f"torch {report['torch']}"}


@contextlib.contextmanager
def replaced_atomically(path, suffix=""):
    """A temporary path beside `path` to write; renamed onto `path` when the block ends, removed if it raises."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def plot(runs, path, title):
    """A horizontal bar per run, its minutes written beside it, drawn by gnuplot (as saddle's figures)."""
    rows = "\n".join(f'{i} {r["seconds"] / 60:.4f} "{r["run"]}"' for i, r in enumerate(reversed(runs)))
    top = max(r["seconds"] for r in runs) / 60 * 1.3
    with replaced_atomically(path, ".png") as tmp:
        script = f"""set terminal pngcairo size 800,300 font ',10'
set output '{tmp}'
set title "{title}" font ',9'
set xlabel 'minutes'
set xrange [0:{top}]
set yrange [-0.6:{len(runs) - 0.4}]
set style fill solid 0.8
unset key
$d << EOD
{rows}
EOD
plot $d using (0):1:(0):2:($1-0.35):($1+0.35):ytic(3) with boxxyerror lc rgb '#1f77b4', \\
     $d using 2:1:(sprintf(' %.1f min', $2)) with labels left
"""
        subprocess.run(["gnuplot"], input=script, check=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="saddle's build directory (holding examples/hessian)")
    parser.add_argument("--weights", required=True, help="LeNet-5 weights .npz (train --model lenet5 --save W.npz)")
    parser.add_argument("--data", default=DEFAULT_DATA, help="a directory with MNIST's IDX files")
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--torch-double", action="store_true", help="also PyTorch in float64")
    parser.add_argument("--out", default=".", help="directory for spectrum.csv and spectrum_time.png")
    args = parser.parse_args()
    for name, value in [("--samples", args.samples), ("--batch", args.batch), ("--steps", args.steps),
                        ("--threads", args.threads)]:
        if value < 1:
            sys.exit(f"spectrum_compare: {name} = {value} is not a positive whole number")
    hessian = os.path.join(args.build, "examples", "hessian")
    for path, what in [(hessian, "saddle's hessian"), (args.weights, "--weights"), (args.data, "--data")]:
        if not os.path.exists(path):
            sys.exit(f"spectrum_compare: {what} {path} does not exist")
    if not os.path.isdir(args.out) or not os.access(args.out, os.W_OK):
        sys.exit(f"spectrum_compare: --out {args.out} is not a writable directory")

    runs = []
    plan = [("saddle", "double"), ("saddle", "float"), ("torch", "float32")]
    if args.torch_double:
        plan.append(("torch", "float64"))
    for side, precision in plan:
        print(f"running {side} {precision} ({args.steps} products over {args.samples} samples)", file=sys.stderr)
        runs.append(saddle_run(args.build, args, precision) if side == "saddle" else pytorch_run(args, precision))
    reference = runs[0]["eigenvalues"]
    for r in runs:
        r["max_relative_difference"] = max(abs(a - b) / abs(b) for a, b in zip(r["eigenvalues"], reference))

    with replaced_atomically(os.path.join(args.out, "spectrum.csv")) as tmp, open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "seconds", "products", "seconds_per_product"] + [f"lambda_{i + 1}" for i in range(5)] +
                   ["max_relative_difference"])
        for r in runs:
            w.writerow([r["run"], f"{r['seconds']:.3f}", r["products"], f"{r['seconds'] / r['products']:.4f}"] +
                       [repr(e) for e in r["eigenvalues"]] + [f"{r['max_relative_difference']:.3g}"])

    title = (f"LeNet-5, top-5 Hessian eigenvalues over {args.samples:,} MNIST images: "
             f"{args.steps} Lanczos steps, {args.threads} thread{'s' if args.threads > 1 else ''}")
    plot(runs, os.path.join(args.out, "spectrum_time.png"), title)

    print(f"{title}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; saddle: {runs[0]['blas']}")
    print("| run | minutes | s per product | λ₁ … λ₅ | max rel. diff. from saddle double |")
    print("|---|---:|---:|---|---:|")
    for r in runs:
        values = ", ".join(f"{e:.6g}" for e in r["eigenvalues"])
        print(f"| {r['run']} | {r['seconds'] / 60:.2f} | {r['seconds'] / r['products']:.2f} | {values} | "
              f"{r['max_relative_difference']:.2g} |")


if __name__ == "__main__":
    main()

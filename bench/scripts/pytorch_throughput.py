"""Training throughput of the experiment's MLP in PyTorch on the CPU: the PyTorch side of bench/compare-pytorch.sh.

The same model (784 -> hidden -> hidden -> 10, ReLU), batch, optimizer and step count as the lrgrad side
(org.lrgrad.bench.experiment.Throughput), on synthetic data of Fashion-MNIST's shape (Gaussian pixels, uniform
labels, a pool of 16 batches cycled). Prints the settings and the result on stderr, the samples per second alone on
stdout's last line.

usage: pytorch_throughput.py adam|sgd THREADS [STEPS [WARMUP [BATCH [HIDDEN]]]]   (defaults 500, 50, 32, 1024)
"""
import sys
import time

import torch

POOL = 16
PIXELS = 28
CLASSES = 10


def blas_kernel():
    """The OpenBLAS core PyTorch's BLAS runs, when the BLAS is OpenBLAS (it answers openblas_get_corename)."""
    import ctypes
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            library = ctypes.CDLL(name)
            corename = library.openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return f"OpenBLAS ({name}), core {corename().decode()}"
    return "not OpenBLAS (no openblas_get_corename in libblas.so.3)"


def main(argv):
    if len(argv) < 2 or len(argv) > 6 or argv[0] not in ("adam", "sgd"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    name, threads = argv[0], int(argv[1])
    steps, warmup, batch, hidden = (int(a) for a in (argv[2:] + ["500", "50", "32", "1024"][len(argv) - 2:]))
    torch.set_num_threads(threads)
    # Denormals flushed to zero: PyTorch's fastest setting on x86 (set_flush_denormal returns False where the CPU
    # cannot), so its side is measured at its best; printed below with the BLAS kernel.
    flush_denormal = torch.set_flush_denormal(True)
    torch.manual_seed(1)
    width = PIXELS * PIXELS
    model = torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                torch.nn.ReLU(), torch.nn.Linear(hidden, CLASSES))
    # The lrgrad side's optimizers: PyTorch's Adam (lr 1e-3) and plain SGD (lr 0.01).
    optimizer = (torch.optim.Adam(model.parameters(), lr=1e-3) if name == "adam"
                 else torch.optim.SGD(model.parameters(), lr=0.01))
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(7)
    x = torch.randn(POOL, batch, width, generator=generator)
    labels = torch.randint(0, CLASSES, (POOL, batch), generator=generator)

    def step(s):
        optimizer.zero_grad()
        loss = loss_fn(model(x[s % POOL]), labels[s % POOL])
        loss.backward()
        optimizer.step()
        return loss

    for s in range(warmup):
        step(s)
    start = time.perf_counter()
    loss = None
    for s in range(steps):
        loss = step(warmup + s)
    seconds = time.perf_counter() - start
    samples_per_second = steps * batch / seconds
    print(f"PyTorch BLAS: {blas_kernel()}; flush denormal: {flush_denormal}", file=sys.stderr)
    print(f"PyTorch {torch.__version__}: MLP {width}-{hidden}-{hidden}-{CLASSES} (ReLU), {type(optimizer).__name__},"
          f" torch threads {torch.get_num_threads()}, batch {batch}, {steps} steps after {warmup} warm-up:"
          f" {seconds:.2f} s, {samples_per_second:.1f} samples/s (last loss {loss.item():.3f})", file=sys.stderr)
    print(f"{samples_per_second:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""PyTorch side of the comparison: 784-256-128-10, ReLU, Adam lr 1e-3, batch 128, on Fashion-MNIST.

Usage: python3 pytorch_mnist.py <fashion-mnist dir> <threads> [epochs]; prints one JSON object.
run.sh starts it with the OpenMP build of OpenBLAS and OMP_NUM_THREADS set (see ../../README.md and benchmarks.md).
"""
import gzip
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


def load(directory, prefix):
    def read(name):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                return f.read()
        with gzip.open(path + ".gz", "rb") as f:
            return f.read()

    images = read(f"{prefix}-images-idx3-ubyte")
    labels = read(f"{prefix}-labels-idx1-ubyte")
    count = int.from_bytes(images[4:8], "big")
    x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(count, 784).astype(np.float32) / 255.0
    y = np.frombuffer(labels, dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def warm_up(run, seconds=2.0):
    """Calls run(i) for i = 0, 1, ... until `seconds` have passed (at least twice)."""
    end, i = time.perf_counter() + seconds, 0
    while i < 2 or time.perf_counter() < end:
        run(i)
        i += 1


def main():
    directory, threads = sys.argv[1], int(sys.argv[2])
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x_train, y_train = load(directory, "train")
    x_test, y_test = load(directory, "t10k")

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epoch_seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(x_train.shape[0])
        for i in range(0, x_train.shape[0], 128):
            index = order[i:i + 128]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)

    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        # Every timed loop (here and in NeuralML.Compare) first runs untimed for two seconds: steady state, not start-up.
        warm_up(lambda i: model(x_test[i % 1024:i % 1024 + 1]))
        latencies = []
        for i in range(2000):
            start = time.perf_counter()
            model(x_test[i:i + 1])
            latencies.append((time.perf_counter() - start) * 1e6)
        batch = x_test[:1024]
        warm_up(lambda i: model(batch))
        batch_seconds = []
        for run in range(20):
            start = time.perf_counter()
            model(batch)
            batch_seconds.append(time.perf_counter() - start)

    median_epoch = statistics.median(epoch_seconds)
    print(json.dumps({
        "framework": "PyTorch " + torch.__version__,
        "threads": threads,
        "epochs": epochs,
        "seconds_per_epoch": median_epoch,
        "samples_per_second": x_train.shape[0] / median_epoch,
        "test_accuracy": accuracy,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "batch1_latency_us": statistics.median(latencies),
        "batch1024_rows_per_second": 1024 / statistics.median(batch_seconds),
    }))


if __name__ == "__main__":
    main()

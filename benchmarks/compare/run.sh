#!/usr/bin/env bash
# Trains the same network (784-256-128-10, ReLU, Adam lr 1e-3, batch 128) on the real Fashion-MNIST with NeuralML
# (through an ML.NET pipeline) and with PyTorch, on the same number of threads, and prints one table of medians.
# Usage, from the repository root: bash benchmarks/compare/run.sh [threads (default: all cores)] [epochs (5)] [runs (3)]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-$(nproc)}
epochs=${2:-5}
runs=${3:-3}
data=/usr/share/datasets/fashion-mnist

# PyTorch at its best here: Debian's python3-torch with the OpenMP build of OpenBLAS (it shares torch's thread pool).
need=()
for package in python3-torch libopenblas0-openmp dataset-fashion-mnist; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
blas_dir=$(dirname "$(dpkg -L libopenblas0-openmp | grep '/libblas.so.3$')")

dotnet build -c Release benchmarks/compare/NeuralML.Compare -v quiet -nologo >/dev/null
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for run in $(seq "$runs"); do
  echo "run $run/$runs: NeuralML" >&2
  dotnet run -c Release --no-build --project benchmarks/compare/NeuralML.Compare -- "$data" "$threads" "$epochs" | tail -1 >> "$results"
  echo "run $run/$runs: PyTorch" >&2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$blas_dir" OMP_NUM_THREADS="$threads" \
    /usr/bin/python3 benchmarks/compare/pytorch_mnist.py "$data" "$threads" "$epochs" | tail -1 >> "$results"
done

/usr/bin/python3 - "$results" "$threads" "$epochs" "$runs" <<'PY'
import json, platform, statistics, subprocess, sys, datetime
path, threads, epochs, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = [json.loads(line) for line in open(path) if line.strip()]
by = {}
for row in rows:
    by.setdefault(row["framework"].split()[0], []).append(row)
ours, theirs = by["NeuralML"], by["PyTorch"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
metrics = [
    ("seconds per epoch", "seconds_per_epoch", "{:.3f}", False),
    ("samples/s", "samples_per_second", "{:,.0f}", True),
    (f"test accuracy after {epochs} epochs", "test_accuracy", "{:.4f}", None),
    ("peak memory (MB)", "peak_memory_mb", "{:,.0f}", False),
    ("batch-1 latency (µs)", "batch1_latency_us", "{:.1f}", False),
    ("batch-1024 rows/s", "batch1024_rows_per_second", "{:,.0f}", True),
    # NeuralML's bulk API on arrays (no ML.NET types) against the same PyTorch figures.
    ("batch-1 latency, bulk API (µs)", ("bulk_batch1_latency_us", "batch1_latency_us"), "{:.1f}", False),
    ("batch-1024 rows/s, bulk API", ("bulk_batch1024_rows_per_second", "batch1024_rows_per_second"), "{:,.0f}", True),
]
print(f"Fashion-MNIST, 784-256-128-10 ReLU, Adam lr 1e-3, batch 128, {threads} threads; median of {runs} runs; "
      f"{datetime.date.today()}, {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores")
print(f"PyTorch: {theirs[0]['framework']} with OpenBLAS (OpenMP)\n")
print("| metric | NeuralML | PyTorch | NeuralML / PyTorch |")
print("| --- | ---: | ---: | ---: |")
for name, key, fmt, higher_is_better in metrics:
    our_key, their_key = key if isinstance(key, tuple) else (key, key)
    a = statistics.median(r[our_key] for r in ours)
    b = statistics.median(r[their_key] for r in theirs)
    ratio = f"{a / b:.2f}x" if b else "-"
    if higher_is_better is None:
        ratio = f"{(a - b) * 100:+.2f} points"
    print(f"| {name} | {fmt.format(a)} | {fmt.format(b)} | {ratio} |")

def med(key): return statistics.median(r[key] for r in ours)
print("\nONNX Runtime on the exported model (same threads, OrtValue API, all graph optimisations):\n")
print("| metric | NeuralML bulk API | ONNX Runtime | NeuralML / ONNX Runtime |")
print("| --- | ---: | ---: | ---: |")
a, b = med("bulk_batch1_latency_us"), med("onnxruntime_batch1_latency_us")
print(f"| batch-1 latency (µs) | {a:.1f} | {b:.1f} | {a / b:.2f}x |")
a, b = med("bulk_batch1024_rows_per_second"), med("onnxruntime_batch1024_rows_per_second")
print(f"| batch-1024 rows/s | {a:,.0f} | {b:,.0f} | {a / b:.2f}x |")
a, b = med("batch1_latency_us"), med("onnxruntime_batch1_latency_us")
print(f"| batch-1 latency through PredictionEngine (µs) | {a:.1f} | {b:.1f} | {a / b:.2f}x |")
a, b = med("batch1024_rows_per_second"), med("onnxruntime_batch1024_rows_per_second")
print(f"| batch-1024 rows/s through Transform | {a:,.0f} | {b:,.0f} | {a / b:.2f}x |")

fit, epochs_sum, first, read = med("fit_seconds"), med("epoch_seconds_sum"), med("first_epoch_seconds"), med("read_seconds")
print(f"\nNeuralML's Fit from a filled ML.NET cache: {fit:.2f} s for {epochs_sum:.2f} s of epochs ({fit / epochs_sum:.2f}x; "
      f"reading {read:.2f} s; first epoch {first:.3f} s against a median of {med('seconds_per_epoch'):.3f} s)")
PY

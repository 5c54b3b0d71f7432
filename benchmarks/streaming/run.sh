#!/usr/bin/env bash
# Streaming against in-memory training on one generated binary .idv file (default 1,000,000 rows × 32 features,
# about 130 MB as one in-memory copy), each mode in its own process; the streamed run's budget is a quarter of the data.
# Usage, from the repository root: bash benchmarks/streaming/run.sh [rows] [features] [budget MB] [epochs]
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
features=${2:-32}
budget=${3:-32}
epochs=${4:-3}
dotnet build -c Release benchmarks/streaming/NeuralML.Streaming -v quiet -nologo >/dev/null
file=$(mktemp --suffix=.idv)
trap 'rm -f "$file"' EXIT
run() { dotnet run -c Release --no-build --project benchmarks/streaming/NeuralML.Streaming -- "$@"; }
run generate "$file" "$rows" "$features"
run train "$file" memory 0 "$epochs" | tail -1
run train "$file" stream "$budget" "$epochs" | tail -1

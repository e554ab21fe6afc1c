"""PyTorch baseline for the native spike (issue 15): the job's CNN and MLP, batch 128, Adam, 2 threads.

The same networks as lib/models/cnn.ts and mlp.ts (and native/src), defined once in torch_train.py:
CNN conv 3x3 'same' 1->24 (no bias) -> 2x2 max pool -> batch norm -> ReLU, the same 24->48, dense
2352->256 ReLU, dropout 0.25, dense 10; MLP 784-512-256-10 with batch norm + ReLU + dropout 0.2 per
hidden layer. Trains on one fixed random batch (data loading is not timed), warm-up steps excluded,
then as many steps as fit in --seconds.

Usage: python3 test/bench/torch_cnn.py --net cnn --seconds 8 [--warmup 5] [--batch 128] [--threads 2]
Prints one JSON line: {"net", "samplesPerSec", "msPerStep", "steps", "torch", ...}.
Exits 3 with one line on stderr when torch cannot be imported.
"""

import argparse
import json
import sys

try:
    import torch
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"torch_cnn.py: PyTorch not importable ({error})", file=sys.stderr)
    sys.exit(3)

# The networks and the timing loop are bench:train's baseline (this file's directory is on sys.path).
from torch_train import measure  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--net", choices=["cnn", "mlp"], default="cnn")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels-last", action="store_true", help="CNN input and weights in NHWC memory format")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    # The spike's job networks are bench:train's job-cnn / job-mlp, timed the same way.
    result = measure("job-cnn" if args.net == "cnn" else "job-mlp", args)
    ms = result["msPerStep"] * result["steps"]
    print(json.dumps({
        **result,
        "net": args.net,
        "ms": ms,
        "cpuMs": result["steps"] * args.batch / result["samplesPerCpuSec"] * 1000,
        "mkldnn": torch.backends.mkldnn.is_available(),
    }))


if __name__ == "__main__":
    main()

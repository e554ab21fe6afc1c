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
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"torch_cnn.py: PyTorch not importable ({error})", file=sys.stderr)
    sys.exit(3)

# One definition of the job's networks, shared with bench:train's baseline (this file's directory is on sys.path).
from torch_train import JobCnn as Cnn, job_mlp as mlp  # noqa: E402


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
    torch.manual_seed(0)
    model = Cnn() if args.net == "cnn" else mlp()
    x = torch.rand(args.batch, 1, 28, 28) if args.net == "cnn" else torch.rand(args.batch, 784)
    if args.channels_last and args.net == "cnn":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (args.batch,))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    first = None
    for _ in range(args.warmup):
        loss = step()
        first = loss if first is None else first
    steps = 0
    cpu0 = time.process_time()
    start = time.perf_counter()
    while True:
        loss = step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds:
            break
    cpu = time.process_time() - cpu0
    print(json.dumps({
        "net": args.net,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "channelsLast": bool(args.channels_last and args.net == "cnn"),
        "steps": steps,
        "ms": elapsed * 1000,
        "msPerStep": elapsed * 1000 / steps,
        "samplesPerSec": steps * args.batch / elapsed,
        "cpuMs": cpu * 1000,
        "samplesPerCpuSec": steps * args.batch / cpu,
        "firstLoss": first,
        "lastLoss": loss,
        "torch": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
    }))


if __name__ == "__main__":
    main()

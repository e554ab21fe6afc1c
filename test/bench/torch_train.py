"""PyTorch baseline of `npm run bench:train` (issue 15): the bench's four networks, batch 128, Adam.

The same networks as test/bench/train-networks.ts, so that native, wasm and PyTorch train the same
thing in the same run:
  mlp      784-512-256-10, ReLU, biases (the issue's MLP)
  cnn      conv 32 3x3 valid ReLU, max pool 2, conv 64 3x3 valid ReLU, max pool 2, dense 128 ReLU,
           dense 10 (the issue's CNN)
  job-mlp  lib/models/mlp.ts: per hidden layer (512, 256) dense without bias -> batch norm (Keras'
           eps 1e-3, momentum 0.99) -> ReLU -> dropout 0.2, then dense 10
  job-cnn  lib/models/cnn.ts for MNIST: per block (24, 48 channels) conv 3x3 'same' without bias ->
           max pool 2 -> batch norm (eps 1e-5, momentum 0.9) -> ReLU, then dense 2352->256 ReLU,
           dropout 0.25, dense 10
Initial weights are PyTorch's defaults: they do not change the cost of a step. Each network trains
on one fixed random batch (data loading is not timed), softmax cross-entropy, Adam lr 1e-3 (tfjs'
eps 1e-7); warm-up steps are excluded, then it steps until --seconds have passed.

Usage: /usr/bin/python3 test/bench/torch_train.py --nets mlp,cnn,job-mlp,job-cnn --seconds 6
         [--warmup 3] [--batch 128] [--threads 2] [--channels-last]
--channels-last puts the CNNs' input and weights in NHWC memory format (the MLPs ignore it).
Prints one JSON line per network: {"net", "samplesPerSec", "samplesPerCpuSec", "msPerStep", ...}.
Exits 3 with one line on stderr when torch cannot be imported.
"""

import argparse
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"torch_train.py: PyTorch not importable ({error})", file=sys.stderr)
    sys.exit(3)

NETS = ["mlp", "cnn", "job-mlp", "job-cnn"]


def mlp():
    """The issue's MLP 784-512-256-10."""
    return nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU(),
        nn.Linear(256, 10),
    )


def cnn():
    """The issue's CNN: 28 -> conv 26 -> pool 13 -> conv 11 -> pool 5, so 5x5x64 features."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(5 * 5 * 64, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def job_mlp():
    """lib/models/mlp.ts' defaults; Keras' batch-norm momentum 0.99 is PyTorch's 0.01."""
    layers = []
    inputs = 784
    for units in (512, 256):
        layers += [nn.Linear(inputs, units, bias=False), nn.BatchNorm1d(units, eps=1e-3, momentum=0.01), nn.ReLU(), nn.Dropout(0.2)]
        inputs = units
    return nn.Sequential(*layers, nn.Linear(inputs, 10))


class JobCnn(nn.Module):
    """lib/models/cnn.ts for 28x28x1: pool before batch norm, as there; its momentum 0.9 is PyTorch's 0.1."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 24, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(24, eps=1e-5, momentum=0.1)
        self.conv2 = nn.Conv2d(24, 48, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(48, eps=1e-5, momentum=0.1)
        self.fc1 = nn.Linear(7 * 7 * 48, 256)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.bn1(F.max_pool2d(self.conv1(x), 2)))
        x = F.relu(self.bn2(F.max_pool2d(self.conv2(x), 2)))
        x = self.drop(F.relu(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


BUILDERS = {"mlp": mlp, "cnn": cnn, "job-mlp": job_mlp, "job-cnn": JobCnn}


def takes_images(net):
    return net in ("cnn", "job-cnn")


def measure(net, args):
    """Trains `net` on one fixed random batch: warm-up steps, then steps for args.seconds; its figures."""
    torch.manual_seed(0)
    model = BUILDERS[net]()
    x = torch.rand(args.batch, 1, 28, 28) if takes_images(net) else torch.rand(args.batch, 784)
    channels_last = args.channels_last and takes_images(net)
    if channels_last:
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
    # At least 3 timed steps, as train-run.ts, so that a very short --seconds still measures something.
    while True:
        loss = step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds and steps >= 3:
            break
    cpu = time.process_time() - cpu0
    return {
        "net": net,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "channelsLast": channels_last,
        "steps": steps,
        "msPerStep": elapsed * 1000 / steps,
        "samplesPerSec": steps * args.batch / elapsed,
        "samplesPerCpuSec": steps * args.batch / cpu,
        "firstLoss": first,
        "lastLoss": loss,
        "torch": torch.__version__,
    }


def parse_nets(value):
    nets = [net for net in value.split(",") if net]
    unknown = [net for net in nets if net not in NETS]
    if unknown or not nets:
        raise argparse.ArgumentTypeError(f"--nets takes a comma-separated list of {', '.join(NETS)}, got {value!r}")
    return nets


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nets", type=parse_nets, default=NETS)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels-last", action="store_true", help="CNN input and weights in NHWC memory format")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    for net in args.nets:
        print(json.dumps(measure(net, args)), flush=True)


if __name__ == "__main__":
    main()

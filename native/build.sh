#!/usr/bin/env bash
# Builds the issue-15 spike addon twice with g++ (no node-gyp, nothing downloaded):
#   build/spike.node       -O3, x86-64 baseline (SSE2) for our own code and Eigen
#   build/spike-avx2.node  the same sources with -mavx2 -mfma
# oneDNN and OpenBLAS pick their kernels at run time in both.
# Needs: g++ with OpenMP, Node's headers (under $npm_config_nodedir/include/node, default: node's
# prefix), and Debian's libdnnl-dev, libeigen3-dev, libopenblas-dev.
set -euo pipefail
cd "$(dirname "$0")"
NODEDIR="${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"
if [[ ! -f "$NODEDIR/include/node/node_api.h" ]]; then
  echo "native/build.sh: no node_api.h under $NODEDIR/include/node (set npm_config_nodedir)" >&2
  exit 1
fi
CXX="${CXX:-g++}"
COMMON=(-std=c++17 -O3 -DNDEBUG -fPIC -fopenmp -fvisibility=hidden -Wall -Wno-unused-parameter
  -I"$NODEDIR/include/node" -isystem /usr/include/eigen3 -isystem /usr/include/x86_64-linux-gnu/openblas-pthread)
LIBS=(-ldnnl -lopenblas -fopenmp)
SOURCES=(addon common onednn gemm_eigen gemm_openblas)

build() { # name, extra flags...
  local name="$1"; shift
  local obj="build/obj-$name"
  mkdir -p "$obj"
  local pids=()
  for s in "${SOURCES[@]}"; do
    "$CXX" "${COMMON[@]}" "$@" -DSPIKE_BUILD="\"$name\"" -c "src/$s.cc" -o "$obj/$s.o" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$CXX" -shared -o "build/$name.node" "$obj"/*.o "${LIBS[@]}"
  strip --strip-unneeded "build/$name.node"
  echo "built native/build/$name.node ($(stat -c %s "build/$name.node") bytes)"
}

build spike
if [[ "$(uname -m)" == x86_64 ]]; then build spike-avx2 -mavx2 -mfma; fi

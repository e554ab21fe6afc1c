{
  # The native backend (issue 15): built by `npm install` through native/install.mjs, which makes a
  # failed build a one-line notice rather than a failed install. Needs a C++17 compiler with OpenMP and
  # oneDNN's headers and library (Debian: libdnnl-dev).
  "targets": [
    {
      "target_name": "digit_flow_native",
      "sources": [
        "native/src/backend/addon.cc",
        "native/src/backend/conv.cc",
        "native/src/backend/loops.cc"
      ],
      # -fno-math-errno: with errno to set, GCC keeps every std::sqrt scalar, and Adam's loop ran 6x
      # slower (3.0 against 0.5 ms a step for the MLP's 535k values). Nothing reads errno, and sqrt and
      # division are correctly rounded either way: the results are the same bits.
      # -ffp-contract=off: the avx512f clones may use FMA, and GCC would fuse a * b + c into one rounding
      # there, so the same loop gave other bits on AVX-512 CPUs than on AVX2 ones and than tfjs (Adam's
      # update differed by an ulp on a Zen 4). Every clone now rounds each operation as written.
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=off", "-fexceptions", "-fopenmp", "-fvisibility=hidden", "-Wall", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

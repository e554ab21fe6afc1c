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
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-fvisibility=hidden", "-Wall", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

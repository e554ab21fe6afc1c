// N-API (plain C API, node_api.h) entry points of the native spike:
//   info()                                    build, library versions, threads
//   bench(net, variant, batch, warmupSteps, seconds, seed) -> { steps, ms, msPerStep, samplesPerSec, cpuMs,
//                                                              samplesPerCpuSec, firstLoss, lastLoss }
//   lossCurve(net, variant, batch, steps, seed)            -> number[] (one loss per step, one fixed batch)
//   convCheck(batch, seed)                                 -> max abs differences of the conv forwards
//   profile(net, variant, batch, steps, seed)              -> { phase: ms per step } (Eigen / OpenBLAS variants)
//   setThreads(n)
// net: 'cnn' | 'mlp'; variant: 'onednn' | 'onednn-blocked' | 'eigen' | 'openblas'.
// Everything runs synchronously on the calling thread (plus the OpenMP / OpenBLAS pools).
#include <node_api.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <ctime>

#include "common.h"

#ifndef SPIKE_BUILD
#define SPIKE_BUILD "baseline"
#endif

namespace {

using namespace spike;

#define CHECK(call)                                              \
  do {                                                           \
    if ((call) != napi_ok) throw std::runtime_error(#call);      \
  } while (0)

std::string stringArg(napi_env env, napi_value v) {
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, v, nullptr, 0, &len));
  std::string s(len, '\0');
  CHECK(napi_get_value_string_utf8(env, v, s.data(), len + 1, &len));
  return s;
}

double numberArg(napi_env env, napi_value v) {
  double d = 0;
  CHECK(napi_get_value_double(env, v, &d));
  return d;
}

napi_value num(napi_env env, double d) {
  napi_value v;
  CHECK(napi_create_double(env, d, &v));
  return v;
}

napi_value str(napi_env env, const std::string& s) {
  napi_value v;
  CHECK(napi_create_string_utf8(env, s.c_str(), s.size(), &v));
  return v;
}

void set(napi_env env, napi_value obj, const char* key, napi_value v) { CHECK(napi_set_named_property(env, obj, key, v)); }

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t want) {
  std::vector<napi_value> a(want);
  size_t argc = want;
  CHECK(napi_get_cb_info(env, info, &argc, a.data(), nullptr, nullptr));
  if (argc < want) throw std::invalid_argument("expected " + std::to_string(want) + " arguments");
  return a;
}

std::unique_ptr<Trainer> makeTrainer(const std::string& net, const std::string& variant, int batch, uint64_t seed) {
  if (net == "cnn") {
    CnnParams p = initCnn(seed);
    if (variant == "onednn") return makeDnnlCnn(batch, p, false, seed);
    if (variant == "onednn-blocked") return makeDnnlCnn(batch, p, true, seed);
    if (variant == "eigen") return makeEigenCnn(batch, p, seed);
    if (variant == "openblas") return makeBlasCnn(batch, p, seed);
  } else if (net == "mlp") {
    MlpParams p = initMlp(seed);
    if (variant == "onednn" || variant == "onednn-blocked") return makeDnnlMlp(batch, p, seed);
    if (variant == "eigen") return makeEigenMlp(batch, p, seed);
    if (variant == "openblas") return makeBlasMlp(batch, p, seed);
  }
  throw std::invalid_argument("unknown net / variant: " + net + " / " + variant);
}

template <class F>
napi_value guarded(napi_env env, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
    return nullptr;
  }
}

/** CPU time of the whole process (all threads), ms. */
double cpuMs() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

napi_value Info(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    napi_value o;
    CHECK(napi_create_object(env, &o));
    set(env, o, "build", str(env, SPIKE_BUILD));
    set(env, o, "compiler", str(env, __VERSION__));
    set(env, o, "threads", num(env, omp_get_max_threads()));
    set(env, o, "onednn", str(env, dnnlVersion()));
    set(env, o, "eigen", str(env, std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                                      std::to_string(EIGEN_MINOR_VERSION) + " " + Eigen::SimdInstructionSetsInUse()));
    set(env, o, "openblas", str(env, blasConfig()));
    return o;
  });
}

napi_value Bench(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 6);
    const std::string net = stringArg(env, a[0]), variant = stringArg(env, a[1]);
    const int batch = static_cast<int>(numberArg(env, a[2])), warmup = static_cast<int>(numberArg(env, a[3]));
    const double seconds = numberArg(env, a[4]);
    const uint64_t seed = static_cast<uint64_t>(numberArg(env, a[5]));
    auto trainer = makeTrainer(net, variant, batch, seed);
    Batch data = makeBatch(batch, seed + 7);
    float first = 0, last = 0;
    for (int i = 0; i < warmup; ++i) {
      last = trainer->step(data.x.data(), data.y.data());
      if (i == 0) first = last;
    }
    using clock = std::chrono::steady_clock;
    const double cpu0 = cpuMs();
    const auto start = clock::now();
    int steps = 0;
    double ms = 0;
    do {
      last = trainer->step(data.x.data(), data.y.data());
      if (warmup == 0 && steps == 0) first = last;
      ++steps;
      ms = std::chrono::duration<double, std::milli>(clock::now() - start).count();
    } while (ms < seconds * 1000);
    const double cpu = cpuMs() - cpu0;
    napi_value o;
    CHECK(napi_create_object(env, &o));
    set(env, o, "steps", num(env, steps));
    set(env, o, "ms", num(env, ms));
    set(env, o, "msPerStep", num(env, ms / steps));
    set(env, o, "samplesPerSec", num(env, steps * batch * 1000.0 / ms));
    set(env, o, "cpuMs", num(env, cpu));
    set(env, o, "samplesPerCpuSec", num(env, steps * batch * 1000.0 / cpu));
    set(env, o, "firstLoss", num(env, first));
    set(env, o, "lastLoss", num(env, last));
    return o;
  });
}

napi_value LossCurve(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 5);
    const std::string net = stringArg(env, a[0]), variant = stringArg(env, a[1]);
    const int batch = static_cast<int>(numberArg(env, a[2])), steps = static_cast<int>(numberArg(env, a[3]));
    const uint64_t seed = static_cast<uint64_t>(numberArg(env, a[4]));
    auto trainer = makeTrainer(net, variant, batch, seed);
    Batch data = makeBatch(batch, seed + 7);
    napi_value arr;
    CHECK(napi_create_array_with_length(env, steps, &arr));
    for (int i = 0; i < steps; ++i) CHECK(napi_set_element(env, arr, i, num(env, trainer->step(data.x.data(), data.y.data()))));
    return arr;
  });
}

napi_value ConvCheck(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 2);
    const int n = static_cast<int>(numberArg(env, a[0]));
    const uint64_t seed = static_cast<uint64_t>(numberArg(env, a[1]));
    napi_value o;
    CHECK(napi_create_object(env, &o));
    struct Shape {
      const char* name;
      int side, cin, cout;
    };
    for (Shape s : {Shape{"conv1", 28, 1, 24}, Shape{"conv2", 14, 24, 48}}) {
      Vec x(static_cast<size_t>(n) * s.side * s.side * s.cin), k(9 * s.cin * s.cout);
      fillNormal(x.data(), x.size(), 1.0f, seed);
      fillNormal(k.data(), k.size(), std::sqrt(2.0f / (9 * s.cin)), seed + 1);
      const size_t out = static_cast<size_t>(n) * s.side * s.side * s.cout;
      Vec yd(out), ye(out), yb(out);
      dnnlConvForward(x.data(), n, s.side, s.side, s.cin, k.data(), s.cout, yd.data());
      eigenConvForward(x.data(), n, s.side, s.side, s.cin, k.data(), s.cout, ye.data());
      blasConvForward(x.data(), n, s.side, s.side, s.cin, k.data(), s.cout, yb.data());
      double de = 0, db = 0, mx = 0;
      for (size_t i = 0; i < out; ++i) {
        de = std::max(de, static_cast<double>(std::fabs(yd[i] - ye[i])));
        db = std::max(db, static_cast<double>(std::fabs(yd[i] - yb[i])));
        mx = std::max(mx, static_cast<double>(std::fabs(yd[i])));
      }
      napi_value r;
      CHECK(napi_create_object(env, &r));
      set(env, r, "onednnVsEigen", num(env, de));
      set(env, r, "onednnVsOpenblas", num(env, db));
      set(env, r, "maxAbsOutput", num(env, mx));
      set(env, o, s.name, r);
    }
    return o;
  });
}

/** profile(net, variant, batch, steps, seed): ms per step by phase (Eigen / OpenBLAS variants), after 3 warm-up steps. */
napi_value ProfileSteps(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 5);
    const std::string net = stringArg(env, a[0]), variant = stringArg(env, a[1]);
    const int batch = static_cast<int>(numberArg(env, a[2])), steps = static_cast<int>(numberArg(env, a[3]));
    const uint64_t seed = static_cast<uint64_t>(numberArg(env, a[4]));
    auto trainer = makeTrainer(net, variant, batch, seed);
    Batch data = makeBatch(batch, seed + 7);
    for (int i = 0; i < 3; ++i) trainer->step(data.x.data(), data.y.data());
    takeGemmProfile();
    setGemmProfile(true);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) trainer->step(data.x.data(), data.y.data());
    const double total = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    setGemmProfile(false);
    napi_value o;
    CHECK(napi_create_object(env, &o));
    for (auto& [name, ms] : takeGemmProfile()) set(env, o, name.c_str(), num(env, ms / steps));
    set(env, o, "total", num(env, total / steps));
    return o;
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1);
    const int n = static_cast<int>(numberArg(env, a[0]));
    omp_set_num_threads(n);
    setEigenThreads(n);
    setBlasThreads(n);
    return nullptr;
  });
}

}  // namespace

NAPI_MODULE_INIT() {
  setEigenThreads(omp_get_max_threads());
  setBlasThreads(omp_get_max_threads());
  napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bench", nullptr, Bench, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lossCurve", nullptr, LossCurve, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convCheck", nullptr, ConvCheck, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"profile", nullptr, ProfileSteps, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

// N-API entry points of the native backend (plain node_api.h: no node-addon-api, nothing to fetch).
// Buffers are the caller's Float32Arrays, used in place; every length is checked against the shape
// before a kernel touches memory, and a wrong argument throws a TypeError / RangeError in JavaScript.
// Kernels run synchronously on the calling thread plus the OpenMP pool, like the cpu backend's.
#include <node_api.h>
#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels.h"

namespace {

using namespace dfn;

/** A JavaScript exception to throw once control is back in the entry point. */
struct JsError {
  std::string message;
  bool range = false;
};

void check(napi_status status, const char* what) {
  if (status != napi_ok) throw JsError{std::string("digit-flow native: ") + what};
}

struct Args {
  napi_env env;
  napi_value values[16];
  size_t count = 16;
  const char* name;

  Args(napi_env e, napi_callback_info info, const char* fn, size_t expected) : env(e), name(fn) {
    check(napi_get_cb_info(env, info, &count, values, nullptr, nullptr), "cannot read arguments");
    if (count < expected) throw JsError{std::string(name) + ": expected " + std::to_string(expected) + " arguments"};
  }

  /** A Float32Array argument with at least `need` elements (null allowed when `optional`). */
  float* floats(size_t i, size_t need, bool optional = false) {
    napi_valuetype type;
    check(napi_typeof(env, values[i], &type), "typeof");
    if (optional && type == napi_null) return nullptr;
    bool isTyped = false;
    check(napi_is_typedarray(env, values[i], &isTyped), "is_typedarray");
    napi_typedarray_type kind;
    size_t length = 0;
    void* data = nullptr;
    if (isTyped) check(napi_get_typedarray_info(env, values[i], &kind, &length, &data, nullptr, nullptr), "typedarray info");
    if (!isTyped || kind != napi_float32_array) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " must be a Float32Array"};
    }
    if (length < need) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " holds " + std::to_string(length) +
                        " values, the shape needs " + std::to_string(need),
                    true};
    }
    return static_cast<float*>(data);
  }

  const int32_t* ints(size_t i, size_t need) {
    bool isTyped = false;
    check(napi_is_typedarray(env, values[i], &isTyped), "is_typedarray");
    napi_typedarray_type kind;
    size_t length = 0;
    void* data = nullptr;
    if (isTyped) check(napi_get_typedarray_info(env, values[i], &kind, &length, &data, nullptr, nullptr), "typedarray info");
    if (!isTyped || kind != napi_int32_array || length < need) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " must be an Int32Array of " + std::to_string(need)};
    }
    const int32_t* p = static_cast<const int32_t*>(data);
    for (size_t j = 0; j < need; ++j)
      if (p[j] < 0) throw JsError{std::string(name) + ": negative size in argument " + std::to_string(i), true};
    return p;
  }

  double number(size_t i) {
    double d = 0;
    if (napi_get_value_double(env, values[i], &d) != napi_ok) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " must be a number"};
    }
    return d;
  }

  long count64(size_t i) {
    const double d = number(i);
    if (!(d >= 0) || d > 9.0e15 || d != static_cast<double>(static_cast<long>(d))) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " must be a non-negative integer", true};
    }
    return static_cast<long>(d);
  }

  bool flag(size_t i) {
    bool b = false;
    if (napi_get_value_bool(env, values[i], &b) != napi_ok) {
      throw JsError{std::string(name) + ": argument " + std::to_string(i) + " must be a boolean"};
    }
    return b;
  }
};

napi_value boolean(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}
napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}
napi_value text(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

/**
 * Holds asynchronous signals (V8's profiler's SIGPROF, SIGINT, ...) while a kernel runs; they are
 * delivered when it returns. oneDNN's JIT kernels are not safe to interrupt with a signal handler:
 * under `node --cpu-prof`, whose profiler signals the main thread, sgemm corrupted the heap. The
 * OpenMP threads start inside the first kernel and so inherit the mask: process-wide signals such as
 * Ctrl-C's go to Node's own threads. Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL) are never held.
 */
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t all;
    sigfillset(&all);
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) sigdelset(&all, fault);
    pthread_sigmask(SIG_BLOCK, &all, &previous_);
  }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t previous_;
};

/** Wraps an entry point: C++ exceptions become JavaScript ones, signals wait for the kernel. */
template <napi_value (*F)(napi_env, napi_callback_info)>
napi_value entry(napi_env env, napi_callback_info info) {
  try {
    SignalsHeld held;
    return F(env, info);
  } catch (const JsError& e) {
    if (e.range) napi_throw_range_error(env, nullptr, e.message.c_str());
    else napi_throw_type_error(env, nullptr, e.message.c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("digit-flow native: ") + e.what()).c_str());
  }
  return nullptr;
}

size_t product(std::initializer_list<long> dims) {
  size_t p = 1;
  for (long d : dims) p *= static_cast<size_t>(d);
  return p;
}

ConvShape convShape(Args& a, size_t i) {
  ConvShape s;
  std::memcpy(&s, a.ints(i, sizeof(ConvShape) / sizeof(int)), sizeof(ConvShape));
  return s;
}

size_t inputSize(const ConvShape& s) { return product({s.batch, s.inHeight, s.inWidth, s.inChannels}); }
size_t outputSize(const ConvShape& s) { return product({s.batch, s.outHeight, s.outWidth, s.outChannels}); }
size_t filterSize(const ConvShape& s) { return product({s.filterHeight, s.filterWidth, s.inChannels, s.outChannels}); }

// conv2d(x, filter, y, shape) -> handled
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2d", 4);
  const ConvShape s = convShape(a, 3);
  return boolean(env, conv2d(s, a.floats(0, inputSize(s)), a.floats(1, filterSize(s)), a.floats(2, outputSize(s))));
}

// conv2dBackpropInput(dy, filter, dx, shape) -> handled
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2dBackpropInput", 4);
  const ConvShape s = convShape(a, 3);
  return boolean(env, conv2dBackpropInput(s, a.floats(0, outputSize(s)), a.floats(1, filterSize(s)), a.floats(2, inputSize(s))));
}

// conv2dBackpropFilter(x, dy, dw, shape) -> handled
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info, "conv2dBackpropFilter", 4);
  const ConvShape s = convShape(a, 3);
  return boolean(env, conv2dBackpropFilter(s, a.floats(0, inputSize(s)), a.floats(1, outputSize(s)), a.floats(2, filterSize(s))));
}

PoolShape poolShape(Args& a, size_t i) {
  PoolShape s;
  std::memcpy(&s, a.ints(i, sizeof(PoolShape) / sizeof(int)), sizeof(PoolShape));
  if (s.strideHeight < 1 || s.strideWidth < 1) throw JsError{std::string(a.name) + ": strides must be at least 1", true};
  return s;
}

// maxPool(x, y, shape)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info, "maxPool", 3);
  const PoolShape s = poolShape(a, 2);
  maxPool(s, a.floats(0, product({s.batch, s.inHeight, s.inWidth, s.channels})), a.floats(1, product({s.batch, s.outHeight, s.outWidth, s.channels})));
  return nullptr;
}

// maxPoolGrad(x, dy, dx, shape)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, "maxPoolGrad", 4);
  const PoolShape s = poolShape(a, 3);
  const size_t in = product({s.batch, s.inHeight, s.inWidth, s.channels});
  maxPoolGrad(s, a.floats(0, in), a.floats(1, product({s.batch, s.outHeight, s.outWidth, s.channels})), a.floats(2, in));
  return nullptr;
}

// matMul(a, b, c, batch, m, n, k, transposeA, transposeB, aStride, bStride) -> handled
napi_value MatMul(napi_env env, napi_callback_info info) {
  Args a(env, info, "matMul", 11);
  const long batch = a.count64(3), m = a.count64(4), n = a.count64(5), k = a.count64(6);
  const long aStride = a.count64(9), bStride = a.count64(10);
  const size_t needA = product({m, k}) + (batch > 0 ? (batch - 1) * aStride : 0);
  const size_t needB = product({k, n}) + (batch > 0 ? (batch - 1) * bStride : 0);
  float* pa = a.floats(0, needA);
  float* pb = a.floats(1, needB);
  float* pc = a.floats(2, product({batch, m, n}));
  return boolean(env, matMul(pa, pb, pc, batch, m, n, k, a.flag(7), a.flag(8), aStride, bStride));
}

// biasActivation(out, bias | null, rows, cols, relu)
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  Args a(env, info, "biasActivation", 5);
  const long rows = a.count64(2), cols = a.count64(3);
  biasActivation(a.floats(0, product({rows, cols})), a.floats(1, cols, true), rows, cols, a.flag(4));
  return nullptr;
}

// batchNorm(x, mean, variance, offset | null, scale | null, out, rows, channels, epsilon)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNorm", 9);
  const long rows = a.count64(6), channels = a.count64(7);
  const size_t length = product({rows, channels});
  batchNorm(a.floats(0, length), a.floats(1, channels), a.floats(2, channels), a.floats(3, channels, true), a.floats(4, channels, true),
            a.floats(5, length), rows, channels, static_cast<float>(a.number(8)));
  return nullptr;
}

// batchNormTrain(x, gamma, beta, y, mean, variance, rows, channels, epsilon, relu)
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNormTrain", 10);
  const long rows = a.count64(6), channels = a.count64(7);
  const size_t length = product({rows, channels});
  batchNormTrain(a.floats(0, length), a.floats(1, channels), a.floats(2, channels), a.floats(3, length), a.floats(4, channels),
                 a.floats(5, channels), rows, channels, static_cast<float>(a.number(8)), a.flag(9));
  return nullptr;
}

// batchNormTrainGrad(x, y, dy, gamma, mean, variance, dx, dgamma, dbeta, rows, channels, epsilon, relu)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, "batchNormTrainGrad", 13);
  const long rows = a.count64(9), channels = a.count64(10);
  const size_t length = product({rows, channels});
  batchNormTrainGrad(a.floats(0, length), a.floats(1, length), a.floats(2, length), a.floats(3, channels), a.floats(4, channels),
                     a.floats(5, channels), a.floats(6, length), a.floats(7, channels), a.floats(8, channels), rows, channels,
                     static_cast<float>(a.number(11)), a.flag(12));
  return nullptr;
}

// binary(op, a, b, out, length, broadcastLength, broadcastA, perRow): the smaller operand repeats along the
// leading axes (perRow false) or each of its values over length / broadcastLength consecutive ones
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info, "binary", 8);
  const long op = a.count64(0), length = a.count64(4), small = a.count64(5);
  const bool broadcastA = a.flag(6), perRow = a.flag(7);
  if (op > static_cast<long>(BinaryOp::SquaredDifference)) throw JsError{"binary: unknown op", true};
  if (small < 1 || length % small != 0) throw JsError{"binary: the broadcast length must divide the length", true};
  const float* pa = a.floats(1, broadcastA ? small : length);
  const float* pb = a.floats(2, broadcastA ? length : small);
  float* out = a.floats(3, length);
  if (perRow) binaryPerRow(static_cast<BinaryOp>(op), pa, pb, out, small, length / small, broadcastA);
  else if (broadcastA) binaryBroadcastA(static_cast<BinaryOp>(op), pa, pb, out, length, small);
  else binaryBroadcastB(static_cast<BinaryOp>(op), pa, pb, out, length, small);
  return nullptr;
}

// unary(op, x, out, length, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info, "unary", 5);
  const long op = a.count64(0), length = a.count64(3);
  if (op > static_cast<long>(UnaryOp::Ceil)) throw JsError{"unary: unknown op", true};
  unary(static_cast<UnaryOp>(op), a.floats(1, length), a.floats(2, length), length, static_cast<float>(a.number(4)));
  return nullptr;
}

// reluGrad(dy, x, out, length)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, "reluGrad", 4);
  const long length = a.count64(3);
  reluGrad(a.floats(0, length), a.floats(1, length), a.floats(2, length), length);
  return nullptr;
}

// sum(x, out, rows, cols, leading): leading sums over rows (out has cols values), else over cols
napi_value Sum(napi_env env, napi_callback_info info) {
  Args a(env, info, "sum", 5);
  const long rows = a.count64(2), cols = a.count64(3);
  const bool leading = a.flag(4);
  const float* x = a.floats(0, product({rows, cols}));
  float* out = a.floats(1, leading ? cols : rows);
  if (leading) sumRows(x, out, rows, cols);
  else sumCols(x, out, rows, cols);
  return nullptr;
}

// softmax(x, out, rows, cols): over the last axis
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmax", 4);
  const long rows = a.count64(2), cols = a.count64(3);
  const size_t length = product({rows, cols});
  softmax(a.floats(0, length), a.floats(1, length), rows, cols);
  return nullptr;
}

// adam(value, grad, m, v, valueOut, mOut, vOut, length, learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon,
//      1 - beta1^t, 1 - beta2^t)
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info, "adam", 16);
  const long n = a.count64(7);
  float* p[7];
  for (size_t i = 0; i < 7; ++i) p[i] = a.floats(i, n);
  float f[8];
  for (size_t i = 0; i < 8; ++i) f[i] = static_cast<float>(a.number(8 + i));
  adam(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
  return nullptr;
}

// setThreads(n)
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info, "setThreads", 1);
  const long n = a.count64(0);
  if (n < 1 || n > 1024) throw JsError{"setThreads: threads must be from 1 to 1024", true};
  setThreads(static_cast<int>(n));
  return nullptr;
}

// info() -> { isa, dnnl, threads, arch }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "isa", text(env, isa()));
  napi_set_named_property(env, o, "dnnl", text(env, dnnlVersion()));
  napi_set_named_property(env, o, "threads", number(env, threads()));
#if defined(__x86_64__)
  napi_set_named_property(env, o, "arch", text(env, "x64"));
#elif defined(__aarch64__)
  napi_set_named_property(env, o, "arch", text(env, "arm64"));
#else
  napi_set_named_property(env, o, "arch", text(env, "other"));
#endif
  return o;
}

// stats() -> { plans, buffers }
napi_value Stats(napi_env env, napi_callback_info) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "plans", number(env, static_cast<double>(cachedPlans())));
  napi_set_named_property(env, o, "buffers", number(env, static_cast<double>(liveBuffers())));
  return o;
}

// clearPlans()
napi_value ClearPlans(napi_env, napi_callback_info) {
  clearPlans();
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"conv2d", nullptr, entry<Conv2d>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, entry<Conv2dBackpropInput>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, entry<Conv2dBackpropFilter>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool", nullptr, entry<MaxPool>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, entry<MaxPoolGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, entry<MatMul>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, entry<BiasActivation>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNorm", nullptr, entry<BatchNorm>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrain", nullptr, entry<BatchNormTrain>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormTrainGrad", nullptr, entry<BatchNormTrainGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, entry<Binary>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, entry<Unary>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, entry<ReluGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sum", nullptr, entry<Sum>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, entry<Softmax>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adam", nullptr, entry<Adam>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, entry<SetThreads>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, entry<Info>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stats", nullptr, entry<Stats>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"clearPlans", nullptr, entry<ClearPlans>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

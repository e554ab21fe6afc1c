// The native backend's own loops: max pooling, element-wise ops, sums, a dense layer's epilogue and
// Adam, over one OpenMP pool (the one oneDNN uses too). Each loop is compiled for several x86-64
// levels and the widest one this CPU has is picked at load time (GCC function multi-versioning), so
// the shipped binary never assumes more than baseline x86-64; elsewhere (arm64) it is compiled once.
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DISPATCH __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DISPATCH
#endif

namespace dfn {
namespace {

/** Below this many values a loop stays on the calling thread: waking the pool costs more. */
constexpr long PARALLEL_MIN = 1 << 15;

template <class F>
inline void forEachBinary(BinaryOp op, F&& apply) {
  switch (op) {
    case BinaryOp::Add: apply([](float a, float b) { return a + b; }); break;
    case BinaryOp::Sub: apply([](float a, float b) { return a - b; }); break;
    case BinaryOp::Mul: apply([](float a, float b) { return a * b; }); break;
    case BinaryOp::Div: apply([](float a, float b) { return a / b; }); break;
    // tfjs's cpu Maximum / Minimum: NaN in either operand gives NaN.
    case BinaryOp::Max: apply([](float a, float b) { return (a != a || b != b) ? NAN : (a > b ? a : b); }); break;
    case BinaryOp::Min: apply([](float a, float b) { return (a != a || b != b) ? NAN : (a < b ? a : b); }); break;
    case BinaryOp::SquaredDifference: apply([](float a, float b) { return (a - b) * (a - b); }); break;
  }
}

template <class Op>
DISPATCH void rowsB(Op f, const float* a, const float* b, float* out, long rows, long cols) {
#pragma omp parallel for schedule(static) if (rows * cols > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* ar = a + r * cols;
    float* o = out + r * cols;
#pragma omp simd
    for (long j = 0; j < cols; ++j) o[j] = f(ar[j], b[j]);
  }
}

template <class Op>
DISPATCH void perRowB(Op f, const float* a, const float* b, float* out, long rows, long cols) {
#pragma omp parallel for schedule(static) if (rows * cols > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* ar = a + r * cols;
    const float br = b[r];
    float* o = out + r * cols;
#pragma omp simd
    for (long j = 0; j < cols; ++j) o[j] = f(ar[j], br);
  }
}

template <class Op>
DISPATCH void flat(Op f, const float* a, const float* b, float* out, long n) {
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

template <class Op>
DISPATCH void scalarB(Op f, const float* a, float b, float* out, long n) {
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) out[i] = f(a[i], b);
}

}  // namespace

void binaryBroadcastB(BinaryOp op, const float* a, const float* b, float* out, size_t length, size_t bLength) {
  const long n = static_cast<long>(length), cols = static_cast<long>(bLength);
  forEachBinary(op, [&](auto f) {
    if (cols == 1) scalarB(f, a, b[0], out, n);
    else if (cols == n) flat(f, a, b, out, n);
    else rowsB(f, a, b, out, n / cols, cols);
  });
}

void binaryBroadcastA(BinaryOp op, const float* a, const float* b, float* out, size_t length, size_t aLength) {
  const long n = static_cast<long>(length), cols = static_cast<long>(aLength);
  // binaryBroadcastB's loops with the operands swapped: the same arithmetic, f(a, b).
  forEachBinary(op, [&](auto f) {
    auto swapped = [f](float x, float y) { return f(y, x); };
    if (cols == 1) scalarB(swapped, b, a[0], out, n);
    else rowsB(swapped, b, a, out, n / cols, cols);
  });
}

void binaryPerRow(BinaryOp op, const float* a, const float* b, float* out, size_t rowCount, size_t colCount, bool broadcastA) {
  const long rows = static_cast<long>(rowCount), cols = static_cast<long>(colCount);
  forEachBinary(op, [&](auto f) {
    if (!broadcastA) return perRowB(f, a, b, out, rows, cols);
    perRowB([f](float x, float y) { return f(y, x); }, b, a, out, rows, cols);
  });
}

namespace {
template <class Op>
DISPATCH void mapUnary(Op f, const float* x, float* out, long n) {
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) out[i] = f(x[i]);
}

// tfjs's step(v): NaN for NaN, 1 above 0, alpha elsewhere; written branch-free so that loops vectorise.
inline float stepOf(float v, float alpha) {
  const float s = v > 0 ? 1.0f : alpha;
  return v != v ? NAN : s;
}

// Step and the ReLU gradient as loops of their own: through mapUnary's lambda (which captures alpha)
// GCC left Step scalar and branchy, 20x slower (0.54 against 0.026 ms for 131k values).
DISPATCH void step(const float* x, float* out, long n, float alpha) {
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) out[i] = stepOf(x[i], alpha);
}
}  // namespace

DISPATCH void reluGrad(const float* dy, const float* x, float* out, size_t length) {
  const long n = static_cast<long>(length);
  // tfjs's dy * step(x), the same product: NaN where x is NaN, dy * 0 (-0, or NaN for an infinite dy) where x <= 0.
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) out[i] = dy[i] * stepOf(x[i], 0.0f);
}

void unary(UnaryOp op, const float* x, float* out, size_t length, float alpha) {
  const long n = static_cast<long>(length);
  switch (op) {
    // NaN stays NaN, as in tfjs's cpu kernels.
    case UnaryOp::Relu: mapUnary([](float v) { return v < 0 ? 0.0f : v; }, x, out, n); break;
    case UnaryOp::Relu6: mapUnary([](float v) { return v < 0 ? 0.0f : (v > 6 ? 6.0f : v); }, x, out, n); break;
    case UnaryOp::Sqrt: mapUnary([](float v) { return std::sqrt(v); }, x, out, n); break;
    case UnaryOp::Rsqrt: mapUnary([](float v) { return 1.0f / std::sqrt(v); }, x, out, n); break;
    case UnaryOp::Square: mapUnary([](float v) { return v * v; }, x, out, n); break;
    case UnaryOp::Neg: mapUnary([](float v) { return -v; }, x, out, n); break;
    case UnaryOp::Exp: mapUnary([](float v) { return std::exp(v); }, x, out, n); break;
    case UnaryOp::Log: mapUnary([](float v) { return std::log(v); }, x, out, n); break;
    case UnaryOp::Abs: mapUnary([](float v) { return std::fabs(v); }, x, out, n); break;
    case UnaryOp::Step: step(x, out, n, alpha); break;
    case UnaryOp::Reciprocal: mapUnary([](float v) { return 1.0f / v; }, x, out, n); break;
    case UnaryOp::Sigmoid: mapUnary([](float v) { return 1.0f / (1.0f + std::exp(-v)); }, x, out, n); break;
    case UnaryOp::Tanh: mapUnary([](float v) { return std::tanh(v); }, x, out, n); break;
    case UnaryOp::Floor: mapUnary([](float v) { return std::floor(v); }, x, out, n); break;
    case UnaryOp::Ceil: mapUnary([](float v) { return std::ceil(v); }, x, out, n); break;
  }
}

DISPATCH void softmax(const float* x, float* out, size_t rowCount, size_t colCount) {
  const long rows = static_cast<long>(rowCount), cols = static_cast<long>(colCount);
  // exp costs tens of cycles a value: threads pay for themselves well below PARALLEL_MIN values.
#pragma omp parallel for schedule(static) if (rows * cols > PARALLEL_MIN / 8 && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    // As tfjs's cpu kernel (max, sub, exp, sum, div): NaN wins the max, exp and the sum in double,
    // each result rounded to float32 where the JavaScript stores it in a Float32Array.
    float max = in[0];
    for (long j = 0; j < cols; ++j)
      if (in[j] != in[j] || in[j] > max) max = in[j];
    double sum = 0;
    for (long j = 0; j < cols; ++j) {
      o[j] = static_cast<float>(std::exp(static_cast<double>(in[j] - max)));
      sum += o[j];
    }
    const float total = static_cast<float>(sum);
#pragma omp simd
    for (long j = 0; j < cols; ++j) o[j] /= total;
  }
}

DISPATCH void sumRows(const float* x, float* out, size_t rowCount, size_t colCount) {
  const long rows = static_cast<long>(rowCount), cols = static_cast<long>(colCount);
  const int threads = (rows * cols > PARALLEL_MIN) ? omp_get_max_threads() : 1;
  // Each thread sums a contiguous band of rows into its own partial (in double, as tfjs's JavaScript
  // kernel does), then the partials are added in thread order: the result does not depend on timing.
  std::vector<double> partial(static_cast<size_t>(threads) * cols, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long begin = rows * t / nt, end = rows * (t + 1) / nt;
    double* acc = partial.data() + static_cast<size_t>(t) * cols;
    for (long r = begin; r < end; ++r) {
      const float* row = x + r * cols;
#pragma omp simd
      for (long j = 0; j < cols; ++j) acc[j] += row[j];
    }
  }
  for (long j = 0; j < cols; ++j) {
    double s = 0;
    for (int t = 0; t < threads; ++t) s += partial[static_cast<size_t>(t) * cols + j];
    out[j] = static_cast<float>(s);
  }
}

DISPATCH void sumCols(const float* x, float* out, size_t rowCount, size_t colCount) {
  const long rows = static_cast<long>(rowCount), cols = static_cast<long>(colCount);
#pragma omp parallel for schedule(static) if (rows * cols > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (long j = 0; j < cols; ++j) s += row[j];
    out[r] = static_cast<float>(s);
  }
}

DISPATCH void batchNorm(const float* x, const float* mean, const float* variance, const float* offset, const float* scale,
                        float* out, size_t rowCount, size_t channelCount, float epsilon) {
  const long rows = static_cast<long>(rowCount), C = static_cast<long>(channelCount);
  std::vector<float> factor(C), shift(C);
  for (long c = 0; c < C; ++c) {
    factor[c] = (scale ? scale[c] : 1.0f) / std::sqrt(variance[c] + epsilon);
    shift[c] = offset ? offset[c] : 0.0f;
  }
  const float* f = factor.data();
  const float* b = shift.data();
#pragma omp parallel for schedule(static) if (rows * C > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* in = x + r * C;
    float* o = out + r * C;
#pragma omp simd
    for (long c = 0; c < C; ++c) o[c] = (in[c] - mean[c]) * f[c] + b[c];
  }
}

namespace {
/**
 * Per-channel sums over row bands, one band per thread: `term(row, acc)` adds a row into float
 * accumulators, which are flushed into double every 64 rows (vectorised float adds, double's range
 * over a whole batch); the bands are added in thread order, so the result does not depend on timing.
 */
template <int K, class Term>
inline void channelSums(long rows, long C, double* out, Term term) {
  const int threads = (rows * C > PARALLEL_MIN) ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * K * C, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long begin = rows * t / nt, end = rows * (t + 1) / nt;
    double* acc = partial.data() + static_cast<size_t>(t) * K * C;
    std::vector<float> block(static_cast<size_t>(K) * C, 0.0f);
    float* b = block.data();
    for (long r = begin; r < end; ++r) {
      term(r, b);
      if (((r - begin) & 63) == 63 || r == end - 1) {
        for (long j = 0; j < K * C; ++j) acc[j] += b[j], b[j] = 0.0f;
      }
    }
  }
  for (long j = 0; j < K * C; ++j) {
    double sum = 0;
    for (int t = 0; t < threads; ++t) sum += partial[static_cast<size_t>(t) * K * C + j];
    out[j] = sum;
  }
}
}  // namespace

DISPATCH void batchNormTrain(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
                             size_t rowCount, size_t channelCount, float epsilon, bool relu) {
  const long rows = static_cast<long>(rowCount), C = static_cast<long>(channelCount);
  std::vector<double> sums(C), squares(C);
  channelSums<1>(rows, C, sums.data(), [&](long r, float* acc) {
    const float* in = x + r * C;
#pragma omp simd
    for (long c = 0; c < C; ++c) acc[c] += in[c];
  });
  for (long c = 0; c < C; ++c) mean[c] = static_cast<float>(sums[c] / static_cast<double>(rows));
  // Two passes (mean, then squared deviations), as the JavaScript path computes the variance.
  channelSums<1>(rows, C, squares.data(), [&](long r, float* acc) {
    const float* in = x + r * C;
#pragma omp simd
    for (long c = 0; c < C; ++c) {
      const float d = in[c] - mean[c];
      acc[c] += d * d;
    }
  });
  std::vector<float> scale(C), shift(C);
  for (long c = 0; c < C; ++c) {
    variance[c] = static_cast<float>(squares[c] / static_cast<double>(rows));
    const float rstd = 1.0f / std::sqrt(variance[c] + epsilon);
    scale[c] = rstd * gamma[c];
    shift[c] = beta[c];
  }
  const float* sc = scale.data();
  const float* sh = shift.data();
#pragma omp parallel for schedule(static) if (rows * C > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* in = x + r * C;
    float* o = y + r * C;
#pragma omp simd
    for (long c = 0; c < C; ++c) {
      const float v = (in[c] - mean[c]) * sc[c] + sh[c];
      o[c] = relu && v < 0 ? 0.0f : v;
    }
  }
}

DISPATCH void batchNormTrainGrad(const float* x, const float* y, const float* dy, const float* gamma, const float* mean,
                                 const float* variance, float* dx, float* dgamma, float* dbeta, size_t rowCount,
                                 size_t channelCount, float epsilon, bool relu) {
  const long rows = static_cast<long>(rowCount), C = static_cast<long>(channelCount);
  if (relu) {
    // The ReLU's gradient first, into dx, in a pass of its own: mixed into the loops below, the
    // mask kept GCC from vectorising them (10x slower). dx is then read and overwritten in place.
    const long n = rows * C;
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
    for (long i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    dy = dx;
  }
  std::vector<float> rstd(C);
  for (long c = 0; c < C; ++c) rstd[c] = 1.0f / std::sqrt(variance[c] + epsilon);
  const float* __restrict rs = rstd.data();
  const float* __restrict mu = mean;
  const int threads = (rows * C > PARALLEL_MIN) ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * C, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long begin = rows * t / nt, end = rows * (t + 1) / nt;
    double* acc = partial.data() + static_cast<size_t>(t) * 2 * C;
    std::vector<float> block(2 * C, 0.0f);
    float* __restrict sumG = block.data();
    float* __restrict sumGx = block.data() + C;
    for (long r = begin; r < end; ++r) {
      const float* __restrict in = x + r * C;
      const float* __restrict g = dy + r * C;
#pragma omp simd
      for (long c = 0; c < C; ++c) {
        sumG[c] += g[c];
        sumGx[c] += g[c] * ((in[c] - mu[c]) * rs[c]);
      }
      // Float sums over 64 rows at a time, then into double: fast, and exact enough over a whole batch.
      if (((r - begin) & 63) == 63 || r == end - 1) {
        for (long j = 0; j < 2 * C; ++j) acc[j] += block[j], block[j] = 0.0f;
      }
    }
  }
  std::vector<float> k(C), sumG(C), sumGx(C);
  const float n = static_cast<float>(rows);
  for (long c = 0; c < C; ++c) {
    double a = 0, b = 0;
    for (int t = 0; t < threads; ++t) a += partial[static_cast<size_t>(t) * 2 * C + c], b += partial[static_cast<size_t>(t) * 2 * C + C + c];
    dbeta[c] = sumG[c] = static_cast<float>(a);
    dgamma[c] = sumGx[c] = static_cast<float>(b);
    k[c] = gamma[c] * rs[c] / n;
  }
  const float* __restrict kc = k.data();
  const float* __restrict sg = sumG.data();
  const float* __restrict sgx = sumGx.data();
#pragma omp parallel for schedule(static) if (rows * C > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    const float* __restrict in = x + r * C;
    const float* g = dy + r * C;  // may be dx itself (see above): each element is read, then written
    float* d = dx + r * C;
#pragma omp simd
    for (long c = 0; c < C; ++c) {
      const float normed = (in[c] - mu[c]) * rs[c];
      d[c] = kc[c] * (n * g[c] - sg[c] - normed * sgx[c]);
    }
  }
}

DISPATCH void biasActivation(float* out, const float* bias, size_t rowCount, size_t colCount, bool relu) {
  const long rows = static_cast<long>(rowCount), cols = static_cast<long>(colCount);
#pragma omp parallel for schedule(static) if (rows * cols > PARALLEL_MIN && rows > 1)
  for (long r = 0; r < rows; ++r) {
    float* o = out + r * cols;
    if (bias) {
#pragma omp simd
      for (long j = 0; j < cols; ++j) o[j] += bias[j];
    }
    if (relu) {
#pragma omp simd
      for (long j = 0; j < cols; ++j) o[j] = o[j] < 0 ? 0.0f : o[j];
    }
  }
}

DISPATCH void adam(const float* value, const float* grad, const float* m, const float* v, float* valueOut, float* mOut,
                   float* vOut, size_t length, float learningRate, float beta1, float oneMinusBeta1, float beta2,
                   float oneMinusBeta2, float epsilon, float oneMinusBeta1Power, float oneMinusBeta2Power) {
  const long n = static_cast<long>(length);
#pragma omp parallel for simd schedule(static) if (n > PARALLEL_MIN)
  for (long i = 0; i < n; ++i) {
    const float g = grad[i];
    // The same float32 operations, in the same order, as tfjs's AdamOptimizer.
    const float mi = m[i] * beta1 + g * oneMinusBeta1;
    const float vi = v[i] * beta2 + g * g * oneMinusBeta2;
    mOut[i] = mi;
    vOut[i] = vi;
    valueOut[i] = (mi / oneMinusBeta1Power) / (std::sqrt(vi / oneMinusBeta2Power) + epsilon) * -learningRate + value[i];
  }
}

DISPATCH void maxPool(const PoolShape& s, const float* x, float* y) {
  const long C = s.channels;
#pragma omp parallel for collapse(2) schedule(static) if (static_cast<long>(s.batch) * s.outHeight * s.outWidth * C > PARALLEL_MIN / 4)
  for (int b = 0; b < s.batch; ++b) {
    for (int oh = 0; oh < s.outHeight; ++oh) {
      for (int ow = 0; ow < s.outWidth; ++ow) {
        float* out = y + ((static_cast<long>(b) * s.outHeight + oh) * s.outWidth + ow) * C;
        for (long c = 0; c < C; ++c) out[c] = -std::numeric_limits<float>::infinity();
        const int h0 = oh * s.strideHeight - s.padTop, w0 = ow * s.strideWidth - s.padLeft;
        for (int fh = 0; fh < s.filterHeight; ++fh) {
          const int h = h0 + fh;
          if (h < 0 || h >= s.inHeight) continue;
          for (int fw = 0; fw < s.filterWidth; ++fw) {
            const int w = w0 + fw;
            if (w < 0 || w >= s.inWidth) continue;
            const float* in = x + ((static_cast<long>(b) * s.inHeight + h) * s.inWidth + w) * C;
#pragma omp simd
            for (long c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
          }
        }
      }
    }
  }
}

DISPATCH void maxPoolGrad(const PoolShape& s, const float* x, const float* dy, float* dx) {
  const long C = s.channels;
  // Windows overlap when the stride is below the filter, so threads take whole images: each image's
  // dx is written by one thread only.
#pragma omp parallel for schedule(static) if (static_cast<long>(s.batch) * s.inHeight * s.inWidth * C > PARALLEL_MIN / 4 && s.batch > 1)
  for (int b = 0; b < s.batch; ++b) {
    std::vector<float> best(C);
    std::vector<int> at(C);
    const float* image = x + static_cast<long>(b) * s.inHeight * s.inWidth * C;
    float* dImage = dx + static_cast<long>(b) * s.inHeight * s.inWidth * C;
    // Windows that tile the image exactly (2x2 stride 2, no padding: every CNN's pooling) write every
    // element of dx themselves, branch-free; otherwise dx is cleared and each gradient is added.
    const bool tiles = s.strideHeight == s.filterHeight && s.strideWidth == s.filterWidth && s.padTop == 0 && s.padLeft == 0;
    if (!tiles || s.outHeight * s.filterHeight != s.inHeight || s.outWidth * s.filterWidth != s.inWidth) {
      std::fill(dImage, dImage + static_cast<long>(s.inHeight) * s.inWidth * C, 0.0f);
    }
    for (int oh = 0; oh < s.outHeight; ++oh) {
      const int h0 = oh * s.strideHeight - s.padTop;
      const int hBegin = std::max(h0, 0), hEnd = std::min(h0 + s.filterHeight, s.inHeight);
      for (int ow = 0; ow < s.outWidth; ++ow) {
        const int w0 = ow * s.strideWidth - s.padLeft;
        const int wBegin = std::max(w0, 0), wEnd = std::min(w0 + s.filterWidth, s.inWidth);
        if (hBegin >= hEnd || wBegin >= wEnd) continue;
        // As tfjs's cpu kernel: from -infinity, strictly greater wins, so the first maximum of the window
        // takes the gradient, NaN never does, and a window with no value above -infinity takes none.
        for (long c = 0; c < C; ++c) best[c] = -std::numeric_limits<float>::infinity(), at[c] = -1;
        float* bp = best.data();
        int* ap = at.data();
        for (int h = hBegin; h < hEnd; ++h) {
          for (int w = wBegin; w < wEnd; ++w) {
            const int pos = h * s.inWidth + w;
            const float* in = image + static_cast<long>(pos) * C;
#pragma omp simd
            for (long c = 0; c < C; ++c) {
              const bool greater = in[c] > bp[c];
              bp[c] = greater ? in[c] : bp[c];
              ap[c] = greater ? pos : ap[c];
            }
          }
        }
        const float* g = dy + ((static_cast<long>(b) * s.outHeight + oh) * s.outWidth + ow) * C;
        if (tiles) {
          for (int h = hBegin; h < hEnd; ++h) {
            for (int w = wBegin; w < wEnd; ++w) {
              const int pos = h * s.inWidth + w;
              float* d = dImage + static_cast<long>(pos) * C;
#pragma omp simd
              for (long c = 0; c < C; ++c) d[c] = ap[c] == pos ? g[c] : 0.0f;
            }
          }
          continue;
        }
        for (long c = 0; c < C; ++c)
          if (ap[c] >= 0) dImage[static_cast<long>(ap[c]) * C + c] += g[c];
      }
    }
  }
}

// Below this many multiply-adds a product runs on one thread: oneDNN's sgemm splits even a tiny one
// over every thread, and waking them costs more than the product (an MLP's last layer, 128x256x10:
// 0.28 ms on 2 threads, 0.06 ms on one).
constexpr long SERIAL_GEMM_MACS = 1L << 20;

bool matMul(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool transposeA, bool transposeB,
            long aStride, long bStride) {
  const dnnl_dim_t lda = transposeA ? m : k, ldb = transposeB ? k : n;
  const int threads = omp_get_max_threads();
  const bool serial = threads > 1 && static_cast<long>(m) * n * k < SERIAL_GEMM_MACS;
  if (serial) omp_set_num_threads(1);
  bool ok = true;
  for (int i = 0; i < batch && ok; ++i) {
    ok = dnnl_sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.0f, a + i * aStride, lda, b + i * bStride, ldb,
                    0.0f, c + static_cast<long>(i) * m * n, n) == dnnl_success;
  }
  if (serial) omp_set_num_threads(threads);
  return ok;
}

void setThreads(int threads) { omp_set_num_threads(threads); }
int threads() { return omp_get_max_threads(); }

}  // namespace dfn

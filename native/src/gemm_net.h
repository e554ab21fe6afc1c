// The job's CNN and MLP written as im2col + GEMM, with hand-written OpenMP loops for everything
// else (pooling, batch norm + ReLU, dropout, bias). `G` supplies one row-major GEMM:
//   G::gemm(transA, transB, M, N, K, A, lda, B, ldb, C, ldc)   C[M, N] = op(A) op(B)
// Layouts are tfjs's: activations NHWC, conv kernels HWIO, dense weights [in, out].
#pragma once

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "common.h"

namespace spike {
namespace gemmnet {

/** Optional per-phase wall time of the GEMM networks (Profile::on), for the spike's breakdown. */
struct Profile {
  static inline bool on = false;
  static inline std::vector<std::pair<std::string, double>> ms;
  static void add(const char* name, double t) {
    for (auto& [n, v] : ms)
      if (n == name) {
        v += t;
        return;
      }
    ms.emplace_back(name, t);
  }
};

template <class F>
inline void phase(const char* name, F f) {
  if (!Profile::on) return f();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  Profile::add(name, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}

/** 3x3 'same' stride-1 patches of NHWC x [n, h, w, c] as rows of col [n*h*w, 9*c] (kh, kw, c order). */
inline void im2col3x3(const float* x, int n, int h, int w, int c, float* col) {
  const long K = 9L * c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int b = 0; b < n; ++b) {
    for (int i = 0; i < h; ++i) {
      for (int j = 0; j < w; ++j) {
        float* row = col + ((static_cast<long>(b) * h + i) * w + j) * K;
        for (int ki = 0; ki < 3; ++ki) {
          const int ii = i + ki - 1;
          for (int kj = 0; kj < 3; ++kj) {
            const int jj = j + kj - 1;
            float* dst = row + (ki * 3 + kj) * c;
            if (ii < 0 || ii >= h || jj < 0 || jj >= w) {
              for (int q = 0; q < c; ++q) dst[q] = 0.0f;
            } else {
              const float* src = x + ((static_cast<long>(b) * h + ii) * w + jj) * c;
              for (int q = 0; q < c; ++q) dst[q] = src[q];
            }
          }
        }
      }
    }
  }
}

/** The adjoint of im2col3x3: dx[n, h, w, c] = sum of the dcol entries that read each pixel. */
inline void col2im3x3(const float* dcol, int n, int h, int w, int c, float* dx) {
  const long K = 9L * c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int b = 0; b < n; ++b) {
    for (int i = 0; i < h; ++i) {
      for (int j = 0; j < w; ++j) {
        float* out = dx + ((static_cast<long>(b) * h + i) * w + j) * c;
        for (int q = 0; q < c; ++q) out[q] = 0.0f;
        for (int ki = 0; ki < 3; ++ki) {
          const int oi = i - ki + 1;
          if (oi < 0 || oi >= h) continue;
          for (int kj = 0; kj < 3; ++kj) {
            const int oj = j - kj + 1;
            if (oj < 0 || oj >= w) continue;
            const float* src = dcol + ((static_cast<long>(b) * h + oi) * w + oj) * K + (ki * 3 + kj) * c;
            for (int q = 0; q < c; ++q) out[q] += src[q];
          }
        }
      }
    }
  }
}

/** 2x2 stride-2 max pool of NHWC x [n, h, w, c] (h, w even) into y, remembering which of the 4 won. */
inline void maxPool2(const float* x, int n, int h, int w, int c, float* y, uint8_t* idx) {
  const int oh = h / 2, ow = w / 2;
#pragma omp parallel for collapse(2) schedule(static)
  for (int b = 0; b < n; ++b) {
    for (int i = 0; i < oh; ++i) {
      for (int j = 0; j < ow; ++j) {
        const float* r0 = x + ((static_cast<long>(b) * h + 2 * i) * w + 2 * j) * c;
        const float* r1 = r0 + static_cast<long>(w) * c;
        const long o = ((static_cast<long>(b) * oh + i) * ow + j) * c;
        for (int q = 0; q < c; ++q) {
          float m = r0[q];
          uint8_t k = 0;
          if (r0[c + q] > m) m = r0[c + q], k = 1;
          if (r1[q] > m) m = r1[q], k = 2;
          if (r1[c + q] > m) m = r1[c + q], k = 3;
          y[o + q] = m;
          idx[o + q] = k;
        }
      }
    }
  }
}

/** Gradient of maxPool2: dx [n, h, w, c] gets dy where each max was, 0 elsewhere. */
inline void maxPool2Backward(const float* dy, const uint8_t* idx, int n, int h, int w, int c, float* dx) {
  const int oh = h / 2, ow = w / 2;
#pragma omp parallel for collapse(2) schedule(static)
  for (int b = 0; b < n; ++b) {
    for (int i = 0; i < oh; ++i) {
      for (int j = 0; j < ow; ++j) {
        float* r0 = dx + ((static_cast<long>(b) * h + 2 * i) * w + 2 * j) * c;
        float* r1 = r0 + static_cast<long>(w) * c;
        const long o = ((static_cast<long>(b) * oh + i) * ow + j) * c;
        for (int q = 0; q < c; ++q) {
          const float g = dy[o + q];
          const uint8_t k = idx[o + q];
          r0[q] = k == 0 ? g : 0.0f;
          r0[c + q] = k == 1 ? g : 0.0f;
          r1[q] = k == 2 ? g : 0.0f;
          r1[c + q] = k == 3 ? g : 0.0f;
        }
      }
    }
  }
}

/** Per-channel sums over the rows of x [m, c] (and of x*y when y is given), both cores. */
inline void channelSums(const float* x, const float* y, long m, int c, double* sx, double* sxy) {
  const int threads = omp_get_max_threads();
  std::vector<double> part(static_cast<size_t>(threads) * 2 * c, 0.0);
#pragma omp parallel
  {
    double* px = part.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * c;
    double* pxy = px + c;
#pragma omp for schedule(static)
    for (long r = 0; r < m; ++r) {
      const float* xr = x + r * c;
      if (y) {
        const float* yr = y + r * c;
        for (int q = 0; q < c; ++q) px[q] += xr[q], pxy[q] += static_cast<double>(xr[q]) * yr[q];
      } else {
        for (int q = 0; q < c; ++q) px[q] += xr[q], pxy[q] += static_cast<double>(xr[q]) * xr[q];
      }
    }
  }
  for (int q = 0; q < c; ++q) {
    sx[q] = sxy[q] = 0;
    for (int t = 0; t < threads; ++t) sx[q] += part[t * 2 * c + q], sxy[q] += part[t * 2 * c + c + q];
  }
}

/**
 * Training-mode batch norm + ReLU over the rows of x [m, c]: x is overwritten by x-hat (kept for the
 * backward pass), a gets relu(gamma * x-hat + beta); mean / variance (biased) / rstd per channel.
 */
inline void bnReluForward(float* x, long m, int c, const float* gamma, const float* beta, float eps, float* a, float* mean,
                          float* var, float* rstd) {
  std::vector<double> s(c), ss(c);
  channelSums(x, nullptr, m, c, s.data(), ss.data());
  for (int q = 0; q < c; ++q) {
    const double mu = s[q] / m;
    mean[q] = static_cast<float>(mu);
    var[q] = static_cast<float>(std::max(0.0, ss[q] / m - mu * mu));
    rstd[q] = 1.0f / std::sqrt(var[q] + eps);
  }
#pragma omp parallel for schedule(static)
  for (long r = 0; r < m; ++r) {
    float* xr = x + r * c;
    float* ar = a + r * c;
    for (int q = 0; q < c; ++q) {
      const float xh = (xr[q] - mean[q]) * rstd[q];
      xr[q] = xh;
      ar[q] = std::max(gamma[q] * xh + beta[q], 0.0f);
    }
  }
}

/**
 * Backward of bnReluForward: da [m, c] (overwritten by dx) and x-hat give dgamma, dbeta and
 * dx = gamma*rstd/m * (m*dz - sum dz - x-hat * sum dz*x-hat), dz = da where the ReLU passed.
 */
inline void bnReluBackward(float* da, const float* xhat, long m, int c, const float* gamma, const float* beta,
                           const float* rstd, float* dgamma, float* dbeta) {
#pragma omp parallel for schedule(static)
  for (long r = 0; r < m; ++r) {
    float* dr = da + r * c;
    const float* xr = xhat + r * c;
    for (int q = 0; q < c; ++q) dr[q] = gamma[q] * xr[q] + beta[q] > 0.0f ? dr[q] : 0.0f;
  }
  std::vector<double> s(c), sx(c);
  channelSums(da, xhat, m, c, s.data(), sx.data());
  std::vector<float> k1(c), k2(c), k3(c);
  for (int q = 0; q < c; ++q) {
    dbeta[q] = static_cast<float>(s[q]);
    dgamma[q] = static_cast<float>(sx[q]);
    const float scale = gamma[q] * rstd[q] / m;
    k1[q] = scale * m;
    k2[q] = scale * dbeta[q];
    k3[q] = scale * dgamma[q];
  }
#pragma omp parallel for schedule(static)
  for (long r = 0; r < m; ++r) {
    float* dr = da + r * c;
    const float* xr = xhat + r * c;
    for (int q = 0; q < c; ++q) dr[q] = k1[q] * dr[q] - k2[q] - k3[q] * xr[q];
  }
}

inline void addBias(float* y, int n, int f, const float* bias) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < f; ++j) y[static_cast<long>(i) * f + j] += bias[j];
}

inline void columnSums(const float* x, int n, int f, float* out) {
  std::fill(out, out + f, 0.0f);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < f; ++j) out[j] += x[static_cast<long>(i) * f + j];
}

/** h = relu(h + bias) * mask, in place. */
inline void biasReluDropout(float* h, int n, int f, const float* bias, const float* mask) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < f; ++j) {
      const long k = static_cast<long>(i) * f + j;
      h[k] = std::max(h[k] + bias[j], 0.0f) * mask[k];
    }
}

/** Backward of biasReluDropout given its output d: dh = dd * mask where d > 0, else 0. */
inline void reluDropoutBackward(float* dd, const float* d, const float* mask, long count) {
  for (long k = 0; k < count; ++k) dd[k] = d[k] > 0.0f ? dd[k] * mask[k] : 0.0f;
}

inline void multiply(float* x, const float* mask, long count) {
  for (long k = 0; k < count; ++k) x[k] *= mask[k];
}

inline void runningUpdate(float* running, const float* batch, int c) {
  for (int q = 0; q < c; ++q) running[q] = running[q] * BN_MOMENTUM + batch[q] * (1 - BN_MOMENTUM);
}

template <class G>
void convForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y) {
  Vec col(static_cast<size_t>(n) * h * w * 9 * cin);
  im2col3x3(x, n, h, w, cin, col.data());
  G::gemm(false, false, n * h * w, cout, 9 * cin, col.data(), 9 * cin, k, cout, y, cout);
}

/** The job's CNN (see the header of common.h) over im2col + G's GEMM. */
template <class G>
class Cnn final : public Trainer {
 public:
  Cnn(int n, const CnnParams& p, uint64_t seed) : n_(n), seed_(seed), w_(p) {
    const long m1 = n * 784L, m1p = n * 196L, m2p = n * 49L;
    g_ = zeroLike(p);
    m_ = zeroLike(p);
    v_ = zeroLike(p);
    col1_.resize(m1 * 9);
    y1_.resize(m1 * C1);
    idx1_.resize(m1p * C1);
    xh1_.resize(m1p * C1);
    a1_.resize(m1p * C1);
    col2_.resize(m1p * 9 * C1);
    y2_.resize(m1p * C2);
    idx2_.resize(m2p * C2);
    xh2_.resize(m2p * C2);
    a2_.resize(m2p * C2);
    h_.resize(n * static_cast<long>(H));
    mask_.resize(h_.size());
    logits_.resize(n * 10L);
    dlogits_.resize(n * 10L);
    dd_.resize(h_.size());
    da2_.resize(a2_.size());
    dy2_.resize(y2_.size());
    dcol2_.resize(col2_.size());
    da1_.resize(a1_.size());
    dy1_.resize(y1_.size());
    rm1_.assign(C1, 0.0f), rv1_.assign(C1, 1.0f), rm2_.assign(C2, 0.0f), rv2_.assign(C2, 1.0f);
  }

  float step(const float* x, const int* y) override {
    const int n = n_;
    float mean[C2], var[C2];
    // Block 1: conv 1->24, pool, batch norm + ReLU.
    phase("im2col", [&] { im2col3x3(x, n, 28, 28, 1, col1_.data()); });
    phase("gemm conv1 fwd", [&] { G::gemm(false, false, n * 784, C1, 9, col1_.data(), 9, w_.w1.data(), C1, y1_.data(), C1); });
    phase("pool", [&] { maxPool2(y1_.data(), n, 28, 28, C1, xh1_.data(), idx1_.data()); });
    phase("batchnorm+relu", [&] { bnReluForward(xh1_.data(), n * 196L, C1, w_.g1.data(), w_.b1.data(), CNN_BN_EPS, a1_.data(), mean, var, rstd1_); });
    phase("batchnorm+relu", [&] { runningUpdate(rm1_.data(), mean, C1), runningUpdate(rv1_.data(), var, C1); });
    // Block 2: conv 24->48, pool, batch norm + ReLU.
    phase("im2col", [&] { im2col3x3(a1_.data(), n, 14, 14, C1, col2_.data()); });
    phase("gemm conv2 fwd", [&] { G::gemm(false, false, n * 196, C2, 9 * C1, col2_.data(), 9 * C1, w_.w2.data(), C2, y2_.data(), C2); });
    phase("pool", [&] { maxPool2(y2_.data(), n, 14, 14, C2, xh2_.data(), idx2_.data()); });
    phase("batchnorm+relu", [&] { bnReluForward(xh2_.data(), n * 49L, C2, w_.g2.data(), w_.b2.data(), CNN_BN_EPS, a2_.data(), mean, var, rstd2_); });
    phase("batchnorm+relu", [&] { runningUpdate(rm2_.data(), mean, C2), runningUpdate(rv2_.data(), var, C2); });
    // Dense 2352 -> 256, ReLU, dropout; dense 256 -> 10; loss.
    phase("gemm fc1 fwd", [&] { G::gemm(false, false, n, H, F, a2_.data(), F, w_.wf1.data(), H, h_.data(), H); });
    phase("dense elementwise", [&] { dropoutMask(mask_.data(), mask_.size(), CNN_DROPOUT, dropoutSeed(seed_, step_, 0)); });
    phase("dense elementwise", [&] { biasReluDropout(h_.data(), n, H, w_.bf1.data(), mask_.data()); });
    phase("gemm fc2 fwd", [&] { G::gemm(false, false, n, 10, H, h_.data(), H, w_.wf2.data(), 10, logits_.data(), 10); });
    phase("dense elementwise", [&] { addBias(logits_.data(), n, 10, w_.bf2.data()); });
    float loss = 0;
    phase("loss", [&] { loss = softmaxCrossEntropy(logits_.data(), y, n, 10, dlogits_.data()); });
    // Backward.
    phase("gemm fc2 dW", [&] { G::gemm(true, false, H, 10, n, h_.data(), H, dlogits_.data(), 10, g_.wf2.data(), 10); });
    phase("dense elementwise", [&] { columnSums(dlogits_.data(), n, 10, g_.bf2.data()); });
    phase("gemm fc2 dX", [&] { G::gemm(false, true, n, H, 10, dlogits_.data(), 10, w_.wf2.data(), 10, dd_.data(), H); });
    phase("dense elementwise", [&] { reluDropoutBackward(dd_.data(), h_.data(), mask_.data(), static_cast<long>(dd_.size())); });
    phase("dense elementwise", [&] { columnSums(dd_.data(), n, H, g_.bf1.data()); });
    phase("gemm fc1 dW", [&] { G::gemm(true, false, F, H, n, a2_.data(), F, dd_.data(), H, g_.wf1.data(), H); });
    phase("gemm fc1 dX", [&] { G::gemm(false, true, n, F, H, dd_.data(), H, w_.wf1.data(), H, da2_.data(), F); });
    phase("batchnorm+relu", [&] { bnReluBackward(da2_.data(), xh2_.data(), n * 49L, C2, w_.g2.data(), w_.b2.data(), rstd2_, g_.g2.data(), g_.b2.data()); });
    phase("pool", [&] { maxPool2Backward(da2_.data(), idx2_.data(), n, 14, 14, C2, dy2_.data()); });
    phase("gemm conv2 dW", [&] { G::gemm(true, false, 9 * C1, C2, n * 196, col2_.data(), 9 * C1, dy2_.data(), C2, g_.w2.data(), C2); });
    phase("gemm conv2 dX", [&] { G::gemm(false, true, n * 196, 9 * C1, C2, dy2_.data(), C2, w_.w2.data(), C2, dcol2_.data(), 9 * C1); });
    phase("col2im", [&] { col2im3x3(dcol2_.data(), n, 14, 14, C1, da1_.data()); });
    phase("batchnorm+relu", [&] { bnReluBackward(da1_.data(), xh1_.data(), n * 196L, C1, w_.g1.data(), w_.b1.data(), rstd1_, g_.g1.data(), g_.b1.data()); });
    phase("pool", [&] { maxPool2Backward(da1_.data(), idx1_.data(), n, 28, 28, C1, dy1_.data()); });
    phase("gemm conv1 dW", [&] { G::gemm(true, false, 9, C1, n * 784, col1_.data(), 9, dy1_.data(), C1, g_.w1.data(), C1); });
    // Adam.
    phase("adam", [&] {
    adam_.next();
    Vec* ws[] = {&w_.w1, &w_.g1, &w_.b1, &w_.w2, &w_.g2, &w_.b2, &w_.wf1, &w_.bf1, &w_.wf2, &w_.bf2};
    Vec* gs[] = {&g_.w1, &g_.g1, &g_.b1, &g_.w2, &g_.g2, &g_.b2, &g_.wf1, &g_.bf1, &g_.wf2, &g_.bf2};
    Vec* ms[] = {&m_.w1, &m_.g1, &m_.b1, &m_.w2, &m_.g2, &m_.b2, &m_.wf1, &m_.bf1, &m_.wf2, &m_.bf2};
    Vec* vs[] = {&v_.w1, &v_.g1, &v_.b1, &v_.w2, &v_.g2, &v_.b2, &v_.wf1, &v_.bf1, &v_.wf2, &v_.bf2};
    for (int i = 0; i < 10; ++i) adamUpdate(adam_, ws[i]->data(), gs[i]->data(), ms[i]->data(), vs[i]->data(), ws[i]->size());
    });
    ++step_;
    return loss;
  }

 private:
  static constexpr int C1 = 24, C2 = 48, H = 256, F = 7 * 7 * 48;
  static CnnParams zeroLike(const CnnParams& p) {
    CnnParams z = p;
    for (Vec* v : {&z.w1, &z.g1, &z.b1, &z.w2, &z.g2, &z.b2, &z.wf1, &z.bf1, &z.wf2, &z.bf2}) std::fill(v->begin(), v->end(), 0.0f);
    return z;
  }
  int n_;
  uint64_t seed_;
  int step_ = 0;
  AdamState adam_;
  CnnParams w_, g_, m_, v_;
  Vec col1_, y1_, xh1_, a1_, col2_, y2_, xh2_, a2_, h_, mask_, logits_, dlogits_, dd_, da2_, dy2_, dcol2_, da1_, dy1_;
  std::vector<uint8_t> idx1_, idx2_;
  Vec rm1_, rv1_, rm2_, rv2_;
  float rstd1_[C1], rstd2_[C2];
};

/** The MLP 784-512-256-10 (see common.h) over G's GEMM. */
template <class G>
class Mlp final : public Trainer {
 public:
  Mlp(int n, const MlpParams& p, uint64_t seed) : n_(n), seed_(seed), w_(p) {
    g_ = zeroLike(p), m_ = zeroLike(p), v_ = zeroLike(p);
    xh1_.resize(n * static_cast<long>(H1)), a1_.resize(xh1_.size()), mask1_.resize(xh1_.size()), da1_.resize(xh1_.size());
    xh2_.resize(n * static_cast<long>(H2)), a2_.resize(xh2_.size()), mask2_.resize(xh2_.size()), da2_.resize(xh2_.size());
    logits_.resize(n * 10L), dlogits_.resize(n * 10L);
    rm1_.assign(H1, 0), rv1_.assign(H1, 1), rm2_.assign(H2, 0), rv2_.assign(H2, 1);
  }

  float step(const float* x, const int* y) override {
    const int n = n_;
    float mean[H1], var[H1];
    phase("gemm", [&] { G::gemm(false, false, n, H1, IN, x, IN, w_.w1.data(), H1, xh1_.data(), H1); });
    phase("batchnorm+relu", [&] { bnReluForward(xh1_.data(), n, H1, w_.g1.data(), w_.b1.data(), MLP_BN_EPS, a1_.data(), mean, var, rstd1_); });
    phase("batchnorm+relu", [&] { runningUpdate(rm1_.data(), mean, H1), runningUpdate(rv1_.data(), var, H1); });
    phase("dense elementwise", [&] { dropoutMask(mask1_.data(), mask1_.size(), MLP_DROPOUT, dropoutSeed(seed_, step_, 0)); });
    phase("dense elementwise", [&] { multiply(a1_.data(), mask1_.data(), static_cast<long>(a1_.size())); });
    phase("gemm", [&] { G::gemm(false, false, n, H2, H1, a1_.data(), H1, w_.w2.data(), H2, xh2_.data(), H2); });
    phase("batchnorm+relu", [&] { bnReluForward(xh2_.data(), n, H2, w_.g2.data(), w_.b2.data(), MLP_BN_EPS, a2_.data(), mean, var, rstd2_); });
    phase("batchnorm+relu", [&] { runningUpdate(rm2_.data(), mean, H2), runningUpdate(rv2_.data(), var, H2); });
    phase("dense elementwise", [&] { dropoutMask(mask2_.data(), mask2_.size(), MLP_DROPOUT, dropoutSeed(seed_, step_, 1)); });
    phase("dense elementwise", [&] { multiply(a2_.data(), mask2_.data(), static_cast<long>(a2_.size())); });
    phase("gemm", [&] { G::gemm(false, false, n, 10, H2, a2_.data(), H2, w_.w3.data(), 10, logits_.data(), 10); });
    phase("dense elementwise", [&] { addBias(logits_.data(), n, 10, w_.b3.data()); });
    float loss = 0;
    phase("loss", [&] { loss = softmaxCrossEntropy(logits_.data(), y, n, 10, dlogits_.data()); });
    phase("gemm", [&] { G::gemm(true, false, H2, 10, n, a2_.data(), H2, dlogits_.data(), 10, g_.w3.data(), 10); });
    phase("dense elementwise", [&] { columnSums(dlogits_.data(), n, 10, g_.b3.data()); });
    phase("gemm", [&] { G::gemm(false, true, n, H2, 10, dlogits_.data(), 10, w_.w3.data(), 10, da2_.data(), H2); });
    phase("dense elementwise", [&] { multiply(da2_.data(), mask2_.data(), static_cast<long>(da2_.size())); });
    phase("batchnorm+relu", [&] { bnReluBackward(da2_.data(), xh2_.data(), n, H2, w_.g2.data(), w_.b2.data(), rstd2_, g_.g2.data(), g_.b2.data()); });
    phase("gemm", [&] { G::gemm(true, false, H1, H2, n, a1_.data(), H1, da2_.data(), H2, g_.w2.data(), H2); });
    phase("gemm", [&] { G::gemm(false, true, n, H1, H2, da2_.data(), H2, w_.w2.data(), H2, da1_.data(), H1); });
    phase("dense elementwise", [&] { multiply(da1_.data(), mask1_.data(), static_cast<long>(da1_.size())); });
    phase("batchnorm+relu", [&] { bnReluBackward(da1_.data(), xh1_.data(), n, H1, w_.g1.data(), w_.b1.data(), rstd1_, g_.g1.data(), g_.b1.data()); });
    phase("gemm", [&] { G::gemm(true, false, IN, H1, n, x, IN, da1_.data(), H1, g_.w1.data(), H1); });
    phase("adam", [&] {
    adam_.next();
    Vec* ws[] = {&w_.w1, &w_.g1, &w_.b1, &w_.w2, &w_.g2, &w_.b2, &w_.w3, &w_.b3};
    Vec* gs[] = {&g_.w1, &g_.g1, &g_.b1, &g_.w2, &g_.g2, &g_.b2, &g_.w3, &g_.b3};
    Vec* ms[] = {&m_.w1, &m_.g1, &m_.b1, &m_.w2, &m_.g2, &m_.b2, &m_.w3, &m_.b3};
    Vec* vs[] = {&v_.w1, &v_.g1, &v_.b1, &v_.w2, &v_.g2, &v_.b2, &v_.w3, &v_.b3};
    for (int i = 0; i < 8; ++i) adamUpdate(adam_, ws[i]->data(), gs[i]->data(), ms[i]->data(), vs[i]->data(), ws[i]->size());
    });
    ++step_;
    return loss;
  }

 private:
  static constexpr int IN = 784, H1 = 512, H2 = 256;
  static MlpParams zeroLike(const MlpParams& p) {
    MlpParams z = p;
    for (Vec* v : {&z.w1, &z.g1, &z.b1, &z.w2, &z.g2, &z.b2, &z.w3, &z.b3}) std::fill(v->begin(), v->end(), 0.0f);
    return z;
  }
  int n_;
  uint64_t seed_;
  int step_ = 0;
  AdamState adam_;
  MlpParams w_, g_, m_, v_;
  Vec xh1_, a1_, mask1_, da1_, xh2_, a2_, mask2_, da2_, logits_, dlogits_;
  Vec rm1_, rv1_, rm2_, rv2_;
  float rstd1_[H1], rstd2_[H2];
};

}  // namespace gemmnet
}  // namespace spike

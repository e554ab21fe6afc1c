#include "common.h"

#include <algorithm>

namespace spike {

void fillNormal(float* p, size_t n, float stddev, uint64_t seed) {
  for (size_t i = 0; i < n; ++i) {
    // Box-Muller from two independent uniforms.
    float u1 = std::max(uniform01(seed, 2 * i), 1e-7f);
    float u2 = uniform01(seed, 2 * i + 1);
    p[i] = stddev * std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
  }
}

void fillUniform(float* p, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; ++i) p[i] = uniform01(seed, i);
}

void dropoutMask(float* mask, size_t n, float rate, uint64_t seed) {
  const float keep = 1.0f / (1.0f - rate);
  for (size_t i = 0; i < n; ++i) mask[i] = uniform01(seed, i) >= rate ? keep : 0.0f;
}

float softmaxCrossEntropy(const float* logits, const int* labels, int n, int k, float* dlogits) {
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const float* z = logits + static_cast<size_t>(i) * k;
    float* d = dlogits + static_cast<size_t>(i) * k;
    float mx = z[0];
    for (int j = 1; j < k; ++j) mx = std::max(mx, z[j]);
    float sum = 0;
    for (int j = 0; j < k; ++j) sum += (d[j] = std::exp(z[j] - mx));
    const float inv = 1.0f / sum;
    total += std::log(sum) + mx - z[labels[i]];
    for (int j = 0; j < k; ++j) d[j] = (d[j] * inv - (j == labels[i] ? 1.0f : 0.0f)) / n;
  }
  return static_cast<float>(total / n);
}

void adamUpdate(const AdamState& s, float* w, const float* g, float* m, float* v, size_t n) {
  const float lr = s.lr * std::sqrt(1.0f - s.b2t) / (1.0f - s.b1t);
  const float b1 = s.beta1, b2 = s.beta2, eps = s.eps;
  const long len = static_cast<long>(n);
#pragma omp parallel for simd schedule(static) if (len > 32768)
  for (long i = 0; i < len; ++i) {
    const float gi = g[i];
    const float mi = m[i] = b1 * m[i] + (1.0f - b1) * gi;
    const float vi = v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    w[i] -= lr * mi / (std::sqrt(vi) + eps);
  }
}

Batch makeBatch(int n, uint64_t seed) {
  Batch b;
  b.n = n;
  b.x.resize(static_cast<size_t>(n) * 784);
  fillUniform(b.x.data(), b.x.size(), seed);
  b.y.resize(n);
  for (int i = 0; i < n; ++i) b.y[i] = static_cast<int>(uniform01(seed + 1, i) * 10) % 10;
  return b;
}

CnnParams initCnn(uint64_t seed) {
  CnnParams p;
  const int flat = 7 * 7 * p.c2;
  p.w1.resize(9 * 1 * p.c1);
  fillNormal(p.w1.data(), p.w1.size(), std::sqrt(2.0f / 9), seed);
  p.g1.assign(p.c1, 1.0f);
  p.b1.assign(p.c1, 0.0f);
  p.w2.resize(9 * p.c1 * p.c2);
  fillNormal(p.w2.data(), p.w2.size(), std::sqrt(2.0f / (9 * p.c1)), seed + 1);
  p.g2.assign(p.c2, 1.0f);
  p.b2.assign(p.c2, 0.0f);
  p.wf1.resize(static_cast<size_t>(flat) * p.hidden);
  fillNormal(p.wf1.data(), p.wf1.size(), std::sqrt(2.0f / flat), seed + 2);
  p.bf1.assign(p.hidden, 0.0f);
  p.wf2.resize(p.hidden * p.classes);
  fillNormal(p.wf2.data(), p.wf2.size(), std::sqrt(1.0f / p.hidden), seed + 3);
  p.bf2.assign(p.classes, 0.0f);
  return p;
}

MlpParams initMlp(uint64_t seed) {
  MlpParams p;
  p.w1.resize(static_cast<size_t>(p.in) * p.h1);
  fillNormal(p.w1.data(), p.w1.size(), std::sqrt(2.0f / p.in), seed);
  p.g1.assign(p.h1, 1.0f);
  p.b1.assign(p.h1, 0.0f);
  p.w2.resize(static_cast<size_t>(p.h1) * p.h2);
  fillNormal(p.w2.data(), p.w2.size(), std::sqrt(2.0f / p.h1), seed + 1);
  p.g2.assign(p.h2, 1.0f);
  p.b2.assign(p.h2, 0.0f);
  p.w3.resize(p.h2 * p.classes);
  fillNormal(p.w3.data(), p.w3.size(), std::sqrt(2.0f / (p.h2 + p.classes)), seed + 2);
  p.b3.assign(p.classes, 0.0f);
  return p;
}

}  // namespace spike

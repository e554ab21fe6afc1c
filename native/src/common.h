// Shared pieces of the native spike (issue 15): deterministic random numbers, parameter init in
// the layouts tfjs uses, Adam, dropout, softmax cross-entropy, and the Trainer interface that each
// variant (oneDNN, Eigen, OpenBLAS) implements for the job's CNN and MLP.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spike {

using Vec = std::vector<float>;

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/** Uniform in [0, 1), a pure function of (seed, i): the same in every variant and thread. */
inline float uniform01(uint64_t seed, uint64_t i) {
  return static_cast<float>(splitmix64(seed * 0x2545F4914F6CDD1Dull + i) >> 40) * (1.0f / 16777216.0f);
}

void fillNormal(float* p, size_t n, float stddev, uint64_t seed);
void fillUniform(float* p, size_t n, uint64_t seed);

/** Dropout mask: 1/(1-rate) where kept, 0 where dropped. */
void dropoutMask(float* mask, size_t n, float rate, uint64_t seed);

/**
 * Mean softmax cross-entropy of logits [n, k] against integer labels; writes d loss / d logits
 * ((softmax - onehot) / n) into dlogits.
 */
float softmaxCrossEntropy(const float* logits, const int* labels, int n, int k, float* dlogits);

struct AdamState {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-7f;
  int t = 0;
  float b1t = 1.0f, b2t = 1.0f;
  /** Call once per step before the updates. */
  void next() {
    ++t;
    b1t *= beta1;
    b2t *= beta2;
  }
};

/** One Adam update of n values (parallel over both cores when n is large). */
void adamUpdate(const AdamState& s, float* w, const float* g, float* m, float* v, size_t n);

/** A random batch: images uniform in [0, 1) as [n, 28, 28, 1] (= [n, 784]), labels 0..9. */
struct Batch {
  int n = 0;
  Vec x;
  std::vector<int> y;
};
Batch makeBatch(int n, uint64_t seed);

/**
 * The job's CNN parameters in tfjs layouts: conv kernels HWIO, dense weights [in, out] (fc1's rows
 * in the NHWC flatten order h, w, c), biases and batch-norm gamma / beta.
 */
struct CnnParams {
  int c1 = 24, c2 = 48, hidden = 256, classes = 10;
  Vec w1, g1, b1, w2, g2, b2, wf1, bf1, wf2, bf2;
};
CnnParams initCnn(uint64_t seed);

/** The MLP 784-512-256-10: dense (no bias) -> batch norm -> ReLU -> dropout, twice, then dense 10 (+bias). */
struct MlpParams {
  int in = 784, h1 = 512, h2 = 256, classes = 10;
  Vec w1, g1, b1, w2, g2, b2, w3, b3;
};
MlpParams initMlp(uint64_t seed);

/** One network under one implementation: a training step is forward + backward + Adam. */
class Trainer {
 public:
  virtual ~Trainer() = default;
  /** Trains one step on x ([n, 784] row-major) and labels; returns the batch's mean loss. */
  virtual float step(const float* x, const int* y) = 0;
};

constexpr float CNN_DROPOUT = 0.25f;
constexpr float MLP_DROPOUT = 0.2f;
constexpr float CNN_BN_EPS = 1e-5f;   // nn.ts BatchNorm
constexpr float MLP_BN_EPS = 1e-3f;   // tf.layers.batchNormalization
constexpr float BN_MOMENTUM = 0.9f;  // running = running * 0.9 + batch * 0.1 (nn.ts); Keras uses 0.99

/** Dropout seed of a step: the same stream in every variant, so their losses can be compared. */
inline uint64_t dropoutSeed(uint64_t seed, int step, int layer) { return seed * 1000003ull + static_cast<uint64_t>(step) * 16 + layer; }

// Factories, one per variant (defined in onednn.cc, gemm_eigen.cc, gemm_openblas.cc).
std::unique_ptr<Trainer> makeDnnlCnn(int batch, const CnnParams& p, bool blocked, uint64_t seed);
std::unique_ptr<Trainer> makeDnnlMlp(int batch, const MlpParams& p, uint64_t seed);
std::unique_ptr<Trainer> makeEigenCnn(int batch, const CnnParams& p, uint64_t seed);
std::unique_ptr<Trainer> makeEigenMlp(int batch, const MlpParams& p, uint64_t seed);
std::unique_ptr<Trainer> makeBlasCnn(int batch, const CnnParams& p, uint64_t seed);
std::unique_ptr<Trainer> makeBlasMlp(int batch, const MlpParams& p, uint64_t seed);

/**
 * 'same' 3x3 stride-1 conv forward of NHWC x [n, h, w, cin] with an HWIO kernel into y [n, h, w, cout],
 * by each implementation, for the cross-check.
 */
void dnnlConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y);
void eigenConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y);
void blasConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y);

/** Per-phase timing of the Eigen / OpenBLAS networks: on, then the accumulated ms by phase (and reset). */
void setGemmProfile(bool on);
std::vector<std::pair<std::string, double>> takeGemmProfile();

void setEigenThreads(int n);
void setBlasThreads(int n);
std::string dnnlVersion();
std::string blasConfig();

}  // namespace spike

// The im2col + GEMM networks over Eigen 3.4 (header-only; its GEMM threads with OpenMP).
#include <Eigen/Core>

#include "gemm_net.h"

namespace spike {
namespace {

struct EigenGemm {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using In = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;
  using Out = Eigen::Map<RowMajor, 0, Eigen::OuterStride<>>;

  static void gemm(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
    In A(a, ta ? k : m, ta ? m : k, Eigen::OuterStride<>(lda));
    In B(b, tb ? n : k, tb ? k : n, Eigen::OuterStride<>(ldb));
    Out C(c, m, n, Eigen::OuterStride<>(ldc));
    if (!ta && !tb) C.noalias() = A * B;
    else if (ta && !tb) C.noalias() = A.transpose() * B;
    else if (!ta && tb) C.noalias() = A * B.transpose();
    else C.noalias() = A.transpose() * B.transpose();
  }
};

}  // namespace

std::unique_ptr<Trainer> makeEigenCnn(int batch, const CnnParams& p, uint64_t seed) {
  return std::make_unique<gemmnet::Cnn<EigenGemm>>(batch, p, seed);
}
std::unique_ptr<Trainer> makeEigenMlp(int batch, const MlpParams& p, uint64_t seed) {
  return std::make_unique<gemmnet::Mlp<EigenGemm>>(batch, p, seed);
}
void eigenConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y) {
  gemmnet::convForward<EigenGemm>(x, n, h, w, cin, k, cout, y);
}
void setEigenThreads(int n) { Eigen::setNbThreads(n); }

}  // namespace spike

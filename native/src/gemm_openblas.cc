// The im2col + GEMM networks over OpenBLAS's cblas_sgemm (Debian's libopenblas: runtime CPU
// dispatch, its own pthreads pool).
#include <cblas.h>

#include "gemm_net.h"

namespace spike {
namespace {

struct BlasGemm {
  static void gemm(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb,
                0.0f, c, ldc);
  }
};

}  // namespace

std::unique_ptr<Trainer> makeBlasCnn(int batch, const CnnParams& p, uint64_t seed) {
  return std::make_unique<gemmnet::Cnn<BlasGemm>>(batch, p, seed);
}
std::unique_ptr<Trainer> makeBlasMlp(int batch, const MlpParams& p, uint64_t seed) {
  return std::make_unique<gemmnet::Mlp<BlasGemm>>(batch, p, seed);
}
void blasConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y) {
  gemmnet::convForward<BlasGemm>(x, n, h, w, cin, k, cout, y);
}
void setBlasThreads(int n) { openblas_set_num_threads(n); }
void setGemmProfile(bool on) { gemmnet::Profile::on = on; }
std::vector<std::pair<std::string, double>> takeGemmProfile() {
  auto out = std::move(gemmnet::Profile::ms);
  gemmnet::Profile::ms.clear();
  return out;
}
std::string blasConfig() { return openblas_get_config(); }

}  // namespace spike

// Convolutions over oneDNN 2.x primitives, activations NHWC at the boundary (the cpu backend's layout,
// so nothing is reordered but the small filter). A plan (primitive descriptors, primitives, reorders)
// is built once per shape and kept: building one costs far more than running it on a batch.
#include <oneapi/dnnl/dnnl.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <memory>
#include <tuple>
#include <vector>

#include "kernels.h"

namespace dfn {
namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;
using dims = memory::dims;

std::atomic<long> buffers{0};

/** A oneDNN-owned buffer, counted while it lives so tests can see that nothing is left behind. */
struct Counted {
  memory mem;
  Counted(const memory::desc& d, const engine& e) : mem(d, e) { ++buffers; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() { --buffers; }
};

engine& cpu() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
stream& strm() {
  static stream s(cpu());
  return s;
}

memory::desc md(const dims& d, tag t) { return memory::desc(d, dt::f32, t); }

/** oneDNN counts dilation from 0 (no gaps); tfjs from 1. */
struct Geometry {
  dims src, weights, dst, strides, dilation, padL, padR;
  explicit Geometry(const ConvShape& s)
      : src{s.batch, s.inChannels, s.inHeight, s.inWidth},
        weights{s.outChannels, s.inChannels, s.filterHeight, s.filterWidth},
        dst{s.batch, s.outChannels, s.outHeight, s.outWidth},
        strides{s.strideHeight, s.strideWidth},
        dilation{s.dilationHeight - 1, s.dilationWidth - 1},
        padL{s.padTop, s.padLeft},
        padR{s.padBottom, s.padRight} {}
};

/**
 * Everything a shape needs: the forward descriptor (the backward ones take it as a hint) and, built on
 * first use, each direction's primitive with the filter layout it prefers.
 */
struct Plan {
  Geometry g;
  convolution_forward::primitive_desc fwdPd;
  primitive fwd;
  bool fwdReorder = false;
  std::unique_ptr<convolution_backward_data::primitive_desc> dataPd;
  primitive data;
  bool dataReorder = false;
  std::unique_ptr<convolution_backward_weights::primitive_desc> weightsPd;
  primitive weights;
  bool weightsReorder = false;

  explicit Plan(const ConvShape& s) : g(s) {
    // The filter in the layout oneDNN picks (its direct JIT kernels want blocked filters; given tfjs's
    // HWIO it falls back to im2col + gemm, which is up to 100x slower backwards): the filter is small,
    // so reordering it on each call costs little. The same holds for both backward directions.
    fwdPd = convolution_forward::primitive_desc(
        convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, md(g.src, tag::nhwc),
                                  md(g.weights, tag::any), md(g.dst, tag::nhwc), g.strides, g.dilation, g.padL, g.padR),
        cpu());
    fwdReorder = fwdPd.weights_desc() != md(g.weights, tag::hwio);
    fwd = convolution_forward(fwdPd);
  }

  void ensureData() {
    if (dataPd) return;
    dataPd = std::make_unique<convolution_backward_data::primitive_desc>(
        convolution_backward_data::desc(algorithm::convolution_direct, md(g.src, tag::nhwc), md(g.weights, tag::any),
                                        md(g.dst, tag::nhwc), g.strides, g.dilation, g.padL, g.padR),
        cpu(), fwdPd);
    dataReorder = dataPd->weights_desc() != md(g.weights, tag::hwio);
    data = convolution_backward_data(*dataPd);
  }

  void ensureWeights() {
    if (weightsPd) return;
    weightsPd = std::make_unique<convolution_backward_weights::primitive_desc>(
        convolution_backward_weights::desc(algorithm::convolution_direct, md(g.src, tag::nhwc), md(g.weights, tag::any),
                                           md(g.dst, tag::nhwc), g.strides, g.dilation, g.padL, g.padR),
        cpu(), fwdPd);
    weightsReorder = weightsPd->diff_weights_desc() != md(g.weights, tag::hwio);
    weights = convolution_backward_weights(*weightsPd);
  }
};

using Key = std::vector<int>;
std::map<Key, std::unique_ptr<Plan>> plans;
/** Shapes change with the batch size (the last batch of an epoch, prediction): a few dozen is plenty. */
constexpr size_t MAX_PLANS = 64;

Key keyOf(const ConvShape& s) {
  const int* p = &s.batch;
  return Key(p, p + sizeof(ConvShape) / sizeof(int));
}

Plan* planFor(const ConvShape& s) {
  auto key = keyOf(s);
  auto found = plans.find(key);
  if (found != plans.end()) return found->second.get();
  if (plans.size() >= MAX_PLANS) plans.clear();
  auto plan = std::make_unique<Plan>(s);
  Plan* raw = plan.get();
  plans.emplace(std::move(key), std::move(plan));
  return raw;
}

memory wrap(const dims& d, tag t, const float* p) { return memory(md(d, t), cpu(), const_cast<float*>(p)); }

void reorderInto(memory& from, memory& to) { reorder(from, to).execute(strm(), from, to); }

/** Runs `body`, turning any oneDNN refusal (an unsupported shape) into false. */
template <class F>
bool guarded(F body) {
  try {
    body();
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

}  // namespace

bool conv2d(const ConvShape& s, const float* x, const float* filter, float* y) {
  return guarded([&] {
    Plan* p = planFor(s);
    memory src = wrap(p->g.src, tag::nhwc, x), dst = wrap(p->g.dst, tag::nhwc, y);
    memory user = wrap(p->g.weights, tag::hwio, filter);
    std::optional<Counted> reordered;
    if (p->fwdReorder) reorderInto(user, reordered.emplace(p->fwdPd.weights_desc(), cpu()).mem);
    p->fwd.execute(strm(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, p->fwdReorder ? reordered->mem : user}, {DNNL_ARG_DST, dst}});
    strm().wait();
  });
}

bool conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  return guarded([&] {
    Plan* p = planFor(s);
    p->ensureData();
    memory diffDst = wrap(p->g.dst, tag::nhwc, dy), diffSrc = wrap(p->g.src, tag::nhwc, dx);
    memory user = wrap(p->g.weights, tag::hwio, filter);
    std::optional<Counted> reordered;
    if (p->dataReorder) reorderInto(user, reordered.emplace(p->dataPd->weights_desc(), cpu()).mem);
    p->data.execute(strm(), {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, p->dataReorder ? reordered->mem : user},
                             {DNNL_ARG_DIFF_SRC, diffSrc}});
    strm().wait();
  });
}

bool conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  return guarded([&] {
    Plan* p = planFor(s);
    p->ensureWeights();
    memory src = wrap(p->g.src, tag::nhwc, x), diffDst = wrap(p->g.dst, tag::nhwc, dy);
    memory user = wrap(p->g.weights, tag::hwio, dw);
    std::optional<Counted> raw;
    if (p->weightsReorder) raw.emplace(p->weightsPd->diff_weights_desc(), cpu());
    p->weights.execute(strm(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst},
                                {DNNL_ARG_DIFF_WEIGHTS, p->weightsReorder ? raw->mem : user}});
    if (p->weightsReorder) reorderInto(raw->mem, user);
    strm().wait();
  });
}

size_t cachedPlans() { return plans.size(); }
long liveBuffers() { return buffers.load(); }
void clearPlans() { plans.clear(); }
std::string isa() {
  switch (get_effective_cpu_isa()) {
    case cpu_isa::sse41: return "sse41";
    case cpu_isa::avx: return "avx";
    case cpu_isa::avx2: return "avx2";
    case cpu_isa::avx512_mic: return "avx512_mic";
    case cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case cpu_isa::avx512_core: return "avx512_core";
    case cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case cpu_isa::avx2_vnni: return "avx2_vnni";
    default: return "baseline";
  }
}
std::string dnnlVersion() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

}  // namespace dfn

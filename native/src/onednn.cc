// The job's CNN and MLP over oneDNN 2.6 primitives (Debian libdnnl-dev, OpenMP runtime): convolution
// forward / backward data / backward weights, max pooling forward / backward, batch norm forward /
// backward with the ReLU fused (fuse_norm_relu), inner product forward (ReLU as an eltwise post-op) /
// backward data / backward weights. Dropout, softmax cross-entropy, the ReLU-dropout backward of the
// hidden dense layer, running statistics and Adam are hand-written loops.
//
// Activations are NHWC at every primitive boundary (`blocked` = false: what a tfjs backend would hand
// over) or left to oneDNN's choice (`blocked` = true: e.g. nChw8c on AVX2, what a fused whole-network
// kernel could keep); weights are always in the layout the primitives choose.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <functional>
#include <unordered_map>
#include <stdexcept>

#include "common.h"

namespace spike {
namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;
using dims = memory::dims;

struct Ctx {
  engine eng{engine::kind::cpu, 0};
  stream s{eng};
};
Ctx& ctx() {
  static Ctx c;
  return c;
}

memory::desc md(const dims& d, tag t) { return memory::desc(d, dt::f32, t); }
float* ptr(const memory& m) { return static_cast<float*>(m.get_data_handle()); }
size_t floats(const memory::desc& d) { return d.get_size() / sizeof(float); }

void reorderInto(const memory& from, const memory& to) {
  reorder(from, to).execute(ctx().s, const_cast<memory&>(from), const_cast<memory&>(to));
}

/**
 * A trainable tensor: its value in the forward primitive's layout, its gradient as the backward-weights
 * primitive writes it (reordered to the value's layout when they differ), a copy in the
 * backward-data primitive's layout when that differs too, and Adam's moments.
 */
struct Param {
  memory w, wBwd, gradRaw, grad;
  bool reorderBwd = false, reorderGrad = false;
  Vec m, v;

  void init(const memory::desc& wd, const memory::desc& bwdWd, const memory::desc& gd, const float* user, const memory::desc& userMd) {
    auto& eng = ctx().eng;
    w = memory(wd, eng);
    std::memset(w.get_data_handle(), 0, wd.get_size());
    memory u(userMd, eng, const_cast<float*>(user));
    reorderInto(u, w);
    reorderBwd = bwdWd != wd;
    wBwd = reorderBwd ? memory(bwdWd, eng) : w;
    reorderGrad = gd != wd;
    gradRaw = memory(gd, eng);
    grad = reorderGrad ? memory(wd, eng) : gradRaw;
    std::memset(grad.get_data_handle(), 0, wd.get_size());
    m.assign(floats(wd), 0.0f);
    v.assign(floats(wd), 0.0f);
  }
  /** Plain 1-D tensor (bias, gamma, beta). */
  void init1d(int n, const float* user) {
    auto d = md({n}, tag::a);
    init(d, d, d, user, d);
  }
  void refreshBwd() {
    if (reorderBwd) reorderInto(w, wBwd);
  }
  void update(const AdamState& s) {
    if (reorderGrad) reorderInto(gradRaw, grad);
    adamUpdate(s, ptr(w), ptr(grad), m.data(), v.data(), m.size());
  }
};

/**
 * Builds a backward primitive descriptor with the weights' forward layout (no reorder per step) unless
 * that has no optimised implementation (oneDNN then falls back to its slow reference kernels, "ref:"):
 * then with `any`, and Param reorders the weights or gradients each step (they are small).
 */
template <class PD, class Make>
PD preferLayout(const memory::desc& wanted, Make make) {
  try {
    PD pd = make(wanted);
    if (std::string(pd.impl_info_str()).rfind("ref", 0) != 0) return pd;
  } catch (const dnnl::error&) {
  }
  return make(memory::desc(wanted.dims(), dt::f32, tag::any));
}

/** The first candidate that builds and is not a reference kernel; else the last one that builds. */
template <class PD>
PD firstFast(std::initializer_list<std::function<PD()>> makers) {
  PD found;
  bool any = false;
  for (auto& make : makers) {
    try {
      PD pd = make();
      if (std::string(pd.impl_info_str()).rfind("ref", 0) != 0) return pd;
      found = pd, any = true;
    } catch (const dnnl::error&) {
    }
  }
  if (!any) throw std::runtime_error("oneDNN: no implementation");
  return found;
}

const normalization_flags BN_FLAGS = normalization_flags::use_scale | normalization_flags::use_shift | normalization_flags::fuse_norm_relu;

/** Conv 3x3 'same' -> 2x2 max pool -> batch norm + ReLU, forward and backward. */
struct ConvBlock {
  int n, cin, cout, side;
  bool needDiffSrc;
  convolution_forward::primitive_desc convPd;
  convolution_backward_data::primitive_desc convDataPd;
  convolution_backward_weights::primitive_desc convWPd;
  pooling_forward::primitive_desc poolPd;
  pooling_backward::primitive_desc poolBPd;
  batch_normalization_forward::primitive_desc bnPd;
  batch_normalization_backward::primitive_desc bnBPd;
  primitive conv, convData, convW, pool, poolB, bn, bnB;
  memory convSrc, convDst, poolDst, poolWs, bnDst, mean, var, bnWs, dPoolDst, dConvDst, dSrc;
  bool reorderSrc = false;
  memory wSrc, wDiffDst;  // the backward-weights kernel's own layouts, when they differ
  Param kernel, gamma, beta;
  Vec runningMean, runningVar;

  ConvBlock(int n_, int cin_, int cout_, int side_, const memory::desc& srcMd, bool blocked, bool diffSrc, const float* k,
            const float* g, const float* b)
      : n(n_), cin(cin_), cout(cout_), side(side_), needDiffSrc(diffSrc) {
    auto& eng = ctx().eng;
    const dims s1{1, 1}, p1{1, 1}, s2{2, 2}, p0{0, 0}, wdims{cout, cin, 3, 3};
    const int half = side / 2;
    auto anyW = md(wdims, tag::any);
    // Blocked: the first block also lets oneDNN choose its input's layout (a reorder per step; for
    // one channel NCHW and NHWC are the same bytes), later blocks take the previous block's.
    const bool srcAny = blocked && !needDiffSrc;
    convPd = convolution_forward::primitive_desc(
        convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, srcAny ? md(srcMd.dims(), tag::any) : srcMd,
                                  anyW, md({n, cout, side, side}, blocked ? tag::any : tag::nhwc), s1, p1, p1),
        eng);
    reorderSrc = convPd.src_desc() != srcMd;
    if (reorderSrc && needDiffSrc) throw std::logic_error("ConvBlock: a reordered input needs no gradient here");
    if (reorderSrc) convSrc = memory(convPd.src_desc(), eng);
    auto convSrcMd = convPd.src_desc();
    auto dstMd = convPd.dst_desc();
    // Backward weights: the forward layouts if a fast kernel takes them, else oneDNN's choice of the
    // weights' layout, else of every layout (reordering src / diff_dst each step: AVX2 has no fast
    // kernel for a 1-channel NCHW input with a blocked output).
    using WPd = convolution_backward_weights::primitive_desc;
    auto makeW = [&](const memory::desc& sd, const memory::desc& wd, const memory::desc& dd) {
      return WPd(convolution_backward_weights::desc(algorithm::convolution_direct, sd, wd, dd, s1, p1, p1), eng, convPd);
    };
    auto anyOf = [](const memory::desc& d) { return md(d.dims(), tag::any); };
    convWPd = firstFast<WPd>({[&] { return makeW(convSrcMd, convPd.weights_desc(), dstMd); },
                              [&] { return makeW(convSrcMd, anyW, dstMd); },
                              [&] { return makeW(anyOf(convSrcMd), anyW, anyOf(dstMd)); }});
    if (convWPd.src_desc() != convSrcMd) wSrc = memory(convWPd.src_desc(), eng);
    if (convWPd.diff_dst_desc() != dstMd) wDiffDst = memory(convWPd.diff_dst_desc(), eng);
    if (needDiffSrc) {
      convDataPd = preferLayout<convolution_backward_data::primitive_desc>(convPd.weights_desc(), [&](const memory::desc& wd) {
        return convolution_backward_data::primitive_desc(
            convolution_backward_data::desc(algorithm::convolution_direct, srcMd, wd, dstMd, s1, p1, p1), eng, convPd);
      });
      convData = convolution_backward_data(convDataPd);
      dSrc = memory(srcMd, eng);
    }
    poolPd = pooling_forward::primitive_desc(
        pooling_forward::desc(prop_kind::forward_training, algorithm::pooling_max, dstMd, md({n, cout, half, half}, tag::any), s2,
                              {2, 2}, p0, p0),
        eng);
    auto pooledMd = poolPd.dst_desc();
    poolBPd = pooling_backward::primitive_desc(pooling_backward::desc(algorithm::pooling_max, dstMd, pooledMd, s2, {2, 2}, p0, p0),
                                               eng, poolPd);
    bnPd = batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(prop_kind::forward_training, pooledMd, CNN_BN_EPS, BN_FLAGS), eng);
    bnBPd = batch_normalization_backward::primitive_desc(
        batch_normalization_backward::desc(prop_kind::backward, pooledMd, pooledMd, CNN_BN_EPS, BN_FLAGS), eng, bnPd);
    conv = convolution_forward(convPd);
    convW = convolution_backward_weights(convWPd);
    pool = pooling_forward(poolPd);
    poolB = pooling_backward(poolBPd);
    bn = batch_normalization_forward(bnPd);
    bnB = batch_normalization_backward(bnBPd);
    convDst = memory(dstMd, eng);
    dConvDst = memory(dstMd, eng);
    poolDst = memory(pooledMd, eng);
    dPoolDst = memory(pooledMd, eng);
    poolWs = memory(poolPd.workspace_desc(), eng);
    bnDst = memory(bnPd.dst_desc(), eng);
    mean = memory(bnPd.mean_desc(), eng);
    var = memory(bnPd.variance_desc(), eng);
    bnWs = memory(bnPd.workspace_desc(), eng);
    kernel.init(convPd.weights_desc(), needDiffSrc ? convDataPd.weights_desc() : convPd.weights_desc(), convWPd.diff_weights_desc(),
                k, md(wdims, tag::hwio));
    gamma.init1d(cout, g);
    beta.init1d(cout, b);
    runningMean.assign(cout, 0.0f);
    runningVar.assign(cout, 1.0f);
  }

  /** src must have the layout given to the constructor; the block's output is bnDst. */
  void forward(memory& src) {
    auto& s = ctx().s;
    if (reorderSrc) reorderInto(src, convSrc);
    conv.execute(s, {{DNNL_ARG_SRC, reorderSrc ? convSrc : src}, {DNNL_ARG_WEIGHTS, kernel.w}, {DNNL_ARG_DST, convDst}});
    pool.execute(s, {{DNNL_ARG_SRC, convDst}, {DNNL_ARG_DST, poolDst}, {DNNL_ARG_WORKSPACE, poolWs}});
    bn.execute(s, {{DNNL_ARG_SRC, poolDst},
                   {DNNL_ARG_DST, bnDst},
                   {DNNL_ARG_SCALE, gamma.w},
                   {DNNL_ARG_SHIFT, beta.w},
                   {DNNL_ARG_MEAN, mean},
                   {DNNL_ARG_VARIANCE, var},
                   {DNNL_ARG_WORKSPACE, bnWs}});
    for (int q = 0; q < cout; ++q) {
      runningMean[q] = runningMean[q] * BN_MOMENTUM + ptr(mean)[q] * (1 - BN_MOMENTUM);
      runningVar[q] = runningVar[q] * BN_MOMENTUM + ptr(var)[q] * (1 - BN_MOMENTUM);
    }
  }

  /** From d loss / d bnDst (dOut, in bnDst's layout) to the gradients, and to dSrc when needDiffSrc. */
  void backward(memory& src, memory& dOut) {
    auto& s = ctx().s;
    bnB.execute(s, {{DNNL_ARG_SRC, poolDst},
                    {DNNL_ARG_MEAN, mean},
                    {DNNL_ARG_VARIANCE, var},
                    {DNNL_ARG_DIFF_DST, dOut},
                    {DNNL_ARG_SCALE, gamma.w},
                    {DNNL_ARG_SHIFT, beta.w},
                    {DNNL_ARG_WORKSPACE, bnWs},
                    {DNNL_ARG_DIFF_SRC, dPoolDst},
                    {DNNL_ARG_DIFF_SCALE, gamma.gradRaw},
                    {DNNL_ARG_DIFF_SHIFT, beta.gradRaw}});
    poolB.execute(s, {{DNNL_ARG_DIFF_DST, dPoolDst}, {DNNL_ARG_DIFF_SRC, dConvDst}, {DNNL_ARG_WORKSPACE, poolWs}});
    memory& fwdSrc = reorderSrc ? convSrc : src;
    if (wSrc) reorderInto(fwdSrc, wSrc);
    if (wDiffDst) reorderInto(dConvDst, wDiffDst);
    convW.execute(s, {{DNNL_ARG_SRC, wSrc ? wSrc : fwdSrc}, {DNNL_ARG_DIFF_DST, wDiffDst ? wDiffDst : dConvDst}, {DNNL_ARG_DIFF_WEIGHTS, kernel.gradRaw}});
    if (needDiffSrc) {
      kernel.refreshBwd();
      convData.execute(s, {{DNNL_ARG_DIFF_DST, dConvDst}, {DNNL_ARG_WEIGHTS, kernel.wBwd}, {DNNL_ARG_DIFF_SRC, dSrc}});
    }
  }

  void update(const AdamState& a) {
    kernel.update(a);
    gamma.update(a);
    beta.update(a);
  }
};

/** Dense layer: inner product (+bias), optional fused ReLU post-op, forward and backward. */
struct Dense {
  inner_product_forward::primitive_desc fwdPd;
  inner_product_backward_data::primitive_desc dataPd;
  inner_product_backward_weights::primitive_desc wPd;
  primitive fwd, data, wgt;
  memory dst, dDst, dSrc;
  Param weight, bias;
  bool hasBias, needDiffSrc;

  /** wdims is oneDNN's {out, in...}; user weights are [in..., out] (tag io / hwio). */
  Dense(const memory::desc& srcMd, const dims& wdims, tag userTag, const float* w, const float* b, bool relu, bool diffSrc)
      : hasBias(b != nullptr), needDiffSrc(diffSrc) {
    auto& eng = ctx().eng;
    const memory::dim n = srcMd.dims()[0], out = wdims[0];
    auto dstMd = md({n, out}, tag::nc);
    auto biasMd = md({out}, tag::a);
    auto anyW = md(wdims, tag::any);
    primitive_attr attr;
    if (relu) {
      post_ops ops;
      ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    auto fd = hasBias ? inner_product_forward::desc(prop_kind::forward_training, srcMd, anyW, biasMd, dstMd)
                      : inner_product_forward::desc(prop_kind::forward_training, srcMd, anyW, dstMd);
    fwdPd = inner_product_forward::primitive_desc(fd, attr, eng);
    wPd = preferLayout<inner_product_backward_weights::primitive_desc>(fwdPd.weights_desc(), [&](const memory::desc& wd) {
      auto d = hasBias ? inner_product_backward_weights::desc(srcMd, wd, biasMd, dstMd) : inner_product_backward_weights::desc(srcMd, wd, dstMd);
      return inner_product_backward_weights::primitive_desc(d, eng, fwdPd);
    });
    if (needDiffSrc) {
      dataPd = preferLayout<inner_product_backward_data::primitive_desc>(fwdPd.weights_desc(), [&](const memory::desc& wd) {
        return inner_product_backward_data::primitive_desc(inner_product_backward_data::desc(srcMd, wd, dstMd), eng, fwdPd);
      });
      data = inner_product_backward_data(dataPd);
      dSrc = memory(srcMd, eng);
    }
    fwd = inner_product_forward(fwdPd);
    wgt = inner_product_backward_weights(wPd);
    dst = memory(dstMd, eng);
    dDst = memory(dstMd, eng);
    weight.init(fwdPd.weights_desc(), needDiffSrc ? dataPd.weights_desc() : fwdPd.weights_desc(), wPd.diff_weights_desc(), w,
                md(wdims, userTag));
    if (hasBias) bias.init1d(static_cast<int>(out), b);
  }

  void forward(memory& src) {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weight.w}, {DNNL_ARG_DST, dst}};
    if (hasBias) args[DNNL_ARG_BIAS] = bias.w;
    fwd.execute(ctx().s, args);
  }

  /** dOut: d loss / d dst, in dst's layout. */
  void backward(memory& src, memory& dOut) {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dOut}, {DNNL_ARG_DIFF_WEIGHTS, weight.gradRaw}};
    if (hasBias) args[DNNL_ARG_DIFF_BIAS] = bias.gradRaw;
    wgt.execute(ctx().s, args);
    if (needDiffSrc) {
      weight.refreshBwd();
      data.execute(ctx().s, {{DNNL_ARG_DIFF_DST, dOut}, {DNNL_ARG_WEIGHTS, weight.wBwd}, {DNNL_ARG_DIFF_SRC, dSrc}});
    }
  }

  void update(const AdamState& a) {
    weight.update(a);
    if (hasBias) bias.update(a);
  }
};

/** Batch norm + ReLU on [n, c] (the MLP's hidden layers). */
struct Norm1d {
  batch_normalization_forward::primitive_desc pd;
  batch_normalization_backward::primitive_desc bPd;
  primitive fwd, bwd;
  memory dst, dSrc, mean, var, ws;
  Param gamma, beta;

  Norm1d(int n, int c, const float* g, const float* b) {
    auto& eng = ctx().eng;
    auto d = md({n, c}, tag::nc);
    pd = batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(prop_kind::forward_training, d, MLP_BN_EPS, BN_FLAGS), eng);
    bPd = batch_normalization_backward::primitive_desc(
        batch_normalization_backward::desc(prop_kind::backward, d, d, MLP_BN_EPS, BN_FLAGS), eng, pd);
    fwd = batch_normalization_forward(pd);
    bwd = batch_normalization_backward(bPd);
    dst = memory(d, eng), dSrc = memory(d, eng);
    mean = memory(pd.mean_desc(), eng), var = memory(pd.variance_desc(), eng), ws = memory(pd.workspace_desc(), eng);
    gamma.init1d(c, g);
    beta.init1d(c, b);
  }
  void forward(memory& src) {
    fwd.execute(ctx().s, {{DNNL_ARG_SRC, src},
                          {DNNL_ARG_DST, dst},
                          {DNNL_ARG_SCALE, gamma.w},
                          {DNNL_ARG_SHIFT, beta.w},
                          {DNNL_ARG_MEAN, mean},
                          {DNNL_ARG_VARIANCE, var},
                          {DNNL_ARG_WORKSPACE, ws}});
  }
  void backward(memory& src, memory& dDst) {
    bwd.execute(ctx().s, {{DNNL_ARG_SRC, src},
                          {DNNL_ARG_MEAN, mean},
                          {DNNL_ARG_VARIANCE, var},
                          {DNNL_ARG_DIFF_DST, dDst},
                          {DNNL_ARG_SCALE, gamma.w},
                          {DNNL_ARG_SHIFT, beta.w},
                          {DNNL_ARG_WORKSPACE, ws},
                          {DNNL_ARG_DIFF_SRC, dSrc},
                          {DNNL_ARG_DIFF_SCALE, gamma.gradRaw},
                          {DNNL_ARG_DIFF_SHIFT, beta.gradRaw}});
  }
  void update(const AdamState& a) {
    gamma.update(a);
    beta.update(a);
  }
};

class DnnlCnn final : public Trainer {
 public:
  DnnlCnn(int n, const CnnParams& p, bool blocked, uint64_t seed)
      : n_(n),
        seed_(seed),
        xMd_(md({n, 1, 28, 28}, tag::nhwc)),
        x_(xMd_, ctx().eng, DNNL_MEMORY_NONE),
        block1_(n, 1, p.c1, 28, xMd_, blocked, false, p.w1.data(), p.g1.data(), p.b1.data()),
        block2_(n, p.c1, p.c2, 14, block1_.bnDst.get_desc(), blocked, true, p.w2.data(), p.g2.data(), p.b2.data()),
        fc1_(block2_.bnDst.get_desc(), {p.hidden, p.c2, 7, 7}, tag::hwio, p.wf1.data(), p.bf1.data(), true, true),
        fc2_(fc1_.dst.get_desc(), {p.classes, p.hidden}, tag::io, p.wf2.data(), p.bf2.data(), false, true),
        mask_(static_cast<size_t>(n) * p.hidden) {}

  float step(const float* x, const int* y) override {
    const int n = n_;
    x_.set_data_handle(const_cast<float*>(x));
    block1_.forward(x_);
    block2_.forward(block1_.bnDst);
    fc1_.forward(block2_.bnDst);
    float* h = ptr(fc1_.dst);
    const long hn = static_cast<long>(mask_.size());
    dropoutMask(mask_.data(), mask_.size(), CNN_DROPOUT, dropoutSeed(seed_, step_, 0));
    for (long k = 0; k < hn; ++k) h[k] *= mask_[k];
    fc2_.forward(fc1_.dst);
    const float loss = softmaxCrossEntropy(ptr(fc2_.dst), y, n, 10, ptr(fc2_.dDst));
    fc2_.backward(fc1_.dst, fc2_.dDst);
    float* dh = ptr(fc2_.dSrc);
    for (long k = 0; k < hn; ++k) dh[k] = h[k] > 0.0f ? dh[k] * mask_[k] : 0.0f;
    fc1_.backward(block2_.bnDst, fc2_.dSrc);
    block2_.backward(block1_.bnDst, fc1_.dSrc);
    block1_.backward(x_, block2_.dSrc);
    ctx().s.wait();
    adam_.next();
    block1_.update(adam_);
    block2_.update(adam_);
    fc1_.update(adam_);
    fc2_.update(adam_);
    ++step_;
    return loss;
  }

 private:
  int n_;
  uint64_t seed_;
  int step_ = 0;
  AdamState adam_;
  memory::desc xMd_;
  memory x_;
  ConvBlock block1_, block2_;
  Dense fc1_, fc2_;
  Vec mask_;
};

class DnnlMlp final : public Trainer {
 public:
  DnnlMlp(int n, const MlpParams& p, uint64_t seed)
      : n_(n),
        seed_(seed),
        x_(md({n, p.in}, tag::nc), ctx().eng, DNNL_MEMORY_NONE),
        fc1_(x_.get_desc(), {p.h1, p.in}, tag::io, p.w1.data(), nullptr, false, false),
        bn1_(n, p.h1, p.g1.data(), p.b1.data()),
        fc2_(bn1_.dst.get_desc(), {p.h2, p.h1}, tag::io, p.w2.data(), nullptr, false, true),
        bn2_(n, p.h2, p.g2.data(), p.b2.data()),
        fc3_(bn2_.dst.get_desc(), {p.classes, p.h2}, tag::io, p.w3.data(), p.b3.data(), false, true),
        mask1_(static_cast<size_t>(n) * p.h1),
        mask2_(static_cast<size_t>(n) * p.h2) {}

  float step(const float* x, const int* y) override {
    x_.set_data_handle(const_cast<float*>(x));
    fc1_.forward(x_);
    bn1_.forward(fc1_.dst);
    dropout(bn1_.dst, mask1_, 0);
    fc2_.forward(bn1_.dst);
    bn2_.forward(fc2_.dst);
    dropout(bn2_.dst, mask2_, 1);
    fc3_.forward(bn2_.dst);
    const float loss = softmaxCrossEntropy(ptr(fc3_.dst), y, n_, 10, ptr(fc3_.dDst));
    fc3_.backward(bn2_.dst, fc3_.dDst);
    times(fc3_.dSrc, mask2_);
    bn2_.backward(fc2_.dst, fc3_.dSrc);
    fc2_.backward(bn1_.dst, bn2_.dSrc);
    times(fc2_.dSrc, mask1_);
    bn1_.backward(fc1_.dst, fc2_.dSrc);
    fc1_.backward(x_, bn1_.dSrc);
    ctx().s.wait();
    adam_.next();
    fc1_.update(adam_), bn1_.update(adam_), fc2_.update(adam_), bn2_.update(adam_), fc3_.update(adam_);
    ++step_;
    return loss;
  }

 private:
  void dropout(memory& a, Vec& mask, int layer) {
    dropoutMask(mask.data(), mask.size(), MLP_DROPOUT, dropoutSeed(seed_, step_, layer));
    float* p = ptr(a);
    for (size_t k = 0; k < mask.size(); ++k) p[k] *= mask[k];
  }
  static void times(memory& d, const Vec& mask) {
    float* p = ptr(d);
    for (size_t k = 0; k < mask.size(); ++k) p[k] *= mask[k];
  }
  int n_;
  uint64_t seed_;
  int step_ = 0;
  AdamState adam_;
  memory x_;
  Dense fc1_;
  Norm1d bn1_;
  Dense fc2_;
  Norm1d bn2_;
  Dense fc3_;
  Vec mask1_, mask2_;
};

}  // namespace

std::unique_ptr<Trainer> makeDnnlCnn(int batch, const CnnParams& p, bool blocked, uint64_t seed) {
  return std::make_unique<DnnlCnn>(batch, p, blocked, seed);
}
std::unique_ptr<Trainer> makeDnnlMlp(int batch, const MlpParams& p, uint64_t seed) { return std::make_unique<DnnlMlp>(batch, p, seed); }

void dnnlConvForward(const float* x, int n, int h, int w, int cin, const float* k, int cout, float* y) {
  auto& eng = ctx().eng;
  auto srcMd = md({n, cin, h, w}, tag::nhwc), dstMd = md({n, cout, h, w}, tag::nhwc);
  auto pd = convolution_forward::primitive_desc(
      convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, srcMd, md({cout, cin, 3, 3}, tag::any),
                                dstMd, {1, 1}, {1, 1}, {1, 1}),
      eng);
  memory src(srcMd, eng, const_cast<float*>(x)), dst(dstMd, eng, y), wts(pd.weights_desc(), eng);
  memory user(md({cout, cin, 3, 3}, tag::hwio), eng, const_cast<float*>(k));
  reorderInto(user, wts);
  convolution_forward(pd).execute(ctx().s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wts}, {DNNL_ARG_DST, dst}});
  ctx().s.wait();
}

std::string dnnlVersion() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) + " (" + v->hash + ")";
}

}  // namespace spike

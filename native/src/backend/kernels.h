// The native backend's kernels (issue 15). Every kernel works on caller-owned float32 buffers (the
// cpu backend's typed arrays, passed by pointer: no copies) and returns false for a case it does not
// handle, so the TypeScript side runs the cpu backend's own kernel instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dfn {

/** A 2-D convolution over NHWC images with an HWIO filter (tfjs's layouts). */
struct ConvShape {
  int batch, inHeight, inWidth, inChannels;
  int outHeight, outWidth, outChannels;
  int filterHeight, filterWidth;
  int strideHeight, strideWidth, dilationHeight, dilationWidth;
  int padTop, padLeft, padBottom, padRight;
};

bool conv2d(const ConvShape& s, const float* x, const float* filter, float* y);
bool conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx);
bool conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw);

/** Max pooling over NHWC images; padded positions never win. */
struct PoolShape {
  int batch, inHeight, inWidth, channels;
  int outHeight, outWidth;
  int filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft;
};

void maxPool(const PoolShape& s, const float* x, float* y);
/** dx gets each dy at its window's first maximum, as tfjs's cpu kernel does (and 0 elsewhere). */
void maxPoolGrad(const PoolShape& s, const float* x, const float* dy, float* dx);

/**
 * c[b] = op(a[b]) · op(b[b]) for each of `batch` row-major products ([m, k] · [k, n]); aStride / bStride
 * are the elements between consecutive batch items (0 broadcasts one matrix over the batch).
 */
bool matMul(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool transposeA, bool transposeB,
            long aStride, long bStride);

/** Element-wise binary ops; the numbering is shared with lib/backend/native/addon.ts. */
enum class BinaryOp : int { Add = 0, Sub, Mul, Div, Max, Min, SquaredDifference };
/** out[i] = a[i] op b[i % bLength] when bLength divides length (b broadcast along leading axes). */
void binaryBroadcastB(BinaryOp op, const float* a, const float* b, float* out, size_t length, size_t bLength);
/** out[i] = a[i % aLength] op b[i] (a broadcast along leading axes). */
void binaryBroadcastA(BinaryOp op, const float* a, const float* b, float* out, size_t length, size_t aLength);

/**
 * out[r · cols + j] = a[r · cols + j] op b[r]: b holds one value per row (a [n, 1] against [n, k], say).
 * With broadcastA the roles swap: out[r · cols + j] = a[r] op b[r · cols + j].
 */
void binaryPerRow(BinaryOp op, const float* a, const float* b, float* out, size_t rows, size_t cols, bool broadcastA);

/** Element-wise unary ops; the numbering is shared with lib/backend/native/addon.ts. */
enum class UnaryOp : int { Relu = 0, Sqrt, Rsqrt, Square, Neg, Exp, Log, Abs, Step, Reciprocal, Sigmoid, Tanh, Relu6, Floor, Ceil };
void unary(UnaryOp op, const float* x, float* out, size_t length, float alpha);
/** out = dy * step(x): ReLU's gradient in one pass, with tfjs's arithmetic (NaN where x is NaN). */
void reluGrad(const float* dy, const float* x, float* out, size_t length);

/** Softmax of each row of [rows, cols] (the last axis), computed as tfjs's cpu kernel computes it. */
void softmax(const float* x, float* out, size_t rows, size_t cols);

/** out[j] = Σ_i x[i · cols + j] (sum over the leading axes). */
void sumRows(const float* x, float* out, size_t rows, size_t cols);
/** out[i] = Σ_j x[i · cols + j] (sum over the trailing axes). */
void sumCols(const float* x, float* out, size_t rows, size_t cols);

/**
 * Batch normalisation with given statistics over [rows, channels]: out = (x - mean) * scale /
 * sqrt(variance + epsilon) + offset, per channel (offset / scale may be null: 0 / 1).
 */
void batchNorm(const float* x, const float* mean, const float* variance, const float* offset, const float* scale, float* out,
               size_t rows, size_t channels, float epsilon);

/**
 * Batch normalisation with the batch's own statistics over [rows, channels], then ReLU when `relu`:
 * y = relu((x - mean) / sqrt(variance + epsilon) * gamma + beta). Writes the batch mean and (biased)
 * variance per channel.
 */
void batchNormTrain(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance, size_t rows,
                    size_t channels, float epsilon, bool relu);
/**
 * The gradient of {@link batchNormTrain} in closed form, g = dy where y > 0 (all of dy without ReLU):
 * dbeta = Σg, dgamma = Σ g·x̂, dx = gamma·rstd/n · (n·g − dbeta − x̂·dgamma).
 */
void batchNormTrainGrad(const float* x, const float* y, const float* dy, const float* gamma, const float* mean,
                        const float* variance, float* dx, float* dgamma, float* dbeta, size_t rows, size_t channels,
                        float epsilon, bool relu);

/** out = x + bias (bias broadcast over rows), then ReLU when `relu`: a dense layer's epilogue. */
void biasActivation(float* out, const float* bias, size_t rows, size_t cols, bool relu);

/**
 * One Adam step of n values, tfjs's formula (bias corrections applied to the moments, epsilon added
 * to the corrected root): writes the new moments and value into the out arrays.
 */
void adam(const float* value, const float* grad, const float* m, const float* v, float* valueOut, float* mOut, float* vOut,
          size_t n, float learningRate, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float epsilon,
          float oneMinusBeta1Power, float oneMinusBeta2Power);

/** Threads of the OpenMP pool every kernel (and oneDNN) uses. */
void setThreads(int threads);
int threads();
/** The widest vector ISA oneDNN dispatches to on this CPU, e.g. "avx2" or "avx512_core". */
std::string isa();
std::string dnnlVersion();
/** Primitive plans cached by shape, and native buffers alive now (0 between kernel calls). */
size_t cachedPlans();
long liveBuffers();
void clearPlans();

}  // namespace dfn

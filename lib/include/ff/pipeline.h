/* pipeline.h - FF training with the layers split between two threads.
 *
 * FF has no backward pass, so nothing above a layer has to finish before
 * that layer may learn from the next batch: layer 0 can take its step on
 * batch t+1 while the layers above still learn from batch t.  (BP cannot do
 * this: every layer waits for the gradient of the batch from above.)
 *
 * Stage 0, layers [0, split), runs in the caller's thread; stage 1, layers
 * [split, n_layers) and the softmax head, in a thread of its own.  Each
 * layer sees the same inputs and takes the same steps in the same order as
 * with ff_train_ff_batch, so the parameters are bit for bit the same: only
 * the wall time changes.  Batches pass between the stages through two slots,
 * so stage 0 is at most two batches ahead.
 *
 * The batch memory (x, y) given to ff_pipeline_batch must stay unchanged
 * until the next ff_pipeline_sync. */
#ifndef FF_PIPELINE_H
#define FF_PIPELINE_H

#include <stddef.h>

#include "ff/error.h"
#include "ff/net.h"
#include "ff/train.h"

typedef struct ff_pipeline ff_pipeline;

/* split: 1 <= split <= net->head_from and split < n_layers (the readout's
 * layers all belong to stage 1), else FF_EINVAL; split 0 runs every layer
 * in the caller's thread, one batch at a time (no second thread).
 * cap: batch capacity. */
FF_MUST_CHECK
int ff_pipeline_alloc(ff_pipeline **out, ff_net *net, size_t cap, size_t split,
                      const ff_train_config *c);
void ff_pipeline_free(ff_pipeline *p);

/* Submit one FF step (as ff_train_ff_batch): runs stage 0 now, then hands
 * the batch to stage 1 and returns. */
FF_MUST_CHECK
int ff_pipeline_batch(ff_pipeline *p, const float *x, const int *y, size_t B, int target,
                      int train_head);

/* Wait until every submitted batch is done.  loss (n_layers + 1) receives
 * each layer's FF loss and the head's cross-entropy, summed over the
 * batches since the previous sync. */
void ff_pipeline_sync(ff_pipeline *p, double *loss);

/* After ff_pipeline_sync: 1 if a loss of the batches before it (since the
 * sync before) was not finite, with the first such batch (counted from 0
 * at that earlier sync) and its first such layer (n_layers: the head);
 * else 0. */
FF_MUST_CHECK
int ff_pipeline_nonfinite(const ff_pipeline *p, size_t *batch, size_t *layer);

/* Bytes of training workspace the two stages hold together. */
size_t ff_pipeline_bytes(const ff_pipeline *p);

#endif

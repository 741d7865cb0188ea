/* ff_supervised.c - supervised Forward-Forward, the seed's protocol.
 *
 * Positive data: digits 0-4 with their true label overlaid (one-hot in the
 * first 5 pixels).  Negative data: digits 5-9 with a label drawn uniformly
 * from 0-4, afresh every epoch.  Each epoch is the whole positive pass, then
 * the whole negative pass, in the same batch order every epoch.  The softmax
 * head learns on the positive batches; prediction by the head (neutral 0.2
 * overlay) and by goodness (best of the 5 overlays).  See
 * docs/seed-protocol.md, reproduced in the report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h" /* and common.h */

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_FF_SUP, argc, argv);
    const ff_train_config cfg = exp_train_config(&x.o);
    const size_t B = (size_t)x.o.batch, D = x.d.train_pos->d, K = x.net->n_classes;

    int *val_neg_label = exp_val_neg_labels(&x); /* the run's first draws */
    /* training copies carrying their overlays; the raw sets stay for evaluation */
    ff_dataset *pos = ff_dataset_slice(x.d.train_pos, 0, x.d.train_pos->n);
    ff_dataset *neg = ff_dataset_slice(x.d.train_neg, 0, x.d.train_neg->n);
    int *neg_label = malloc(x.d.train_neg->n * sizeof *neg_label);
    ff_pipeline *trainer = exp_ff_trainer(&x.o, x.net, &cfg);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    if (!pos || !neg || !neg_label || !ews)
        exp_die("out of memory");
    ff_overlay_onehot(pos->x, pos->y, pos->n, D, K, 1.0f);

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_ADAM);
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        ff_neg_labels_uniform(neg_label, neg->n, (int)K, x.rng);
        ff_overlay_onehot(neg->x, neg_label, neg->n, D, K, 1.0f);
        size_t k = 0; /* the epoch's batches, positive then negative */
        for (size_t i = 0; i + B <= pos->n; i += B, k++) {
            exp_run_inject(&run, epoch, k);
            exp_check(ff_pipeline_batch(trainer, pos->x + i * D, pos->y + i, B, 1, 1),
                      "the FF step");
        }
        for (size_t i = 0; i + B <= neg->n; i += B, k++) {
            exp_run_inject(&run, epoch, k);
            exp_check(ff_pipeline_batch(trainer, neg->x + i * D, neg_label + i, B, 0, 0),
                      "the FF step");
        }
        ff_pipeline_sync(trainer, loss);
        exp_run_synced(&run, epoch, trainer, loss);
        exp_run_evaluate(&run, ews, epoch, neg_label, val_neg_label);
        exp_run_epoch_end(&run, epoch, loss[0] / (double)((pos->n / B + neg->n / B) * B));
    }
    exp_run_finish(&run, ff_pipeline_bytes(trainer));

    ff_eval_workspace_free(ews);
    ff_pipeline_free(trainer);
    free(val_neg_label);
    free(neg_label);
    ff_dataset_free(neg);
    ff_dataset_free(pos);
    exp_stop(&x);
    return 0;
}

/* ff_unsupervised.c - unsupervised Forward-Forward, the seed's protocol.
 *
 * Positive data: raw images of digits 0-4; negative data: raw images of
 * digits 5-9; no label reaches the FF layers.  The softmax head learns the
 * labels of the positive batches from the normalised activities.  The
 * goodness readout (best of the 5 label overlays) is reported as the seed
 * did; the net never saw an overlay, so it should sit near chance.  See
 * docs/seed-protocol.md. */
#include "run.h" /* and common.h */

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_FF_UNSUP, argc, argv);
    const ff_train_config cfg = exp_train_config(&x.o);
    const size_t B = (size_t)x.o.batch, D = x.d.train_pos->d;
    const ff_dataset *pos = x.d.train_pos, *neg = x.d.train_neg;

    ff_pipeline *trainer = exp_ff_trainer(&x.o, x.net, &cfg);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    if (!ews)
        exp_die("out of memory");

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_ADAM);
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        size_t k = 0; /* the epoch's batches, positive then negative */
        for (size_t i = 0; i + B <= pos->n; i += B, k++) {
            exp_run_inject(&run, epoch, k);
            exp_check(ff_pipeline_batch(trainer, pos->x + i * D, pos->y + i, B, 1, 1),
                      "the FF step");
        }
        for (size_t i = 0; i + B <= neg->n; i += B, k++) {
            exp_run_inject(&run, epoch, k);
            exp_check(ff_pipeline_batch(trainer, neg->x + i * D, neg->y + i, B, 0, 0),
                      "the FF step");
        }
        ff_pipeline_sync(trainer, loss);
        exp_run_synced(&run, epoch, trainer, loss);
        exp_run_evaluate(&run, ews, epoch, NULL, NULL);
        exp_run_epoch_end(&run, epoch, loss[0] / (double)((pos->n / B + neg->n / B) * B));
    }
    exp_run_finish(&run, ff_pipeline_bytes(trainer));

    ff_eval_workspace_free(ews);
    ff_pipeline_free(trainer);
    exp_stop(&x);
    return 0;
}

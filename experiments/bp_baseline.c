/* bp_baseline.c - the backpropagation baseline, the seed's protocol.
 *
 * The same net as the FF programs (dense or conv2d, L2 normalisation
 * between layers, softmax head on layers 2-4's normalised activities),
 * trained end to end by backpropagation on the positive training images
 * (digits 0-4, raw), Adam 1e-4, 20 epochs.  See
 * docs/seed-protocol.md, "BP baseline". */
#include "run.h" /* and common.h */

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_BP, argc, argv);
    const ff_train_config cfg = exp_train_config(&x.o);
    const size_t B = (size_t)x.o.batch;
    const ff_dataset *pos = x.d.train_pos;

    ff_bp_workspace *ws = ff_bp_workspace_alloc(x.net, B);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    if (!ws || !ews)
        exp_die("out of memory");

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_ADAM);
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        double loss;
        const float *xb;
        const int *yb;
        while (exp_run_next(&run, epoch, pos, B, &xb, &yb)) {
            exp_check(ff_train_bp_batch(x.net, ws, xb, yb, B, &cfg, &loss), "the BP step");
            exp_run_loss(&run, epoch, &loss, 1);
        }
        exp_run_evaluate(&run, ews, epoch, NULL, NULL);
        exp_run_epoch_end(&run, epoch, run.epoch_loss / (double)(pos->n / B * B));
    }
    exp_run_finish(&run, ws->bytes);

    ff_eval_workspace_free(ews);
    ff_bp_workspace_free(ws);
    exp_stop(&x);
    return 0;
}

/* ff_unsupervised.c - unsupervised Forward-Forward, the seed's protocol.
 *
 * Positive data: raw images of digits 0-4; negative data: raw images of
 * digits 5-9; no label reaches the FF layers.  The softmax head learns the
 * labels of the positive batches from the normalised activities.  The
 * goodness readout (best of the 5 label overlays) is reported as the seed
 * did; the net never saw an overlay, so it should sit near chance.  See
 * ../shared/spec/seed-protocol.md. */
#include "common.h"

int main(int argc, char **argv)
{
    exp_opts o;
    exp_parse(&o, EXP_FF_UNSUP, argc, argv);
    gsl_rng *rng = exp_setup(&o);
    exp_data d;
    exp_load(&o, &d);
    ff_net *net = exp_build_net(&o, rng);
    const ff_train_config cfg = exp_train_config(&o);
    const size_t B = (size_t)o.batch, D = d.train_pos->d;
    const ff_dataset *pos = d.train_pos, *neg = d.train_neg;

    ff_ff_workspace *ws = ff_ff_workspace_alloc(net, B);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 1024);
    if (!ws || !ews)
        exp_die("out of memory");

    const ff_eval_config ev_pos = {.supervised = 0, .target = 1, .readout = 1,
                                   .neutral = o.neutral, .theta = o.theta};
    const ff_eval_config ev_neg = {.supervised = 0, .target = 0, .theta = o.theta};
    exp_run run;
    exp_run_begin(&run, &o, &d);
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = 0; epoch < o.epochs; epoch++) {
        double epoch_loss = 0.0;
        for (size_t i = 0; i + B <= pos->n; i += B) {
            ff_train_ff_batch(net, ws, pos->x + i * D, pos->y + i, B, 1, 1, &cfg, loss);
            epoch_loss += loss[0];
        }
        for (size_t i = 0; i + B <= neg->n; i += B) {
            ff_train_ff_batch(net, ws, neg->x + i * D, neg->y + i, B, 0, 0, &cfg, loss);
            epoch_loss += loss[0];
        }
        if (exp_eval_due(&o, epoch)) {
            ff_eval_result r;
            ff_eval(net, ews, pos->x, pos->y, exp_eval_count(&o, pos->n), &ev_pos, &r);
            exp_run_record(&run, epoch, "train", "pos", &r, o.layers, 1, 1);
            ff_eval(net, ews, neg->x, neg->y, exp_eval_count(&o, neg->n), &ev_neg, &r);
            exp_run_record(&run, epoch, "train", "neg", &r, o.layers, 1, 0);
            ff_eval(net, ews, d.val_pos->x, d.val_pos->y, exp_eval_count(&o, d.val_pos->n),
                    &ev_pos, &r);
            exp_run_record(&run, epoch, "val", "pos", &r, o.layers, 1, 1);
            ff_eval(net, ews, d.val_neg->x, d.val_neg->y, exp_eval_count(&o, d.val_neg->n),
                    &ev_neg, &r);
            exp_run_record(&run, epoch, "val", "neg", &r, o.layers, 1, 0);
        }
        exp_run_progress(&run, epoch, epoch_loss / (double)((pos->n + neg->n) / B * B));
    }
    exp_run_finish(&run, &d, net, ws->bytes);

    ff_eval_workspace_free(ews);
    ff_ff_workspace_free(ws);
    ff_net_free(net);
    exp_data_free(&d);
    gsl_rng_free(rng);
    return 0;
}

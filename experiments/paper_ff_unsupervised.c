/* paper_ff_unsupervised.c - unsupervised FF, paper section 3.2.
 *
 * Positive data: real images of all ten digits; negative data: hybrid
 * images, one digit's pixels where a blurred random mask is on and another
 * digit's where it is off (ff_hybrid_images), drawn afresh for every batch.
 * No label reaches the FF layers, which learn as in the reference code
 * (paper.h: RMS normalisation, threshold = width, peer normalisation,
 * momentum SGD).  A linear softmax reads the normalised activities of the
 * last three hidden layers and learns the labels; its gradient stops at its
 * own weights.  Validation every --eval-every epochs, the test set once at
 * the end; only the softmax readout applies.  See
 * ../shared/spec/paper-protocol.md, "Unsupervised FF". */
#include <stdlib.h>

#include "common.h"
#include "ff/paper.h"

int main(int argc, char **argv)
{
    exp_opts o;
    exp_parse(&o, EXP_PAPER_FF_UNSUP, argc, argv);
    gsl_rng *rng = exp_setup(&o);
    exp_data d;
    exp_load(&o, &d);
    ff_net *net = exp_build_net(&o, rng);
    const size_t B = (size_t)o.batch, D = d.train_pos->d;
    const ff_dataset *train = d.train_pos;

    ff_paper_config pc = FF_PAPER_DEFAULTS;
    pc.ff.lr = (float)o.lr, pc.head.lr = (float)o.lr_head;
    pc.ff.momentum = pc.head.momentum = (float)o.momentum;
    pc.ff.weight_cost = (float)o.weight_cost, pc.head.weight_cost = (float)o.weight_cost_head;
    pc.peer_lambda = (float)o.peer;
    ff_paper *trainer = ff_paper_alloc(net, B, &pc);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 1000);
    float *neg = malloc(B * D * sizeof *neg), *mask_ws = malloc(2 * D * sizeof *mask_ws);
    if (!trainer || !ews || !neg || !mask_ws)
        exp_die("out of memory");

    const ff_eval_config ev = {.supervised = 0, .target = 1, .readout = 1,
                               .theta_width = 1};
    exp_run run;
    exp_run_begin(&run, &o, &d);
    double loss[FF_MAX_LAYERS + 1];
    ff_eval_result r;
    for (int epoch = 0; epoch < o.epochs; epoch++) {
        const float gain = ff_lr_gain(epoch + 1, o.epochs);
        double epoch_loss = 0.0;
        for (size_t i = 0; i + B <= train->n; i += B) {
            ff_hybrid_images(neg, train, B, o.blur_passes, rng, mask_ws);
            ff_paper_unsup_batch(net, trainer, train->x + i * D, neg, train->y + i, B, gain,
                                 loss);
            epoch_loss += loss[0];
        }
        if (exp_eval_due(&o, epoch)) {
            ff_eval(net, ews, d.val_pos->x, d.val_pos->y, d.val_pos->n, &ev, &r);
            exp_run_record(&run, epoch, "val", "all", &r, o.layers, 1, 0);
        }
        exp_run_progress(&run, epoch, epoch_loss / (double)(train->n / B * B));
    }
    ff_eval(net, ews, d.test->x, d.test->y, d.test->n, &ev, &r);
    exp_run_record(&run, o.epochs - 1, "test", "all", &r, o.layers, 1, 0);
    exp_run_finish(&run, &d, net, ff_paper_bytes(trainer));

    free(mask_ws);
    free(neg);
    ff_eval_workspace_free(ews);
    ff_paper_free(trainer);
    ff_net_free(net);
    exp_data_free(&d);
    gsl_rng_free(rng);
    return 0;
}

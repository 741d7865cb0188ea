/* paper_ff_supervised.c - supervised FF as the paper's reference code runs it.
 *
 * All ten digits: the first 50,000 training images train, the last 10,000
 * validate (every --eval-every epochs), and the 10,000 test images are
 * evaluated once, after the last epoch.  Each batch: a neutral pass whose
 * softmax picks hard negative labels, then positive and negative passes
 * with a momentum-SGD step per layer (lib/include/ff/paper.h).  The
 * learning rate decays linearly over the second half of the epochs.
 * Prediction by goodness (best of the 10 labels, layers 2 and up) and by
 * the softmax head on the neutral pass.  See ../shared/spec/paper-protocol.md. */
#include "common.h"
#include "ff/paper.h"

int main(int argc, char **argv)
{
    exp_opts o;
    exp_parse(&o, EXP_PAPER_FF_SUP, argc, argv);
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
    pc.peer_lambda = (float)o.peer, pc.neutral = o.neutral;
    pc.hard_negatives = o.hard_negatives;
    ff_paper *trainer = ff_paper_alloc(net, B, &pc);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(net, 1000);
    if (!trainer || !ews)
        exp_die("out of memory");

    const ff_eval_config ev = {.supervised = 1, .target = 1, .readout = 1,
                               .neutral = o.neutral, .theta_width = 1};
    exp_run run;
    exp_run_begin(&run, &o, &d);
    double loss[FF_MAX_LAYERS + 1];
    ff_eval_result r;
    for (int epoch = 0; epoch < o.epochs; epoch++) {
        const float gain = ff_lr_gain(epoch + 1, o.epochs);
        double epoch_loss = 0.0;
        for (size_t i = 0; i + B <= train->n; i += B) {
            ff_paper_batch(net, trainer, train->x + i * D, train->y + i, B, gain, rng, loss);
            epoch_loss += loss[0];
        }
        if (exp_eval_due(&o, epoch)) {
            ff_eval(net, ews, d.val_pos->x, d.val_pos->y, d.val_pos->n, &ev, &r);
            exp_run_record(&run, epoch, "val", "all", &r, o.layers, 1, 1);
        }
        exp_run_progress(&run, epoch, epoch_loss / (double)(train->n / B * B));
    }
    ff_eval(net, ews, d.test->x, d.test->y, d.test->n, &ev, &r);
    exp_run_record(&run, o.epochs - 1, "test", "all", &r, o.layers, 1, 1);
    exp_run_finish(&run, &d, net, ff_paper_bytes(trainer));

    ff_eval_workspace_free(ews);
    ff_paper_free(trainer);
    ff_net_free(net);
    exp_data_free(&d);
    gsl_rng_free(rng);
    return 0;
}

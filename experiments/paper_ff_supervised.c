/* paper_ff_supervised.c - supervised FF as the paper's reference code runs it.
 *
 * All ten digits: the first 50,000 training images train, the last 10,000
 * validate (every --eval-every epochs), and the 10,000 test images are
 * evaluated once, after the last epoch (not with --no-test).  Each batch: a neutral pass whose
 * softmax picks hard negative labels (or, with --uniform-negatives, any
 * wrong label), the head's step, then positive and negative passes with a
 * momentum-SGD step per layer (lib/include/ff/paper.h).  The learning rate
 * decays linearly over the second half of the epochs.
 * Prediction by goodness (best of the 10 labels, layers 2 and up) and by
 * the softmax head on the neutral pass.  With --jitter N, every training
 * image is shifted by up to N pixels, afresh each epoch, before the label
 * goes in (the paper's jittered data, N = 2).
 * See docs/paper-protocol.md. */
#include <stdlib.h>

#include "run.h" /* and common.h */
#include "ff/dataset.h"
#include "ff/paper.h"

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_PAPER_FF_SUP, argc, argv);
    const size_t B = (size_t)x.o.batch, D = x.d.train_pos->d;
    const ff_dataset *train = x.d.train_pos;

    const ff_paper_config pc = exp_paper_config(&x.o);
    ff_paper *trainer = ff_paper_alloc(x.net, B, &pc);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    float *jittered = x.o.jitter ? malloc(B * D * sizeof *jittered) : NULL;
    if (!trainer || !ews || (x.o.jitter && !jittered))
        exp_die("out of memory");
    int *neg = ff_paper_neg_labels(trainer);

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_SGD);
    exp_run_paper_state(&run, trainer);
    exp_run_describe(&run, "negatives %s\n", exp_negatives_text(&x.o));
    exp_run_describe(&run, "jitter %d shift_per_image_and_epoch uniform_over=%d\n", x.o.jitter,
                     (2 * x.o.jitter + 1) * (2 * x.o.jitter + 1));
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        const float gain = ff_lr_gain(epoch + 1, x.o.epochs);
        const float *xb;
        const int *yb;
        while (exp_run_next(&run, epoch, train, B, &xb, &yb)) {
            if (x.o.jitter) {
                ff_jitter(jittered, xb, B, train->h, train->w, x.o.jitter, x.rng);
                xb = jittered;
            }
            exp_check(ff_paper_neutral(x.net, trainer, xb, B), "ff_paper_neutral");
            /* each image's negative label, from the neutral pass's softmax */
            exp_neg_labels(&x, neg, ff_paper_logits(trainer), yb, B);
            exp_check(ff_paper_train_head(x.net, trainer, yb, B, gain, loss),
                      "ff_paper_train_head");
            exp_check(ff_paper_step_labels(x.net, trainer, xb, yb, neg, B, gain, loss),
                      "ff_paper_step_labels");
            exp_run_loss(&run, epoch, loss, (size_t)x.o.layers + 1);
        }
        exp_run_evaluate(&run, ews, epoch, NULL, NULL);
        exp_run_epoch_end(&run, epoch, run.epoch_loss / (double)(train->n / B * B));
    }
    exp_run_test(&run, ews);
    exp_run_finish(&run, ff_paper_bytes(trainer));

    free(jittered);
    ff_eval_workspace_free(ews);
    ff_paper_free(trainer);
    exp_stop(&x);
    return 0;
}

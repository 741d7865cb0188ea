/* paper_ff_unsupervised.c - unsupervised FF, paper section 3.2.
 *
 * Positive data: real images of all ten digits; negative data: hybrid
 * images, one digit's pixels where a blurred random mask is on and another
 * digit's where it is off (ff_neg_hybrid_images), drawn afresh for every batch.
 * No label reaches the FF layers, which learn as in the reference code
 * (paper.h: RMS normalisation, threshold = width, peer normalisation,
 * momentum SGD).  A linear softmax reads the normalised activities of the
 * last three hidden layers and learns the labels; its gradient stops at its
 * own weights.  Validation every --eval-every epochs, the test set once at
 * the end (not with --no-test); only the softmax readout applies.  See
 * docs/paper-protocol.md, "Unsupervised FF". */
#include <stdlib.h>

#include "run.h" /* and common.h */
#include "ff/paper.h"

/* whether ds holds two classes or more */
static int two_classes(const ff_dataset *ds)
{
    for (size_t i = 1; i < ds->n; i++)
        if (ds->y[i] != ds->y[0])
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_PAPER_FF_UNSUP, argc, argv);
    const size_t B = (size_t)x.o.batch, D = x.d.train_pos->d;
    const ff_dataset *train = x.d.train_pos;
    /* a hybrid is made of two training images (negatives.h) */
    if (train->n < 2)
        exp_die("%zu training image: a hybrid negative needs two; raise --train-limit", train->n);
    if (x.o.distinct_classes && !two_classes(train))
        exp_die("the training images are all of one class: --distinct-classes needs two;"
                " raise --train-limit or drop --distinct-classes");

    const ff_paper_config pc = exp_paper_config(&x.o);
    ff_paper *trainer = ff_paper_alloc(x.net, B, &pc);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    float *neg = malloc(B * D * sizeof *neg), *mask_ws = malloc(2 * D * sizeof *mask_ws);
    if (!trainer || !ews || !neg || !mask_ws)
        exp_die("out of memory");

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_SGD);
    exp_run_paper_state(&run, trainer);
    exp_run_describe(&run, "negatives hybrid_images\nblur_passes %d\nhybrid_pairs %s\n",
                     x.o.blur_passes, x.o.distinct_classes ? "distinct_classes" : "any_two_images");
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        const float gain = ff_lr_gain(epoch + 1, x.o.epochs);
        const float *xb;
        const int *yb;
        while (exp_run_next(&run, epoch, train, B, &xb, &yb)) {
            ff_neg_hybrid_images(neg, train, B, x.o.blur_passes, x.o.distinct_classes, x.rng,
                                 mask_ws);
            exp_check(ff_paper_step_images(x.net, trainer, xb, neg, B, gain, loss),
                      "ff_paper_step_images");
            exp_check(ff_paper_train_head(x.net, trainer, yb, B, gain, loss),
                      "ff_paper_train_head");
            exp_run_loss(&run, epoch, loss, (size_t)x.o.layers + 1);
        }
        exp_run_evaluate(&run, ews, epoch, NULL, NULL);
        exp_run_epoch_end(&run, epoch, run.epoch_loss / (double)(train->n / B * B));
    }
    exp_run_test(&run, ews);
    exp_run_finish(&run, ff_paper_bytes(trainer));

    free(mask_ws);
    free(neg);
    ff_eval_workspace_free(ews);
    ff_paper_free(trainer);
    exp_stop(&x);
    return 0;
}

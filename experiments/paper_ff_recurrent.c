/* paper_ff_recurrent.c - the paper's recurrent net with top-down
 * connections (section 3.4): the image as a static video.
 *
 * All ten digits, the paper protocol's split: the first 50,000 training
 * images train, the last 10,000 validate (every --eval-every epochs), the
 * 10,000 test images are evaluated once, after the last epoch (not with
 * --no-test).  The bottom layer is the image, the top one the label, and
 * between them --layers hidden layers of --units ReLUs (default 2 x 2000:
 * the paper ran "two or three"; two halve an iteration's cost, so that its
 * 60 epochs fit a run's time), each reading the normalised layer below and
 * the normalised layer above at the previous step (lib/include/ff/recurrent.h).
 * Each batch: the bottom-up pass (time 0), whose softmax head gives every
 * class a probability; each image's negative label, a wrong class drawn in
 * proportion to its probability (--uniform-negatives: any wrong class, the
 * same for each; --goodness-negatives: the probabilities the softmax of
 * the net's own readout gives, each label's goodness its logit); the
 * head's step; --iterations (8)
 * synchronous iterations damped by --damping (0.3; --damp-input: the
 * pre-activations rather than the states), positive and negative
 * rows together, every layer's FF gradient at each of --learn-first ..
 * --learn-last (default: all); one step per layer on their mean.
 * The layers learn as in the reference code (threshold = width, peer
 * normalisation, momentum SGD with weight cost, the learning rate decayed
 * linearly over the second half of the epochs).
 * Prediction: each image under each label, the label with the largest
 * goodness averaged over iterations --readout-first .. --readout-last
 * (3 .. 5); the softmax head on the bottom-up pass beside it.  The paper
 * reports 1.31% test error after 60 epochs.  See
 * docs/paper-protocol.md. */
#include "run.h" /* and common.h */
#include "ff/recurrent.h"

/* With --goodness-negatives, the logits (B, K) that choose the batch's
 * negative labels: each label's goodness as the readout reads it (g, its
 * room), the softmax of which, temperature 1, is the net's own probability
 * of the label; else the head's on the bottom-up pass. */
static const float *negative_logits(exp_run *run, const ff_rec *rec,
                                    const ff_rec_trainer *trainer, ff_rec_eval_workspace *ws,
                                    const ff_rec_config *rc, const float *xb, size_t B,
                                    double *g, float *logits)
{
    if (!run->o->goodness_negatives)
        return ff_rec_logits(trainer);
    char when[64];
    snprintf(when, sizeof when, "epoch %d, batch %zu", run->epoch + 1, run->batch);
    exp_run_check(run, ff_rec_goodness(rec, ws, g, xb, B, rc), "ff_rec_goodness", when);
    for (size_t i = 0; i < B * rec->n_classes; i++)
        logits[i] = (float)g[i];
    return logits;
}

/* The top-down weights' start as config.txt records it: the reference
 * code's, or c times it. */
static const char *top_down_init_text(char buf[static 48], float c)
{
    if (c == 1.0f)
        return "randn/sqrt(rows)";
    snprintf(buf, 48, "%g*randn/sqrt(rows)", (double)c);
    return buf;
}

/* The evaluations of exp_evaluations (the training subset and the
 * validation set after an epoch, or the test set), by the recurrent
 * readout, each recorded. */
static void evaluate(exp_run *run, const ff_rec *rec, ff_rec_eval_workspace *ws,
                     const ff_rec_config *rc, int epoch, int test)
{
    exp_eval_item e[EXP_MAX_EVALS];
    const size_t n = exp_evaluations(run->x, NULL, NULL, test, e);
    for (size_t i = 0; i < n; i++) {
        ff_eval_result r;
        exp_run_check_evaluation(run, ff_rec_eval(rec, ws, e[i].x, e[i].y, e[i].n, rc, &r), epoch);
        exp_run_record(run, epoch, &e[i], &r);
    }
}

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_PAPER_FF_REC, argc, argv);
    const size_t B = (size_t)x.o.batch;
    const ff_dataset *train = x.d.train_pos;

    const ff_paper_config pc = exp_paper_config(&x.o);
    const ff_rec_config rc = exp_rec_config(&x.o);
    int learn_first, learn_last;
    ff_rec_learning(&rc, &learn_first, &learn_last);
    ff_rec *rec = exp_rec_build(&x);
    ff_rec_trainer *trainer = ff_rec_trainer_alloc(rec, B, &pc, &rc);
    ff_rec_eval_workspace *ews = ff_rec_eval_workspace_alloc(rec, exp_eval_cap(&x.o));
    const size_t GK = x.o.goodness_negatives ? B * rec->n_classes : 0;
    double *goodness = GK ? malloc(GK * sizeof *goodness) : NULL;
    float *goodness_logits = GK ? malloc(GK * sizeof *goodness_logits) : NULL;
    if (!trainer || !ews || (GK && (!goodness || !goodness_logits)))
        exp_die("out of memory");
    int *neg = ff_rec_neg_labels(trainer);

    exp_run run;
    char readout[96], init[48];
    exp_run_begin(&run, &x, FF_OPT_SGD);
    exp_run_rec_state(&run, rec, trainer);
    exp_run_describe(&run, "negatives %s\n"
                           "recurrent iterations=%d damping=%g damped=%s update=synchronous "
                           "start=bottom_up_pass label=onehot_rms_normalised label_scale=%g "
                           "top_down_init=%s top_down_weights=%zu\n"
                           "recurrent_learning iterations=%d-%d "
                           "gradient=local_no_gradient_through_time "
                           "step=mean_over_iterations_one_per_batch\n"
                           "%s\n"
                           "negative_pass %s\n",
                     exp_negatives_text(&x.o), rc.iterations, rc.damping,
                     rc.damp_input ? "pre_activation" : "state",
                     rec->label_scale, top_down_init_text(init, rec->down_init), rec->n_down,
                     learn_first, learn_last,
                     exp_rec_readout_text(readout, &x.o),
                     x.o.uniform_negatives    ? "none"
                     : x.o.goodness_negatives ? "goodness_readout_of_each_label temperature=1"
                                              : "softmax_head_on_bottom_up_pass");
    double loss[FF_MAX_LAYERS + 1];
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        const float gain = ff_lr_gain(epoch + 1, x.o.epochs);
        const float *xb;
        const int *yb;
        while (exp_run_next(&run, epoch, train, B, &xb, &yb)) {
            /* time 0, and the head's probabilities of the classes on it */
            exp_check(ff_rec_bottom_up(rec, trainer, xb, B), "ff_rec_bottom_up");
            /* each image's negative label: a wrong class, in proportion to them
             * (or, with --uniform-negatives, any wrong class; with
             * --goodness-negatives, in proportion to the readout's) */
            exp_neg_labels(&x, neg,
                           negative_logits(&run, rec, trainer, ews, &rc, xb, B, goodness,
                                           goodness_logits),
                           yb, B);
            exp_check(ff_rec_train_head(rec, trainer, yb, B, gain, loss),
                      "ff_rec_train_head");
            /* the static video: true and negative labels at the top, every
             * layer's gradient at each learning iteration, then one step
             * each (the iterations after the last that learns change nothing) */
            for (int t = 1; t <= learn_last; t++)
                exp_check(ff_rec_iterate(rec, trainer, yb, neg, B), "ff_rec_iterate");
            exp_check(ff_rec_step(rec, trainer, gain, loss), "ff_rec_step");
            exp_run_loss(&run, epoch, loss, (size_t)x.o.layers + 1);
        }
        if (exp_eval_due(&x.o, epoch))
            evaluate(&run, rec, ews, &rc, epoch, 0);
        exp_run_epoch_end(&run, epoch, run.epoch_loss / (double)(train->n / B * B));
    }
    if (exp_run_test_due(&run)) /* stops first if a signal arrived */
        evaluate(&run, rec, ews, &rc, x.o.epochs - 1, 1);
    exp_run_finish(&run, ff_rec_trainer_bytes(trainer));

    free(goodness_logits);
    free(goodness);
    ff_rec_eval_workspace_free(ews);
    ff_rec_trainer_free(trainer);
    ff_rec_free(rec);
    exp_stop(&x);
    return 0;
}

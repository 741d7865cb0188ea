/* paper_bp.c - the backpropagation baseline at paper scale.
 *
 * All ten digits, the paper's split (50,000 / 10,000 / 10,000): a fully
 * connected ReLU net (L2 normalisation between layers, the softmax head on
 * the last layer), trained end to end by backpropagation with Adam, its
 * learning rate decayed as in the paper's FF runs (ff_lr_gain); the
 * validation set every --eval-every epochs, the test set once at the end
 * (not with --no-test).
 * The paper reports about 1.4% test error for "a few fully connected
 * layers" trained for about 20 epochs. */
#include "run.h" /* and common.h */

int main(int argc, char **argv)
{
    exp_ctx x;
    exp_start(&x, EXP_PAPER_BP, argc, argv);
    ff_train_config cfg = exp_train_config(&x.o);
    const size_t B = (size_t)x.o.batch;
    const ff_dataset *train = x.d.train_pos;

    ff_bp_workspace *ws = ff_bp_workspace_alloc(x.net, B);
    ff_eval_workspace *ews = ff_eval_workspace_alloc(x.net, exp_eval_cap(&x.o));
    if (!ws || !ews)
        exp_die("out of memory");

    exp_run run;
    exp_run_begin(&run, &x, FF_OPT_ADAM);
    for (int epoch = exp_run_resume(&run); epoch < x.o.epochs; epoch++) {
        /* the learning-rate schedule of the paper's FF runs: constant, then
         * down linearly over the second half */
        const float gain = ff_lr_gain(epoch + 1, x.o.epochs);
        cfg.adam.lr = (float)x.o.lr * gain, cfg.adam_head.lr = (float)x.o.lr_head * gain;
        double loss;
        const float *xb;
        const int *yb;
        while (exp_run_next(&run, epoch, train, B, &xb, &yb)) {
            exp_check(ff_train_bp_batch(x.net, ws, xb, yb, B, &cfg, &loss), "the BP step");
            exp_run_loss(&run, epoch, &loss, 1);
        }
        exp_run_evaluate(&run, ews, epoch, NULL, NULL);
        exp_run_epoch_end(&run, epoch, run.epoch_loss / (double)(train->n / B * B));
    }
    exp_run_test(&run, ews);
    exp_run_finish(&run, ws->bytes);

    ff_eval_workspace_free(ews);
    ff_bp_workspace_free(ws);
    exp_stop(&x);
    return 0;
}

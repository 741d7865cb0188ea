# resources.awk - a run's Slurm job: "CPUS MEMORY_MB MINUTES ESTIMATE" from
# its command line and the benchmark files (jobs.sh).
#
#   PROGRAM --help | awk -f resources.awk -v cmd='COMMAND LINE' \
#       -v paper_bench=paper_epoch.txt -v ff_bench=ff_epoch.txt -v data_bytes=N \
#       -v time_margin=2 -v min_time=10 -v mem_margin=1.5 -v min_mem=1024
#
# The program's --help gives the defaults of the flags the command leaves
# out ("(default N)", the last flag named before it).
#
# CPUS: --threads.  MINUTES, the job's time limit: the estimate below times
# time_margin, rounded up, at least min_time.  ESTIMATE: the estimate alone,
# in minutes to one decimal (jobs.sh --plan).  The estimate, in seconds:
#   paper_ff_supervised, paper_ff_unsupervised, paper_bp: epochs x the
#     bench's seconds per epoch (paper_epoch.txt: scaled to 50,000 images)
#     x training images / 50,000, plus the evaluations: every eval_every
#     epochs and after the last, the validation set and the first 10,000
#     training images, and the test set once, at the bench's seconds per
#     10,000 images.  The bench's line of the same program and net
#     (ff-sup-3x1000, ff-unsup-local) and precision (paper_line), else its largest of that
#     program scaled by the products' size, 784 u + (layers - 1) u^2; paper_bp by the
#     supervised nets' (one pass forward and one back, as FF's positive and
#     negative passes).  paper_ff_recurrent: the supervised net's figures of
#     its layers and units, the epoch's times (iterations + 1) (each damped
#     iteration of the positive and negative rows, forward and gradients
#     through the bottom-up and the top-down weights, costs about one
#     supervised batch), the evaluation's times (readout-last + 2) (each
#     label run to the readout's last iteration); with --goodness-negatives,
#     that evaluation of every training image each epoch besides.  Fewer
#     threads than the bench's: slower by as much.
#   ff_supervised, ff_unsupervised, bp_baseline: epochs x ff_epoch.txt's
#     seconds per epoch (FF in one thread, or BP) x training images per
#     epoch / the bench's, twice (the evaluations take about as long).
#   anything else (ff_head, ff_evaluate: seconds or minutes): 0.
# MEMORY: mem_margin x (8 bytes per byte of the IDX files, the images held
# as floats (measured: 435 MB of peak RSS for 55 MB of MNIST) + 24 bytes
# per parameter (the parameters, their gradient and optimiser state, and
# the workspace, about 5 bytes per parameter in the paper's nets) + the
# seed nets' training workspace from ff_epoch.txt), at least min_mem.

function ceil(x) { return x == int(x) ? x : int(x) + 1 }
function opt(name, fallback) {
    if (name in flag) return flag[name]
    if (name in dflt) return dflt[name]
    return fallback
}
function cost(layers, units) { return 784 * units + (layers - 1) * units * units }
# paper_line KIND LAYERS UNITS PRECISION: sets ep and ev (seconds per
# epoch and per evaluation of 10,000 images) from paper_epoch.txt's line
# ff-KIND-LxU of the run's backend (LAYERS "local": its line ff-KIND-local,
# the net of local receptive fields), else from its largest line of
# ff-KIND- of that backend scaled by the products' size.  The backend: cblas-fp32
# for fp32 (a line without a backend's column, from earlier builds, is
# one); for bf16 the faster of the bf16 backends, as the program picks the
# faster where it runs (ff/gemm.h: ff_gemm_for_precision).
function paper_line(kind, layers, units, precision,    line, f, i, name, n, s, e, c, best, bs, be, b) {
    ep = ev = 0
    best = 0
    while ((getline line <paper_bench) > 0) {
        if (line ~ /^# threads:/) { split(line, f, /[ ,]+/); bench_threads = f[3] + 0; continue }
        n = split(line, f, /[ \t]+/)
        if (f[1] !~ "^ff-" kind "-([0-9]+x[0-9]+|local)$") continue
        b = f[2] ~ /^[a-z]+-(fp32|bf16)$/ ? f[2] : "cblas-fp32"
        if (precision == "bf16" ? b !~ /-bf16$/ : b != "cblas-fp32") continue
        s = e = 0
        for (i = 2; i <= n; i++) {
            if (f[i] == "s/epoch") s = f[i - 1]
            if (f[i] == "s/eval") e = f[i - 1]
        }
        if ((f[1] ~ /-local$/) != (layers == "local")) continue
        if (layers == "local") { if (ep == 0 || s < ep) { ep = s; ev = e }; continue }
        name = f[1]
        sub("^ff-" kind "-", "", name)
        split(name, f, "x")
        c = cost(f[1], f[2])
        if (f[1] == layers && f[2] == units && (ep == 0 || s < ep)) { ep = s; ev = e }
        if (c > best || (c == best && s < bs)) { best = c; bs = s; be = e }
    }
    close(paper_bench)
    if (ep == 0 && best > 0) { ep = bs * cost(layers, units) / best; ev = be * cost(layers, units) / best }
}
# ff_lines: ff_s, ff_n (FF in one thread: seconds, images per epoch),
# bp_s, bp_n, and the workspaces of a net of `layers` (ws_ff, ws_bp)
function ff_lines(layers,    line, f, n) {
    while ((getline line <ff_bench) > 0) {
        n = split(line, f, /[ \t(,]+/)
        if (f[1] == "ff" && line ~ /1 thread/) { ff_s = f[4]; ff_n = f[6] * 1000 + f[7] }
        else if (f[1] == "bp" && f[5] == "s/epoch") { bp_s = f[4]; bp_n = f[6] * 1000 + f[7] }
        else if (n == 3 && f[1] == layers && line !~ /^#/) { ws_ff = f[2]; ws_bp = f[3] }
    }
    close(ff_bench)
}

# the defaults: "(default N)" belongs to the last flag named
match($0, /^ +--[a-z-]+/) { last = substr($0, RSTART, RLENGTH); sub(/^ +/, "", last) }
match($0, /\(default [0-9.]+\)/) { dflt[last] = substr($0, RSTART + 9, RLENGTH - 10) + 0 }

END {
    n = split(cmd, w, /[ \t]+/)
    prog = w[1]
    sub(/.*\//, "", prog)
    for (i = 2; i <= n; i++)
        if (w[i] ~ /^--/ && i < n && w[i + 1] !~ /^--/) flag[w[i]] = w[i + 1]
    threads = opt("--threads", 1)
    epochs = opt("--epochs", 0)
    every = opt("--eval-every", 1)
    layers = opt("--layers", 4)
    units = opt("--units", 100)
    limit = opt("--train-limit", 0)
    params = cost(layers, units) + 10 * layers * units
    seconds = 0
    ws = 0
    if (prog ~ /^paper_/) {
        local = cmd ~ /(^|[ \t])--local([ \t]|$)/
        paper_line(prog == "paper_ff_unsupervised" ? "unsup" : "sup", local ? "local" : layers,
                   units, opt("--precision", "fp32"))
        if (local && ep == 0) # a bench without the local net's line
            paper_line("unsup", layers, units, opt("--precision", "fp32"))
        if (prog == "paper_ff_recurrent") {
            ep *= opt("--iterations", 8) + 1
            ev *= opt("--readout-last", 5) + 2
            params += (layers - 1) * units * units + 10 * units # the top-down weights
        }
        val = opt("--val-split", 10000)
        train = 60000 - val
        if (limit > 0 && limit < train) train = limit
        vlimit = opt("--val-limit", 0)
        if (vlimit > 0 && vlimit < val) val = vlimit
        test = vlimit > 0 && vlimit < 10000 ? vlimit : 10000
        subset = train < 10000 ? train : 10000
        evals = int(epochs / every) + 1
        seconds = epochs * ep * train / 50000 + ev * (evals * (val + subset) + test) / 10000
        if (cmd ~ /(^|[ \t])--goodness-negatives([ \t]|$)/) # the readout picks the negatives
            seconds += epochs * ev * train / 10000
        if (bench_threads > threads) seconds *= bench_threads / threads
    } else if (prog ~ /^(ff_supervised|ff_unsupervised|bp_baseline)$/) {
        ff_lines(layers)
        if (prog == "bp_baseline") {
            images = limit > 0 ? limit : bp_n
            seconds = bp_n > 0 ? 2 * epochs * bp_s * images / bp_n : 0
            ws = ws_bp
        } else {
            images = limit > 0 ? 2 * limit : ff_n
            seconds = ff_n > 0 ? 2 * epochs * ff_s * images / ff_n : 0
            ws = ws_ff
        }
    }
    minutes = ceil(time_margin * seconds / 60)
    if (minutes < min_time) minutes = min_time
    mb = ceil(mem_margin * (8 * data_bytes + 24 * params + ws) / 1048576)
    if (mb < min_mem) mb = min_mem
    printf "%d %d %d %.1f\n", threads, mb, minutes, seconds / 60
}

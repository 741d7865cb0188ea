# acc.gp - validation accuracy against epoch for one model: Forward-Forward
# (softmax and goodness readouts, supervised and unsupervised) beside BP.
#
#   gnuplot -e "model='dense'; dir='build/curves'; out='acc-dense.svg'" acc.gp
#   gnuplot -e "...; dataset='Fashion-MNIST'" acc.gp     the data set named in the title
#
# Reads DIR/<algo>-MODEL.dat and .gp (curves.awk).  Lines: mean over the runs
# (seeds); bands: their minimum to maximum.  BP has its own panel because it
# trains for a tenth of FF's epochs: on FF's axis it would be a short stub.

set terminal svg size 980,440 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

min(a, b) = a < b ? a : b
max(a, b) = a > b ? a : b
dat(a) = sprintf("%s/%s-%s.dat", dir, a, model)
mean(m) = 3 + 3 * (m - 1)        # column of metric m's mean; min, max follow
named(s, n) = n > 0 ? s : s . " (no run)"

load sprintf("%s/ff-sup-%s.gp", dir, model)
sup_runs = runs; sup_soft = 2 * layers + 1; ff_last = last; ff_lo = accmin
load sprintf("%s/ff-unsup-%s.gp", dir, model)
unsup_runs = runs; unsup_soft = 2 * layers + 1; ff_last = max(ff_last, last)
ff_lo = min(ff_lo, accmin)
load sprintf("%s/bp-%s.gp", dir, model)
bp_runs = runs; bp_soft = 2 * layers + 1; bp_last = last; bp_lo = accmin

SUP = "#1f5fa8"; UNSUP = "#e07b00"; BP = "#2a8a3a"
band = "fs transparent solid 0.18 noborder"

set multiplot title sprintf("Validation accuracy, %s%s model (line: mean over seeds, " . \
    "band: min to max)", exists("dataset") ? dataset . ", " : "", model)
set grid lc rgb "#dddddd"
set ylabel "accuracy (%)"
set xlabel "epoch"
set tmargin at screen 0.86
set bmargin at screen 0.25

# Forward-Forward
set lmargin at screen 0.07
set rmargin at screen 0.63
set title "Forward-Forward"
set xrange [0:ff_last]
set xtics ff_last <= 10 ? 1 : 20
set yrange [floor(ff_lo / 10) * 10 : 100]
# the key in two rows, below the axis label: a horizontal key drops to one
# column of four rows, over the label, when its titles are too wide for two
set key at screen 0.35, 0.03 center bottom vertical maxrows 2 samplen 4
if (sup_runs + unsup_runs == 0) { set label 1 "no complete run yet" at graph 0.5, 0.5 center }
# each series: its band (min to max over the runs), then its mean line
plot dat("ff-sup") using 1:mean(sup_soft)+1:mean(sup_soft)+2 \
         with filledcurves fc rgb SUP @band notitle, \
     "" using 1:mean(sup_soft) \
         with lines lw 2 lc rgb SUP title named("supervised, softmax", sup_runs), \
     "" using 1:mean(sup_soft+1)+1:mean(sup_soft+1)+2 \
         with filledcurves fc rgb SUP @band notitle, \
     "" using 1:mean(sup_soft+1) \
         with lines lw 2 dt 2 lc rgb SUP title named("supervised, goodness", sup_runs), \
     dat("ff-unsup") using 1:mean(unsup_soft)+1:mean(unsup_soft)+2 \
         with filledcurves fc rgb UNSUP @band notitle, \
     "" using 1:mean(unsup_soft) \
         with lines lw 2 lc rgb UNSUP title named("unsupervised, softmax", unsup_runs), \
     "" using 1:mean(unsup_soft+1)+1:mean(unsup_soft+1)+2 \
         with filledcurves fc rgb UNSUP @band notitle, \
     "" using 1:mean(unsup_soft+1) \
         with lines lw 2 dt 2 lc rgb UNSUP title named("unsupervised, goodness", unsup_runs)
unset label 1

# Backpropagation
set lmargin at screen 0.72
set rmargin at screen 0.97
set title "Backpropagation"
set xrange [0:bp_last]
set xtics bp_last <= 10 ? 1 : 5
set yrange [floor(bp_lo / 5) * 5 : 100]
set key at screen 0.845, 0.03 center bottom
if (bp_runs == 0) { set label 1 "no complete run yet" at graph 0.5, 0.5 center }
plot dat("bp") using 1:mean(bp_soft)+1:mean(bp_soft)+2 \
         with filledcurves fc rgb BP @band notitle, \
     "" using 1:mean(bp_soft) with lines lw 2 lc rgb BP title named("softmax", bp_runs)
unset multiplot

# paper.gp - one paper-scale run: validation error against epochs trained,
# both readouts, and the test error after the last epoch.
#
#   gnuplot -e "run='ff-sup-4x2000'; dir='build/paper-curves'; out='f.svg'" paper.gp
#
# Reads DIR/RUN.dat and .gp (curves.awk, scale=paper).  Lines: mean over the runs
# (seeds); bands: their minimum to maximum; softmax readout solid, goodness
# dashed; points (bars: min to max): the test set, evaluated once, after
# the last epoch; dotted: the paper's test error.  Log scale: the errors
# fall by an order of magnitude, and the end is what matters.

set terminal svg size 900,460 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

dat = sprintf("%s/%s.dat", dir, run)
load sprintf("%s/%s.gp", dir, run)
min(a, b) = a < b ? a : b
max(a, b) = a > b ? a : b
C = strstrt(run, "ff-sup") == 1 ? "#1f5fa8" : strstrt(run, "ff-unsup") == 1 ? "#e07b00" : "#2a8a3a"
PAPER = "#444444"
band = "fs transparent solid 0.18 noborder"

set title sprintf("%s: error against epochs trained\n" \
                  . "{/*0.85 line: validation, mean over seeds; band: min to max;" \
                  . " points: test, once, after the last epoch}", run)
set grid lc rgb "#dddddd"
set xlabel "epochs trained"
set ylabel "error (%), log scale"
# the test points just right of the last epoch, softmax then goodness, so
# that they neither hide the curves' ends nor each other
dx = max(0.12, last * 0.015)
set xrange [0 : last + max(0.5, 4 * dx)]
set xtics last <= 10 ? 1 : last <= 30 ? 5 : 10
set logscale y
set yrange [errmin / 1.2 : min(100, errmax * 1.3)]
set format y "%g"
# labels at 1, 2, 3 and 5 times each power of ten, and finer over a narrow range
mantissas = errmax / errmin < 4 ? "1 1.5 2 2.5 3 4 5 6 7 8 9" : \
            errmax / errmin < 40 ? "1 1.5 2 3 5 7" : "1 2 3 5"
do for [d = -3:2] {
    do for [m in mantissas] { set ytics add (real(m) * 10.0**d) }
}
set tmargin at screen 0.84
set bmargin at screen 0.29
set lmargin at screen 0.09
set rmargin at screen 0.97
set key at screen 0.5, 0.02 center bottom horizontal maxcols 2 width 2 samplen 4
if (runs == 0) { set label 1 "no complete run yet" at graph 0.5, 0.5 center }

# the series present, one plot command: goodness only where the run has it
fill = " with filledcurves fc rgb C " . band . " notitle"
cmd = "plot NaN notitle, dat index 0 using 1:4:5" . fill . \
      ", '' index 0 using 1:3 with lines lw 2 lc rgb C title 'validation, softmax'"
if (good) {
    cmd = cmd . ", dat index 0 using 1:7:8" . fill . \
          ", '' index 0 using 1:6 with lines lw 2 dt 2 lc rgb C title 'validation, goodness'"
}
if (ntest) {
    cmd = cmd . sprintf(", dat index 1 using ($1 + dx):3:4:5 with yerrorbars pt 7 ps 1.4 lw 1.5" \
                        . " lc rgb C title 'test, softmax: %s %%'", test_soft)
}
if (ntest && good) {
    cmd = cmd . sprintf(", dat index 1 using ($1 + 2 * dx):6:7:8 with yerrorbars pt 5 ps 1.4 lw 1.5" \
                        . " lc rgb C title 'test, goodness: %s %%'", test_good)
}
if (has_paper_soft) {
    cmd = cmd . sprintf(", %g with lines dt 3 lw 1.5 lc rgb PAPER" \
                        . " title \"paper (softmax): %g %%\"", paper_soft, paper_soft)
}
if (has_paper_good) {
    cmd = cmd . sprintf(", %g with lines dt 3 lw 1.5 lc rgb PAPER" \
                        . " title \"paper (goodness): %g %%\"", paper_good, paper_good)
}
eval cmd

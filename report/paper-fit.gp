# paper-fit.gp - one paper-scale run: training error (on the fixed training
# subset) beside validation error, against epochs trained, by each readout.
#
#   gnuplot -e "run='ff-sup-4x2000'; dir='build/paper-curves'; out='f.svg'" paper-fit.gp
#
# Reads DIR/RUN.dat and .gp (curves.awk, scale=paper): index 0 the validation
# evaluations, index 2 the training subset's.  Lines: mean over the runs
# (seeds); bands: their minimum to maximum; validation solid, training
# dashed; softmax readout in the run's colour, goodness in grey.  Log
# scale: the gap between the two is a ratio; an error of zero, which a log
# axis cannot show, is drawn on the axis' bottom edge, labelled 0.

set terminal svg size 900,460 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

dat = sprintf("%s/%s.dat", dir, run)
load sprintf("%s/%s.gp", dir, run)
min(a, b) = a < b ? a : b
max(a, b) = a > b ? a : b
C = strstrt(run, "ff-sup") == 1 ? "#1f5fa8" : strstrt(run, "ff-unsup") == 1 ? "#e07b00" : "#2a8a3a"
GOOD = "#555555"
band = "fs transparent solid 0.14 noborder"

set title sprintf("%s: training and validation error against epochs trained\n" \
                  . "{/*0.85 line: mean over seeds; band: min to max;" \
                  . " training: the fixed training subset}", run)
set grid lc rgb "#dddddd"
set xlabel "epochs trained"
set ylabel "error (%), log scale"
set xrange [0 : last + 0.5]
set xtics last <= 10 ? 1 : last <= 30 ? 5 : 10
set logscale y
# the bottom edge: below the least error above zero, where a zero is drawn
floor = fitzero ? fitmin / 2 : fitmin / 1.2
set yrange [floor : min(100, fitmax * 1.3)]
z(v) = v > 0 ? v : floor
set format y "%g"
# labels at 1, 2, 3 and 5 times each power of ten (finer over a narrow
# range), none so near the bottom edge that it would crowd its 0
mantissas = fitmax / fitmin < 4 ? "1 1.5 2 2.5 3 4 5 6 7 8 9" : \
            fitmax / fitmin < 40 ? "1 1.5 2 3 5 7" : "1 2 3 5"
do for [d = -3:2] {
    do for [m in mantissas] {
        if (!fitzero || real(m) * 10.0**d >= fitmin / 1.3) { set ytics add (real(m) * 10.0**d) }
    }
}
if (fitzero) { set ytics add ("0" floor) }
set tmargin at screen 0.84
set bmargin at screen 0.25
set lmargin at screen 0.09
set rmargin at screen 0.97
set key at screen 0.5, 0.02 center bottom horizontal maxcols 2 width 2 samplen 4
if (runs == 0) { set label 1 "no complete run yet" at graph 0.5, 0.5 center }

# one set (data index I, dash type DT, named SET) of one readout (mean in
# column M, colour COL, named NAME): its band, then its line
curve(i, dt, set, m, col, name) = \
    sprintf(", dat index %d using 1:(z($%d)):(z($%d)) with filledcurves fc rgb '%s' %s notitle", \
            i, m + 1, m + 2, col, band) . \
    sprintf(", dat index %d using 1:(z($%d)) with lines lw 2 dt %d lc rgb '%s' title '%s, %s'", \
            i, m, dt, col, set, name)
# a readout: validation, and training where the runs recorded it
series(m, col, name) = curve(0, 1, "validation", m, col, name) . \
                       (ntrain ? curve(2, 2, "training", m, col, name) : "")
cmd = "plot NaN notitle" . series(3, C, "softmax")
if (good) { cmd = cmd . series(6, GOOD, "goodness") }
eval cmd

# gap.gp - one screened net of the paper-gap study: validation error
# against epochs trained, one colour per setting.
#
#   gnuplot -e "net='ff-sup-3x1000'; dir='build/gap-curves'; out='f.svg'" gap.gp
#
# Reads DIR/NET.dat and .gp (gap-curves.awk): one data block per setting,
# the reference first.  Lines: the mean over the setting's seeds; goodness
# solid where the setting has it, softmax dashed; the reference in black,
# thicker.  Log scale, as the paper figures (paper.gp): the settings differ
# by tenths of a point at the end of a fall by an order of magnitude.

set terminal svg size 900,520 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

dat = sprintf("%s/%s.dat", dir, net)
load sprintf("%s/%s.gp", dir, net)
min(a, b) = a < b ? a : b
# the reference, then a qualitative palette (cycled past its end)
PALETTE = "#1f5fa8 #e07b00 #2a8a3a #c0392b #7d3c98 #8c564b #d6399a #17a2b8 #b5a300 #5a6acf #ff7f50 #2e8b57"
colour(i) = i == 0 ? "#000000" : word(PALETTE, (i - 1) % words(PALETTE) + 1)

set title sprintf("%s: validation error against epochs trained, by setting\n" \
                  . "{/*0.85 mean over each setting's seeds; %s}", net, \
                  strstrt(goods, "1") ? "solid: goodness, dashed: softmax" : "dashed: softmax")
set grid lc rgb "#dddddd"
set xlabel "epochs trained"
set ylabel "validation error (%), log scale"
set xrange [0 : last + 0.5]
set xtics last <= 10 ? 1 : last <= 30 ? 5 : 10
set logscale y
set yrange [errmin / 1.2 : min(100, errmax * 1.3)]
set format y "%g"
mantissas = errmax / errmin < 4 ? "1 1.5 2 2.5 3 4 5 6 7 8 9" : \
            errmax / errmin < 40 ? "1 1.5 2 3 5 7" : "1 2 3 5"
do for [d = -3:2] {
    do for [m in mantissas] { set ytics add (real(m) * 10.0**d) }
}
set tmargin at screen 0.86
set bmargin at screen 0.30
set lmargin at screen 0.09
set rmargin at screen 0.97
set key at screen 0.5, 0.02 center bottom horizontal maxcols 5 width 1 samplen 3 noenhanced

# setting i (block i): goodness solid where it has it, softmax dashed; the
# key names the setting once
line(i, m, dt, title) = sprintf(", dat index %d using 1:%d with lines lw %g dt %d lc rgb '%s' %s", \
                               i, m, i == 0 ? 3 : 1.8, dt, colour(i), \
                               title ? "title '" . word(names, i + 1) . "'" : "notitle")
cmd = "plot NaN notitle"
do for [i = 0:nset - 1] {
    g = word(goods, i + 1) + 0
    cmd = cmd . (g ? line(i, 4, 1, 1) : "") . line(i, 3, 2, !g)
}
eval cmd

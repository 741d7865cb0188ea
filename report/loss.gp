# loss.gp - each FF layer's validation loss against epoch, on positive and
# on negative data, for one experiment (as the seed's notebook drew them).
#
#   gnuplot -e "run='ff-sup-dense'; dir='build/curves'; out='loss.svg'" loss.gp
#
# Reads DIR/RUN.dat and .gp (curves.awk).  Lines: mean over the runs (seeds);
# bands: their minimum to maximum.  Each panel has its own scale: on
# positive data the losses fall by orders of magnitude (log scale), on
# negative data they stay within a narrow band (linear scale).

set terminal svg size 980,440 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

dat = sprintf("%s/%s.dat", dir, run)
load sprintf("%s/%s.gp", dir, run)
mean(m) = 3 + 3 * (m - 1)        # column of metric m's mean; min, max follow
unsup = strstrt(run, "ff-unsup-") == 1
algo = unsup ? "unsupervised FF" : "supervised FF"
model = unsup ? run[10:*] : run[8:*]
array colour[4] = ["#1f5fa8", "#e07b00", "#2a8a3a", "#b0306a"]
c(l) = colour[(l - 1) % 4 + 1]
band = "fs transparent solid 0.15 noborder"
pad = (negmax - negmin) * 0.08 + 0.005

set multiplot title sprintf("%s, %s model: each layer's validation loss" \
                            . " (line: mean over seeds, band: min to max)", algo, model)
set grid lc rgb "#dddddd"
set xrange [0:last]
set xtics last <= 10 ? 1 : 20
set xlabel "epoch"
set tmargin at screen 0.86
set bmargin at screen 0.22
set key at screen 0.5, 0.03 center bottom horizontal samplen 4
if (runs == 0) { set label 1 "no complete run yet" at graph 0.5, 0.5 center }

set lmargin at screen 0.08
set rmargin at screen 0.49
set title "positive data (target: goodness above threshold)"
set ylabel "loss, log scale"
set logscale y
set yrange [posmin / 1.3 : posmax * 1.3]
set format y "%g"
# labels at 1, 2, 3 and 5 times each power of ten (and more within a
# narrow range): a range narrower than a decade still gets some
mantissas = posmax / posmin < 4 ? "1 1.5 2 2.5 3 4 5 6 7 8 9" : "1 2 3 5"
do for [d = -6:2] {
    do for [m in mantissas] { set ytics add (real(m) * 10.0**d) }
}
plot NaN notitle, \
     for [l = 1:layers] dat using 1:mean(l)+1:mean(l)+2 \
         with filledcurves fc rgb c(l) @band notitle, \
     for [l = 1:layers] dat using 1:mean(l) \
         with lines lw 2 lc rgb c(l) title sprintf("layer %d", l)

set lmargin at screen 0.58
set rmargin at screen 0.98
set title "negative data (target: goodness below threshold)"
set ylabel "loss, linear scale"
unset logscale y
set ytics autofreq
set yrange [negmin - pad : negmax + pad]
unset key
plot NaN notitle, \
     for [l = 1:layers] dat using 1:mean(layers+l)+1:mean(layers+l)+2 \
         with filledcurves fc rgb c(l) @band notitle, \
     for [l = 1:layers] dat using 1:mean(layers+l) with lines lw 2 lc rgb c(l) notitle
unset multiplot

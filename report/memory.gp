# memory.gp - training workspace against depth, FF and BP (bench/ff_epoch).
#
#   gnuplot -e "data='build/bench/memory.dat'; out='memory.svg'" memory.gp
#
# Reads "depth ff_KiB bp_KiB" lines (bench.awk).  FF holds one layer's
# buffers at a time, BP every layer's: the slopes are the point.

set terminal svg size 720,400 font "Helvetica,13" background "#ffffff"
set output out
set datafile missing "-"

set title "Training workspace against depth (dense, width of the seed)"
set grid lc rgb "#dddddd"
set xlabel "hidden layers"
set ylabel "workspace (KiB)"
set xtics 1
set yrange [0:*]
set key top left
plot data using 1:3 with linespoints lw 2 pt 7 lc rgb "#2a8a3a" title "backpropagation", \
     data using 1:2 with linespoints lw 2 pt 5 lc rgb "#1f5fa8" title "Forward-Forward"

# bench.awk - the epoch benchmark's output (build/bench/ff_epoch).
#
#   awk -v part=1 -v path=SHOWN -f bench.awk [ff_epoch.txt]   Markdown section
#   awk -f bench.awk ff_epoch.txt                              memory table
#
# ff_epoch prints '#' comments (CBLAS, threads, epochs timed), one line per
# timing ("ff  dense 4x100  0.401 s/epoch (60,000 images, 1 thread)"), and a
# table "depth ff_bytes bp_bytes" of training workspace by depth.  The
# memory table is "depth ff_KiB bp_KiB" for memory.gp.  With no input the
# Markdown says the benchmark is absent and how to make it.
/^# (cblas|threads):/ { sub(/^# /, ""); info[++ninfo] = $0; next }
/^#/ || NF == 0 { next }

$1 == "ff" || $1 == "bp" {
    what = $0; sub(/^[^(]*\(/, "", what); sub(/\)[^)]*$/, "", what)
    gsub(/\|/, "\\|", what)  # a '|' would end the table cell
    t[++nt] = sprintf("| %s | %s %s | %s | %s |", $1 == "ff" ? "FF" : "BP", $2, $3, $4, what)
    if ($1 == "bp") bp = $4
    else if (what ~ /1 thread/) one = $4
    else if (what ~ /stages/) two = $4
    next
}

NF == 3 && $1 ~ /^[0-9]+$/ {
    d[++nd] = $1; ff[nd] = $2 / 1024; bpb[nd] = $3 / 1024
    if (!part) printf "%d %.1f %.1f\n", $1, ff[nd], bpb[nd]
}

END {
    if (!part) exit
    print "### Epoch benchmark and memory {#epoch-benchmark-and-memory}\n"
    if (!NR) {
        printf "*No benchmark output at `%s`.* To add it, run `build/bench/ff_epoch >%s`" \
               " and rebuild the report.  Each run's own workspace is in the table above.\n",
               path, path
        exit
    }
    printf "From `%s`: training epochs of the seed's dense net on MNIST-sized noise," \
           " evaluation excluded (", path
    for (i = 1; i <= ninfo; i++) printf("%s`%s`", i > 1 ? "; " : "", info[i])
    print ").\n"
    print "| algorithm | net | s/epoch | epoch |"
    print "|---|---|--:|---|"
    for (i = 1; i <= nt; i++) print t[i]
    if (one && two)
        printf "\nThe two-stage pipeline runs an FF epoch in %.2f of the one-thread time.\n",
               two / one
    if (nd >= 2)
        printf "\nTraining workspace by depth (figure below): from %d to %d layers, each added" \
               " layer costs FF %.1f KiB and BP %.1f KiB; at %d layers FF holds %.1f KiB," \
               " BP %.1f KiB.\n\n", d[1], d[nd], (ff[nd] - ff[1]) / (d[nd] - d[1]),
               (bpb[nd] - bpb[1]) / (d[nd] - d[1]), d[nd], ff[nd], bpb[nd]
    if (nd)
        print "![Training workspace (batch of the seed) against the number of layers, FF and" \
              " BP, from the benchmark.](fig/memory.svg){#fig-memory}"
}

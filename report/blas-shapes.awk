# blas-shapes.awk - the matrix products in the library's threads and in
# OpenBLAS's (build/bench/blas_shapes).
#
#   awk -v path=SHOWN -f blas-shapes.awk [blas_shapes.txt]   Markdown section
#
# blas_shapes prints '#' comments (CBLAS; rounds, threads), a header line
# ("product  m x n x k  1 thread  library  CBLAS") and one line per product:
# its name (words), "M x N x K", then GFLOP/s in one thread, in the
# library's split and in the CBLAS's own threads ("n/a" without OpenBLAS).
# With no input the Markdown says the benchmark is absent.
/^# / {
    sub(/^# /, ""); info[++ninfo] = $0
    if (match($0, /threads: [0-9]+/)) T = substr($0, RSTART + 9, RLENGTH - 9)
    next
}
NF == 0 || $1 == "product" { next }
NF >= 9 && $(NF - 4) == "x" && $(NF - 6) == "x" {
    name = $1
    for (i = 2; i <= NF - 8; i++) name = name " " $i
    ratio = $NF + 0 > 0 ? sprintf("%.2f", $(NF - 1) / $NF) : "-"
    row[++n] = sprintf("| %s | %s × %s × %s | %s | %s | %s | %s |", name, $(NF - 7), $(NF - 5),
                       $(NF - 3), $(NF - 2), $(NF - 1), $NF, ratio)
}
END {
    if (!n) {
        printf "*No product benchmark at `%s`.* To add it, run `make paper-bench` and" \
               " rebuild the report.\n", path
        exit
    }
    printf "From `%s` (", path
    for (i = 1; i <= ninfo; i++) printf("%s`%s`", i > 1 ? "; " : "", info[i])
    print "): GFLOP/s of each product, C (m × n) from a depth of k, in one thread;" \
          " split by the library among " T " threads, one single-threaded CBLAS call per" \
          " block of C's rows or columns; and in " T " threads of OpenBLAS's own. The" \
          " last column divides the second rate by the third.\n"
    print "| product | m × n × k | 1 thread | library | OpenBLAS | library / OpenBLAS |"
    print "|---|---|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) print row[i]
}

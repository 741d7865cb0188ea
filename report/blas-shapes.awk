# blas-shapes.awk - the matrix products in each product backend, in the
# library's threads and in OpenBLAS's (build/bench/blas_shapes).
#
#   awk -v path=SHOWN -f blas-shapes.awk [blas_shapes.txt]   Markdown section
#
# blas_shapes prints '#' comments (rounds, threads; each backend and what it
# ran on), a header line "product  m x n x k  MODE..." naming its columns
# (BACKEND/THREADS, and blas:cblas-fp32/T for OpenBLAS's own threads), and
# one line per product: its name (words), "M x N x K", then GFLOP/s in each
# column.  The table keeps the columns and adds two ratios in the library's
# threads: fp32 in the library against OpenBLAS's own threads, and each
# other backend against cblas-fp32.  With no input the Markdown says the
# benchmark is absent.
/^# / {
    sub(/^# /, ""); info[++ninfo] = $0
    if (match($0, /threads: [0-9]+/)) T = substr($0, RSTART + 9, RLENGTH - 9)
    next
}
NF == 0 { next }
$1 == "product" {
    nm = NF - 6
    for (i = 1; i <= nm; i++) mode[i] = $(6 + i)
    next
}
nm && NF >= nm + 6 && $(NF - nm - 1) == "x" && $(NF - nm - 3) == "x" {
    n++
    name = $1
    for (i = 2; i <= NF - nm - 5; i++) name = name " " $i
    row[n] = sprintf("| %s | %s × %s × %s |", name, $(NF - nm - 4), $(NF - nm - 2), $(NF - nm))
    for (i = 1; i <= nm; i++) rate[n, i] = $(NF - nm + i)
}
END {
    if (!n) {
        printf "*No product benchmark at `%s`.* To add it, run `make paper-bench` and" \
               " rebuild the report.\n", path
        exit
    }
    printf "From `%s` (", path
    for (i = 1; i <= ninfo; i++) printf("%s`%s`", i > 1 ? "; " : "", info[i])
    print "): GFLOP/s of each product, C (m × n) from a depth of k, in each product backend" \
          " (`lib/include/ff/gemm.h`), written *backend/threads*: in one thread, and split" \
          " by the library among " T " threads, one single-threaded call per block of C's rows" \
          " or columns; `blas:` is OpenBLAS in " T " threads of its own. The last columns" \
          " divide rates in " T " threads: the library's split against OpenBLAS's own, and" \
          " each other backend against `cblas-fp32`.\n"
    # the columns in T threads: each backend's last of that name (with one
    # thread, its 1-thread and T-thread columns share it), OpenBLAS's own
    ref = own = 0
    for (i = 1; i <= nm; i++) {
        if (mode[i] == "cblas-fp32/" T) ref = i
        else if (mode[i] == "blas:cblas-fp32/" T) own = i
        else if (mode[i] ~ "/" T "$") { b = mode[i]; sub("/" T "$", "", b); last[b] = i }
    }
    nr = 0
    if (ref && own) { num[++nr] = ref; den[nr] = own; rname[nr] = "library / OpenBLAS" }
    for (i = 1; i <= nm; i++) {
        b = mode[i]; sub("/" T "$", "", b)
        if (ref && (b in last) && last[b] == i) { num[++nr] = i; den[nr] = ref; rname[nr] = b " / fp32" }
    }
    head = "| product | m × n × k |"; rule = "|---|---|"
    for (i = 1; i <= nm; i++) { head = head " `" mode[i] "` |"; rule = rule "--:|" }
    for (j = 1; j <= nr; j++) { head = head " " rname[j] " |"; rule = rule "--:|" }
    print head; print rule
    for (r = 1; r <= n; r++) {
        line = row[r]
        for (i = 1; i <= nm; i++) line = line " " rate[r, i] " |"
        for (j = 1; j <= nr; j++)
            line = line " " (rate[r, den[j]] + 0 > 0 ? sprintf("%.2f", rate[r, num[j]] / rate[r, den[j]]) : "-") " |"
        print line
    }
}

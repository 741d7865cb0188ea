# status.awk - the runs this report was built from, and those it lacks.
#
#   awk -f missing.awk -f status.awk BUILD/runs.txt
#
# Reads the manifest the Makefile writes (results DIR; seeds ...; one
# "run NAME complete|started|absent" line per expected run; table and bench
# present|absent) and prints a Markdown section: "Results used" when every
# expected run and the summary table are there, else "Missing results",
# naming each missing piece, so an incomplete report says so at the top.
$1 == "results" { dir = $2 }
$1 == "seeds"   { seeds = $0; sub(/^seeds */, "", seeds); gsub(/ +/, ", ", seeds) }
$1 == "run"     { n++; if ($3 == "complete") done++; else miss[++nmiss] = $2 " " $3 }
$1 == "table"   { table = $2 }
$1 == "bench"   { bench = $2 }

END {
    ok = nmiss == 0 && table == "present"
    print ok ? "## Results used {#results-used}" : "## Missing results {#missing-results}"
    print ""
    if (!ok)
        print "**This report is incomplete.** It shows what the directory below holds;"  \
              " every table row and figure states how many runs it is made of.\n"
    printf "Results directory: `%s`.  Expected runs: %d (each algorithm and model, seeds %s);" \
           " complete: %d.\n", dir, n, seeds, done
    print_missing(nmiss, miss)
    if (table != "present")
        print "\n`summary.tsv` is absent from the results directory, so the accuracy table" \
              " below has no numbers of ours: `make table` writes it once every run is complete."
    if (bench != "present")
        print "\nThe epoch benchmark (`bench/ff_epoch.txt`) is absent: see" \
              " [its section](#epoch-benchmark-and-memory)."
}

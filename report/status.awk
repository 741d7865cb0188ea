# status.awk - the runs a part of the report was built from, and those it
# lacks.
#
#   awk -f status.awk BUILD/runs.txt                     the seed study's
#   awk -v scale=paper -f status.awk BUILD/paper-runs.txt   the paper scale's
#   awk -v scale=fashion -f status.awk BUILD/fashion-runs.txt   Fashion-MNIST's
#
# Reads the manifest the Makefile writes (results DIR; seeds ...; one
# "run NAME complete|started|absent" line per expected run; "table
# present|absent [PATH]"; "bench present|absent ..."; the long runs' "long"
# lines, never expected, are not read) and prints a Markdown
# section: "Results used" when every expected run and the table are there,
# else "Missing results", naming each missing piece, so that an incomplete
# part says so at its top.  The paper scale's and Fashion-MNIST's are
# subsections (Fashion-MNIST's part exists only with its table); the
# paper's says first when it has nothing at all, so that an empty part
# cannot pass for a finished one.
BEGIN { paper = scale == "paper"; fashion = scale == "fashion" }
$1 == "results" { dir = $2 }
$1 == "seeds"   { seeds = $0; sub(/^seeds */, "", seeds); gsub(/ +/, ", ", seeds) }
$1 == "run"     {
    n++
    name = $2; sub(/-seed[0-9]+$/, "", name)
    if (!(name in known)) { known[name] = 1; names = names (names == "" ? "" : ", ") "`" name "`" }
    if ($3 == "complete") done++; else miss[++nmiss] = $2 " " $3
}
$1 == "table"   { table = $2; table_path = $3 }
$1 == "bench"   { bench = $2 }

END {
    ok = nmiss == 0 && table == "present"
    if (paper)
        print ok ? "### Paper results used {#paper-results-used}" \
                 : "### Missing paper results {#paper-missing}"
    else if (fashion)
        print ok ? "### Fashion-MNIST results used {#fashion-results-used}" \
                 : "### Missing Fashion-MNIST results {#fashion-missing}"
    else
        print ok ? "## Results used {#results-used}" : "## Missing results {#missing-results}"
    print ""
    if (paper && !done && table != "present")
        print "**No paper-scale results yet.** None of the runs below is complete and" \
              " their table is absent, so this part has no number of ours: no row of the" \
              " table, no curve, no time.  It describes the protocol and shows the paper's" \
              " values; `make reproduce SCALE=paper` (hours: `make paper-runs`, then" \
              " `make paper-table`) writes the results, and rebuilding the report fills it" \
              " in.\n"
    else if (!ok)
        print "**This " (paper || fashion ? "part" : "report") " is incomplete.** It shows what the" \
              " directory below holds; every table row and figure states how many runs it is" \
              " made of.\n"
    printf "%s directory: `%s`.  Expected runs: %d (%s seeds %s); complete: %d.\n",
           paper ? "Paper results" : fashion ? "Fashion-MNIST results" : "Results", dir, n,
           paper ? names ";" : "each algorithm and model,", seeds, done
    if (nmiss) {
        print "\nMissing (a complete run has `summary.tsv`, written last):\n"
        for (i = 1; i <= nmiss; i++) {
            split(miss[i], m, " ")
            printf "- `%s`: %s\n", m[1], m[2] == "started" ? \
                "started, not finished (no `summary.tsv`)" : "not started (no directory)"
        }
    }
    if (table != "present" && paper)
        printf "\nThe table `%s` is absent, so the test-error table below has no numbers" \
               " of ours: `make paper-table` writes it once every run is complete.\n", table_path
    else if (table != "present")
        print "\n`summary.tsv` is absent from the results directory, so the accuracy table" \
              " below has no numbers of ours: `make table` writes it once every run is complete."
    if (bench != "present" && !paper && !fashion)
        print "\nThe epoch benchmark (`bench/ff_epoch.txt`) is absent: see" \
              " [its section](#epoch-benchmark-and-memory)."
}

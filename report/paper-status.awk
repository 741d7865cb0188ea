# paper-status.awk - the paper-scale runs this report was built from, and
# those it lacks.
#
#   awk -f missing.awk -f paper-status.awk BUILD/paper-runs.txt
#
# Reads the paper part's manifest (results DIR; seeds ...; one
# "run NAME complete|started|absent" line per expected run; "table
# present|absent PATH") and prints a Markdown section: "Paper results used"
# when every expected run and the table are there, else "Missing paper
# results", naming each missing piece; with nothing at all, it says so
# first, so that an empty part cannot pass for a finished one.
$1 == "results" { dir = $2 }
$1 == "seeds"   { seeds = $0; sub(/^seeds */, "", seeds); gsub(/ +/, ", ", seeds) }
$1 == "run"     {
    n++
    name = $2; sub(/-seed[0-9]+$/, "", name)
    if (!(name in known)) { known[name] = 1; names = names (names == "" ? "" : ", ") "`" name "`" }
    if ($3 == "complete") done++; else miss[++nmiss] = $2 " " $3
}
$1 == "table"   { table = $2; table_path = $3 }

END {
    ok = nmiss == 0 && table == "present"
    print ok ? "### Paper results used {#paper-results-used}" \
             : "### Missing paper results {#paper-missing}"
    print ""
    if (!done && table != "present")
        print "**No paper-scale results yet.** None of the runs below is complete and" \
              " their table is absent, so this part has no number of ours: no row of the" \
              " table, no curve, no time.  It describes the protocol and shows the paper's" \
              " values; `make reproduce SCALE=paper` (hours: `make paper-runs`, then" \
              " `make paper-table`) writes the results, and rebuilding the report fills it" \
              " in.\n"
    else if (!ok)
        print "**This part is incomplete.** It shows what the directory below holds;" \
              " every table row and figure states how many runs it is made of.\n"
    printf "Paper results directory: `%s`.  Expected runs: %d (%s; seeds %s); complete: %d.\n",
           dir, n, names, seeds, done + 0
    print_missing(nmiss, miss)
    if (table != "present")
        printf "\nThe table `%s` is absent, so the test-error table below has no numbers" \
               " of ours: `make paper-table` writes it once every run is complete.\n", table_path
}

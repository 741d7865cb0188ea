#!/bin/sh
# test_columns.sh OUT - scripts/columns.awk, the result files read by name.
#
# A column is found by its name in both kinds of header, a comment header
# (a run's summary.tsv: "# name ...", fields separated by blanks) and a
# plain one (a table: the first line that is no comment, tab-separated,
# cells that hold blanks), each file by its own, in one awk run; a column
# the file lacks is one line on stderr naming the file and the column, a
# non-zero exit, and nothing of the script's own output; so is a table
# without a header.  A config.txt's value is found by its key.
#
# And the scripts that find more than a column by name: scripts/compare.sh
# leaves a curve's column seconds out wherever it is; paper-search.awk
# takes its nets and settings from the settings file, a setting not there
# an error; stats.awk, the mean and sample sd over seeds; paper-ablation.awk,
# a net's noise with its reference runs counted once.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../scripts
columns=$scripts/columns.awk
. "$here/check.sh"
rm -rf "$out" && mkdir -p "$out"

# the two kinds of header, the columns in another order in each
printf '# seed epochs softmax_best\n1 200 96.54\n2 200 95.81\n' >"$out/run.tsv"
printf '# a table of runs\n# (two comment lines)\nflags\tsoftmax_best\tseed\n--lr 0.02\t97.10\t3\n' \
    >"$out/table.tsv"
cat >"$out/read.awk" <<'EOF'
!col_data() { next }
{ print FILENAME ": " col("seed") "|" col("softmax_best") "|" (col_has("flags") ? col("flags") : "-") }
END { print "end" }
EOF
got=$(cd "$out" && awk -f "$columns" -f read.awk run.tsv table.tsv)
want="run.tsv: 1|96.54|-
run.tsv: 2|95.81|-
table.tsv: 3|97.10|--lr 0.02
end"
check "a column by name in a comment header and in a plain one, one awk run" test "$got" = "$want"
got=$(cd "$out" && awk -f "$columns" -f read.awk table.tsv run.tsv | head -n 1)
check "each file by its own header, whatever came before" test "$got" = "table.tsv: 3|97.10|--lr 0.02"
printf 'seed\n' >"$out/empty.tsv"
got=$(cd "$out" && awk -f "$columns" -f read.awk empty.tsv)
check "a header with no data line: no row" test "$got" = "end"

# missing FILE...: read.awk on the files, its stdout, stderr and exit
# status ($status) apart
missing() {
    status=0
    (cd "$out" && awk -f "$columns" -f read.awk "$@" >stdout 2>stderr) || status=$?
}
printf '# seed epochs\n1 200\n' >"$out/old-run.tsv"
missing run.tsv old-run.tsv
check "a missing column: a non-zero exit" test "$status" -ne 0
check "one line on stderr" test "$(wc -l <"$out/stderr")" -eq 1
check "naming the file and the column" grep -qx 'old-run.tsv: no column softmax_best' "$out/stderr"
check "the script's own output stops there (no END)" test "$(cat "$out/stdout")" = \
    "run.tsv: 1|96.54|-
run.tsv: 2|95.81|-"
printf 'seed\tsoftmax_best\n' | sed 's/softmax_best/softmax/' >"$out/old-table.tsv"
printf '3\t97.10\n' >>"$out/old-table.tsv"
missing old-table.tsv
check "in a plain header too: a non-zero exit and the one line" \
    sh -c "test $status -ne 0 && test \"\$(cat '$out/stderr')\" = 'old-table.tsv: no column softmax_best'"
printf '# only comments\n# and no header\n' >"$out/headless.tsv"
missing headless.tsv
check "a table without a header line: the one line, a non-zero exit" \
    sh -c "test $status -ne 0 && grep -qx 'headless.tsv: no header line naming the columns' '$out/stderr'"

# config(FILE, KEY)
printf 'experiment paper-ff-sup\ntrain 50000\noptimizer sgd momentum=0.9\n' >"$out/config.txt"
echo 'BEGIN { print config(f, "train") "|" config(f, "optimizer") "|" config(f, "val") "|" }' \
    >"$out/config.awk"
got=$(awk -v f="$out/config.txt" -f "$columns" -f "$out/config.awk")
check "config: a value by its key, the rest of its line; none: empty" \
    test "$got" = "50000|sgd momentum=0.9||"

# compare.sh: two one-run tables and their runs' curves, the reference's
# (ref/) and the reproduction's (rep/), the time column seconds before the
# last one; verdict "same bits" when the curves are the same but for it
# (compare.awk: same curves, same means), "within spread" when not
cmp=$out/compare
mkdir -p "$cmp/ref/bp-dense-seed1" "$cmp/rep/bp-dense-seed1"
printf 'model\talgorithm\tseeds\tsoftmax_best_mean\tsoftmax_best_sd\tseed_softmax\tgoodness_best_mean\tgoodness_best_sd\tseed_goodness\n' \
    >"$cmp/table.tsv"
printf 'dense\tbp\t1\t97.00\t-\t98.00\t-\t-\t-\n' >>"$cmp/table.tsv"
printf '# epoch set n seconds softmax_acc\n0 val 10 1.25 96.00\n1 val 10 2.50 97.00\n' \
    >"$cmp/ref/bp-dense-seed1/curve.tsv"
# compare CURVE: CURVE (printf's format) as the reproduction's curve, then
# compare.sh; $verdict: the table's verdict, $status: the exit status
compare() {
    printf "$1" >"$cmp/rep/bp-dense-seed1/curve.tsv"
    rm -f "$cmp/out.tsv"
    status=0
    sh "$scripts/compare.sh" "$cmp/out.tsv" "$cmp/table.tsv" "$cmp/table.tsv" "$cmp/ref" \
        "$cmp/rep/bp-dense-seed1" >"$cmp/stdout" 2>"$cmp/stderr" || status=$?
    verdict=$(awk -F'\t' 'NR == 2 { print $12 }' "$cmp/out.tsv" 2>/dev/null || :)
}
compare '# epoch set n seconds softmax_acc\n0 val 10 3.75 96.00\n1 val 10 7.00 97.00\n'
check "compare.sh: curves that differ in seconds only, the same bits" \
    test "$status/$verdict" = "0/same bits"
compare '# epoch set n seconds softmax_acc\n0 val 10 1.25 96.00\n1 val 10 2.50 97.01\n'
check "compare.sh: the last column, not seconds, differs: not the same bits" \
    test "$status/$verdict" = "0/within spread"
compare '# epoch set n softmax_acc seconds\n0 val 10 96.00 4.00\n1 val 10 97.00 8.00\n'
check "compare.sh: seconds found by its name in another place, the same bits" \
    test "$status/$verdict" = "0/same bits"
compare '# epoch set n softmax_acc\n0 val 10 96.00\n1 val 10 97.00\n'
check "compare.sh: a curve without seconds, a non-zero exit, no table" \
    test "$status" -ne 0 -a ! -e "$cmp/out.tsv"
check "compare.sh: ... and one line naming the curve and the column" \
    test "$(cat "$cmp/stderr")" = "$cmp/rep/bp-dense-seed1/curve.tsv: no column seconds"

# paper-search.awk: the nets and settings from the settings file, a name
# split by the longest net it begins with (ff-x-big, not ff-x and a setting
# big-lr0.1), a net's reference runs named <net>-seed<N>
ps=$out/paper-search
mkdir -p "$ps"
printf '# the settings tried\n# (two comment lines)\nrun\tsetting\tflags\nff-x\tlr0.1\t--lr 0.1\nff-x-big\tlr0.1\t--lr 0.1\n' \
    >"$ps/settings.tsv"
for d in ff-x-seed1 ff-x-big-seed1 ff-x-lr0.1-seed2 ff-x-big-lr0.1-seed1 ff-x-lr9-seed1 zz-seed1; do
    mkdir -p "$ps/$d"
    printf '# epochs softmax_final goodness_final seconds\n100 98.25 - 600\n' >"$ps/$d/summary.tsv"
done
# search [SETTINGS] DIR...: paper-search.awk on SETTINGS (if a .tsv) and
# the DIRs' summary.tsv, in $ps; $status: the exit status
search() {
    status=0
    (cd "$ps" && awk -f "$columns" -f "$scripts/paper-search.awk" \
        $(for d in "$@"; do case $d in *.tsv) echo "$d" ;; *) echo "$d/summary.tsv" ;; esac; done) \
        >stdout 2>stderr) || status=$?
}
search settings.tsv ff-x-seed1 ff-x-big-seed1 ff-x-lr0.1-seed2 ff-x-big-lr0.1-seed1
check "paper-search.awk: net and setting by the settings file's nets, the longest" \
    test "$status/$(cut -f 1-3,5,6 "$ps/stdout" | tr '\t\n' ' /')" = \
    "0/run setting seed val_error_softmax val_error_goodness/ff-x reference 1 1.75 -/ff-x-big reference 1 1.75 -/ff-x lr0.1 2 1.75 -/ff-x-big lr0.1 1 1.75 -/"
search settings.tsv ff-x-seed1 ff-x-lr9-seed1
check "paper-search.awk: a setting not in the settings file, one line naming it, a non-zero exit" \
    test "$status/$(cat "$ps/stderr")" = \
    "1/paper-search.awk: ff-x-lr9-seed1/summary.tsv: ff-x/lr9 is not a row of settings.tsv"
search settings.tsv zz-seed1
check "paper-search.awk: a directory of no net, one line, a non-zero exit" \
    test "$status/$(cat "$ps/stderr")" = \
    "1/paper-search.awk: zz-seed1/summary.tsv: no net of settings.tsv begins its name"
search ff-x-seed1
check "paper-search.awk: no settings file first, one line saying so, a non-zero exit" \
    sh -c "test $status -ne 0 && test \$(wc -l <'$ps/stderr') -eq 1 &&
           grep -q 'name the settings file' '$ps/stderr'"

# stats.awk: mean and sample sd as the tables print them, '-' left out
cat >"$out/stats.awk" <<'EOF'
BEGIN {
    stat_add("a", 1); stat_add("a", "-"); stat_add("a", 2); stat_add("a", "4")
    stat_add("one", 96.5); stat_add("same", 0.1); stat_add("same", 0.1); stat_add("same", 0.1)
    print stat_n("a"), stat_fmean("a"), stat_fsd("a"), stat_fmean("one"), stat_fsd("one"),
          stat_n("none"), stat_fmean("none"), stat_fsd("none"), stat_fsd("same")
}
EOF
got=$(awk -f "$scripts/stats.awk" -f "$out/stats.awk")
check "stats.awk: n, mean and sd over seeds; one value: no sd; none: '-'; equal values: sd 0" \
    test "$got" = "3 2.33 1.53 96.50 - 0 - - 0.00"

# paper-ablation.awk: a net's noise, the seed-to-seed sd pooled over its
# settings, counts its reference runs once, also for a proxy, whose
# reference the settings file names as a row of its own.  Reference
# softmax errors 1.0 and 2.0 (variance 0.5), the setting's 2.6 twice (0):
# pooled sd sqrt(0.5 / 2) = 0.50, so the setting's +1.10 lies beyond twice
# its standard error (1.00): worse.  The reference counted twice would
# give sqrt(1.0 / 3) = 0.58 and no difference.
pa=$out/paper-ablation
mkdir -p "$pa"
printf 'run\tsetting\thypothesis\tprogram\tflags\npx\treference\tproxy\t-\t-\npx\tlr9\tsearch\t-\t--lr 9\n' \
    >"$pa/settings.tsv"
printf 'run\tsetting\tseed\tepochs\tval_error_softmax\tval_error_goodness\tminutes\n' >"$pa/search.tsv"
printf 'px\treference\t%s\t60\t%s\t-\t1\n' 1 1.0 2 2.0 >>"$pa/search.tsv"
printf 'px\tlr9\t%s\t60\t2.6\t-\t1\n' 1 2 >>"$pa/search.tsv"
got=$(awk -f "$columns" -f "$scripts/stats.awk" -f "$scripts/paper-ablation.awk" \
    "$pa/settings.tsv" "$pa/search.tsv" | awk -F'\t' '$2 == "lr9" { print $10 "/" $12 "/" $13 }')
check "paper-ablation.awk: a proxy's reference runs counted once in its noise (sd 0.50: worse)" \
    test "$got" = "+1.10/0.50/worse"

check_done

# cfg.awk - one setting, as the runs recorded it in their config.txt.
#
#   awk -v scope=SCOPE -v key=KEY -f cfg.awk RUN/config.txt ...
#
# Prints KEY's value over the runs in SCOPE: all, ff (both FF experiments)
# or one experiment (bp, ff-sup, ff-unsup).  If the runs disagree, every
# value is printed and the disagreement said, so that the prose never
# states one value for runs that used several.
FNR == 1 { files[++nf] = FILENAME }
$1 == "experiment" { exp_of[FILENAME] = $2 }
$1 == key { val[FILENAME] = substr($0, length($1) + 2) }

END {
    for (i = 1; i <= nf; i++) {
        f = files[i]; e = exp_of[f]
        if (!(scope == "all" || scope == e || (scope == "ff" && e ~ /^ff-/))) continue
        v = (f in val) ? val[f] : "(not recorded)"
        if (!(v in seen)) { seen[v] = 1; distinct[++nd] = v }
    }
    if (nd == 0) { print "(no complete run)"; exit }
    s = distinct[1]
    for (i = 2; i <= nd; i++) s = s " / " distinct[i]
    print (nd > 1 ? s " (differs between runs)" : s)
}

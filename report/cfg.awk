# cfg.awk - one setting, as the runs recorded it in their config.txt.
#
#   awk -v scope=SCOPE -v key=KEY [-v field=FIELD] -f cfg.awk RUN/config.txt ...
#
# Prints KEY's value over the runs in SCOPE: all, ff (every FF experiment),
# one experiment (bp, ff-sup, ff-unsup; a paper-scale run's experiment
# "paper-ff-sup" counts as ff-sup), or one run by its directory's name
# without "-seedN" (ff-sup-4x2000).  With FIELD, only the FIELD=VALUE
# token of the value ("optimizer sgd momentum=0.9 ...": field momentum
# gives 0.9).  If the runs disagree, every value is printed and the
# disagreement said, so that the prose never states one value for runs that
# used several.
FNR == 1 {
    files[++nf] = FILENAME
    run = FILENAME; sub(/\/config\.txt$/, "", run); sub(/.*\//, "", run)
    sub(/-seed[0-9]+$/, "", run); run_of[FILENAME] = run
}
$1 == "experiment" { exp_of[FILENAME] = $2; sub(/^paper-/, "", exp_of[FILENAME]) }
$1 == key { val[FILENAME] = substr($0, length($1) + 2) }

# FIELD's value in v, or "" if v has no FIELD=... token
function token(v,    n, t, i) {
    n = split(v, t, " ")
    for (i = 1; i <= n; i++)
        if (index(t[i], field "=") == 1) return substr(t[i], length(field) + 2)
    return ""
}

END {
    for (i = 1; i <= nf; i++) {
        f = files[i]; e = exp_of[f]
        if (!(scope == "all" || scope == e || scope == run_of[f] || (scope == "ff" && e ~ /^ff-/)))
            continue
        v = (f in val) ? val[f] : "(not recorded)"
        if (field != "" && (f in val)) v = token(v) == "" ? "(not recorded)" : token(v)
        if (!(v in seen)) { seen[v] = 1; distinct[++nd] = v }
    }
    if (nd == 0) { print "(no complete run)"; exit }
    s = distinct[1]
    for (i = 2; i <= nd; i++) s = s " / " distinct[i]
    print (nd > 1 ? s " (differs between runs)" : s)
}

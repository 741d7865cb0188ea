#!/usr/bin/awk -f
# show-tsv.awk - a tab-separated table printed with its columns aligned.
#
#   awk -f show-tsv.awk TABLE.tsv
BEGIN { FS = "\t" }
{
    for (i = 1; i <= NF; i++) {
        cell[NR, i] = $i
        if (length($i) > width[i]) width[i] = length($i)
    }
    nf[NR] = NF
}
END {
    for (r = 1; r <= NR; r++) {
        line = ""
        for (i = 1; i <= nf[r]; i++)
            line = line (i < nf[r] ? sprintf("%-" width[i] "s  ", cell[r, i]) : cell[r, i])
        print line
    }
}

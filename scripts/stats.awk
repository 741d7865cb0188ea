# stats.awk - mean and sample standard deviation over seeds, the tables'
# one implementation.  Loaded with columns.awk, before the script that
# uses it:
#
#   awk -f scripts/columns.awk -f scripts/stats.awk -f SCRIPT.awk FILE ...
#
# Values are collected under a KEY of the script's own (a string; a
# composite key such as run SUBSEP readout is one too):
#
# stat_add(KEY, V)   V, a number, one more value of KEY; '-' (a readout the
#                    run lacks) is no value and is left out.
# stat_n(KEY)        how many values KEY has (0: none).
# stat_mean(KEY)     their mean (KEY must have a value).
# stat_var(KEY)      their sample variance, sum (v - mean)^2 / (n - 1), 0
#                    rather than the tiny negative rounding may give (KEY
#                    must have two values or more).
# stat_sd(KEY)       its square root, the sample standard deviation.
# stat_fmean(KEY)    the mean as the tables print it, %.2f, '-' for none.
# stat_fsd(KEY)      the sd as the tables print it, %.2f, '-' for fewer
#                    than two values.
# stat_value(KEY, I) the I-th value added (1 <= I <= stat_n(KEY)).
# stat_min(KEY), stat_max(KEY)
#                    the least and the greatest value (KEY must have one).
#
# The variance is computed from the sum and the sum of squares, in this
# order of operations, which every table was made with: change it and the
# tables' last digits may change.

function stat_add(key, v) {
    if (v == "-") return
    stat_count[key]++; stat_sum[key] += v; stat_sq[key] += v * v
    stat_v[key, stat_count[key]] = v + 0
}

function stat_n(key) { return (key in stat_count) ? stat_count[key] : 0 }

function stat_mean(key) { return stat_sum[key] / stat_count[key] }

function stat_var(key,    c, m, v) {
    c = stat_count[key]; m = stat_sum[key] / c
    v = (stat_sq[key] - c * m * m) / (c - 1)
    return v > 0 ? v : 0
}

function stat_sd(key) { return sqrt(stat_var(key)) }

function stat_fmean(key) { return stat_n(key) ? sprintf("%.2f", stat_mean(key)) : "-" }

function stat_fsd(key) { return stat_n(key) < 2 ? "-" : sprintf("%.2f", stat_sd(key)) }

function stat_value(key, i) { return stat_v[key, i] }

function stat_min(key,    i, m) {
    m = stat_v[key, 1]
    for (i = 2; i <= stat_count[key]; i++) if (stat_v[key, i] < m) m = stat_v[key, i]
    return m
}

function stat_max(key,    i, m) {
    m = stat_v[key, 1]
    for (i = 2; i <= stat_count[key]; i++) if (stat_v[key, i] > m) m = stat_v[key, i]
    return m
}

# settings.awk - the settings tried on the validation set
# (experiments/paper-settings.tsv), as the Makefiles name them.
#
#   awk -f columns.awk -f settings.awk [-v program=PROGRAM] SETTINGS
#   awk -f columns.awk -f settings.awk -v setting=RUN/SETTING -v column=NAME SETTINGS
#
# The first form prints RUN/SETTING for each row (with program, each row
# of that program), in the file's order; the second that row's column NAME
# (program, flags, ...), '-' printed as nothing.  Columns are found by
# their names (columns.awk).
!col_data() { next }
setting == "" { if (program == "" || col("program") == program) print col("run") "/" col("setting"); next }
col("run") "/" col("setting") == setting { v = col(column); print (v == "-" ? "" : v) }

# mk/files.mk - how a recipe writes its file: included by the Makefile and
# by report/Makefile.
#
# Every output is written beside its target, as TARGET.tmp, and renamed onto
# it only once complete.  A make that is killed (SIGKILL, out of memory, a
# CI timeout) thus leaves no truncated target newer than its prerequisites,
# which the next make would take as up to date; .DELETE_ON_ERROR covers
# only a recipe that fails.

# into_place: ">$@.tmp $(into_place)" ends a command writing $@
into_place = && mv -f $@.tmp $@

# $(call pair_into_place,DIR/STEM): the same for a rule making DIR/STEM.dat
# and DIR/STEM.gp at once (a figure's data and its gnuplot variables); the
# .dat, which the figures depend on, last
pair_into_place = && mv -f $(1).gp.tmp $(1).gp && mv -f $(1).dat.tmp $(1).dat

# $(call replace_if_changed,FILE): FILE.tmp becomes FILE, unless their text
# is the same (then FILE is left, with its time).  For a file remade on
# every call (a table of the runs, a manifest of them): it changes only
# when its text does, so that what reads it is remade only then.
replace_if_changed = if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv -f $(1).tmp $(1); fi

# coretype.sh - sourced by the tests that run the programs, after HERE is
# set: OpenBLAS's widest kernels for this CPU (scripts/openblas-coretype),
# whatever OPENBLAS_CORETYPE the environment holds.  Narrower ones would
# make the programs warn on stderr, where the tests count lines (and make
# them slower); the tests compare no bits with kernels of another machine.
# Leaves the family in $core (empty where the CPU needs none).
core=$(env -u OPENBLAS_CORETYPE "$HERE/../scripts/openblas-coretype")
if [ -n "$core" ]; then
    OPENBLAS_CORETYPE=$core
    export OPENBLAS_CORETYPE
fi

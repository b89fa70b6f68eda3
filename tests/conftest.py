"""One BLAS thread per test process: the suite runs under pytest-xdist on 2 cores, and small
matrices with several BLAS threads per worker oversubscribe the machine (a 65-mode test took 279 s
instead of 9 s).  `make test` sets the same variables before Python starts."""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

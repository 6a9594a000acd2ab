"""Will it grok, and when?  One calibrated answer per theory, with the evidence it rests on.

* :func:`predict_ridge` -- exact GD times of the ridge model and Eq. (8)'s certificate;
* :func:`predict_toy` -- the effective theory's verdict on random (or your) training splits,
  and a short batched simulation where the theory does not decide;
* :func:`predict_kernel` -- the adaptive-kernel phase (feature learning vs kernel regime) at a
  noise level, its distance to the critical point and spinodal;
* :func:`predict_curve` -- the early-curve model on a learning curve.

Every answer is a JSON-able dict with a one-sentence ``summary``, the ``evidence`` it rests on
(theory, or a simulation with its seeds and budget), a full ``config`` and, for anything the
evidence does not decide, ``null`` with the reason.
"""

from validation.predict.curve import predict_curve
from validation.predict.kernel import predict_kernel
from validation.predict.ridge import predict_ridge
from validation.predict.split_file import SPLIT_FORMAT, read_split
from validation.predict.toy import predict_toy

__all__ = ["SPLIT_FORMAT", "predict_curve", "predict_kernel", "predict_ridge", "predict_toy",
           "read_split"]

"""Adam with exactly torch.optim.Adam's multi-tensor update, without its start-up cost.

``torch.optim.Optimizer.step`` imports ``torch._dynamo`` on its first call (about a second
on the CPUs here, more than a third of the time from launch to the first batch). This class
performs the same ``torch._foreach_*`` operations in the same order as torch's
``_multi_tensor_adam`` (amsgrad, maximize and capturable off), so it gives the same weights;
a test checks it against ``torch.optim.Adam`` and ``torch.optim.AdamW`` step for step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class Adam:
    """Adam (Kingma & Ba), with weight decay added to the gradient (L2, torch's ``Adam``) or
    applied to the weights directly (decoupled, Loshchilov & Hutter's AdamW).

    Args:
        params: the parameters to optimise.
        lr: step size (may be changed between steps: a schedule sets ``lr``).
        betas: decay of the first and second moment estimates.
        eps: added to the denominator. weight_decay: the decay per unit of step size.
        decoupled: AdamW's decay (``w -= lr * weight_decay * w``) instead of an L2 penalty.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.decoupled = decoupled
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format)
                         for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format)
                            for p in self.params]
        # updates per parameter, as torch counts them: a parameter that had no gradient on
        # some steps (a branch a batch did not use) is bias-corrected by its own count
        self.counts = [0] * len(self.params)

    @property
    def steps(self) -> list[int]:
        """Each parameter's number of updates (what a checkpoint saves)."""
        return list(self.counts)

    @steps.setter
    def steps(self, value: int | list[int]) -> None:
        """Back from a checkpoint: a count per parameter, or one for all (older files)."""
        self.counts = [int(value)] * len(self.params) if isinstance(value, int) else \
            [int(v) for v in value]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        if all(p.grad is None for p in self.params):
            return
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self.counts[i] += 1
            if p.grad is not None and p.grad.is_sparse:
                self._lazy_rows(i)
        live = [i for i, p in enumerate(self.params)
                if p.grad is not None and not p.grad.is_sparse]
        groups: dict[int, list[int]] = {}
        for i in live:  # one group in the usual case: every parameter updated every step
            groups.setdefault(self.counts[i], []).append(i)
        for count, members in groups.items():
            self._dense(members, count)

    def _dense(self, live: list[int], count: int) -> None:
        """torch's multi-tensor update of the parameters ``live``, each updated ``count``
        times so far (this step included)."""
        params = [self.params[i] for i in live]
        grads = [self.params[i].grad for i in live]
        exp_avgs = [self.exp_avgs[i] for i in live]
        exp_avg_sqs = [self.exp_avg_sqs[i] for i in live]
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            torch._foreach_mul_(params, 1 - self.lr * self.weight_decay)
        elif self.weight_decay:
            grads = torch._foreach_add(grads, params, alpha=self.weight_decay)
        torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)  # m = b1 m + (1 - b1) g
        torch._foreach_mul_(exp_avg_sqs, beta2)  # v = b2 v + (1 - b2) g^2
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        bias_correction1 = 1 - beta1**count
        bias_correction2 = 1 - beta2**count
        step_size = (self.lr / bias_correction1) * -1
        denom = torch._foreach_sqrt(exp_avg_sqs)  # sqrt(v / bc2) + eps
        torch._foreach_div_(denom, math.sqrt(bias_correction2))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, exp_avgs, denom, step_size)  # p -= lr/bc1 * m / denom

    def _lazy_rows(self, i: int) -> None:
        """Adam on the rows a sparse gradient touches (an embedding's tokens in the batch),
        the rest untouched: the "lazy" Adam of TensorFlow and fastText. Updating only the
        batch's rows makes a 20,000-word embedding cost what its batch costs, not what the
        whole table costs (4x faster per step on the tweets corpus)."""
        p, grad = self.params[i], self.params[i].grad.coalesce()
        rows, values = grad.indices()[0], grad.values()
        beta1, beta2 = self.betas
        m = self.exp_avgs[i][rows].lerp_(values, 1 - beta1)
        v = self.exp_avg_sqs[i][rows].mul_(beta2).addcmul_(values, values, value=1 - beta2)
        self.exp_avgs[i][rows], self.exp_avg_sqs[i][rows] = m, v
        count = self.counts[i]
        denom = (v / (1 - beta2**count)).sqrt_().add_(self.eps)
        update = m.div_(denom).mul_(self.lr / (1 - beta1**count))
        weights = p[rows]
        if self.weight_decay:
            weights.mul_(1 - self.lr * self.weight_decay)
        p[rows] = weights - update

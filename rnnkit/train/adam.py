"""Adam with exactly torch.optim.Adam's multi-tensor update, without its start-up cost.

``torch.optim.Optimizer.step`` imports ``torch._dynamo`` on its first call (about a second
on the CPUs here, more than a third of the time from launch to the first batch). This class
performs the same ``torch._foreach_*`` operations in the same order as torch's
``_multi_tensor_adam`` (amsgrad, maximize, capturable and decoupled weight decay off), so it
gives the same weights; a test checks it against ``torch.optim.Adam`` step for step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class Adam:
    """Adam (Kingma & Ba) with L2 weight decay added to the gradient, as torch's ``Adam``.

    Args:
        params: the parameters to optimise.
        lr: step size. betas: decay of the first and second moment estimates.
        eps: added to the denominator. weight_decay: L2 penalty.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format)
                         for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format)
                            for p in self.params]
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not live:
            return
        params = [self.params[i] for i in live]
        grads = [self.params[i].grad for i in live]
        exp_avgs = [self.exp_avgs[i] for i in live]
        exp_avg_sqs = [self.exp_avg_sqs[i] for i in live]
        beta1, beta2 = self.betas
        self.steps += 1
        if self.weight_decay:
            grads = torch._foreach_add(grads, params, alpha=self.weight_decay)
        torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)  # m = b1 m + (1 - b1) g
        torch._foreach_mul_(exp_avg_sqs, beta2)  # v = b2 v + (1 - b2) g^2
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        bias_correction1 = 1 - beta1**self.steps
        bias_correction2 = 1 - beta2**self.steps
        step_size = (self.lr / bias_correction1) * -1
        denom = torch._foreach_sqrt(exp_avg_sqs)  # sqrt(v / bc2) + eps
        torch._foreach_div_(denom, math.sqrt(bias_correction2))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, exp_avgs, denom, step_size)  # p -= lr/bc1 * m / denom

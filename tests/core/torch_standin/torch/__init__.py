"""A stand-in for the few torch calls the exported PyTorch script makes, so that the script
runs where torch is not installed (CI does not install it: too large a download for one
test). Gradients come from ``autograd``: each tensor remembers how it was computed from the
tensors with ``requires_grad``, and ``backward`` differentiates that recomputation.

Only what the script uses is here; anything else fails with AttributeError, so a script
that starts to use more of torch fails its test rather than passing unseen."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import grad

float64 = "float64"


def set_default_dtype(dtype: str) -> None:
    assert dtype == float64, "the script computes in float64, as NumPy does"


Env = dict[int, Any]


def _binary(f: Callable[[Any, Any], Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """An operator and its reflected form (``2 * t`` as well as ``t * 2``)."""
    return (lambda self, other: _op(f, self, other), lambda self, other: _op(f, other, self))


class Tensor:
    def __init__(
        self,
        value: Any,
        build: Callable[[Env], Any] | None = None,
        leaves: tuple[Tensor, ...] = (),
        requires_grad: bool = False,
    ) -> None:
        self.value = value
        self.grad: Tensor | None = None
        self._build = build or (lambda env: env.get(id(self), self.value))
        self._leaves = (self,) if requires_grad else leaves

    def backward(self) -> None:
        leaves = self._leaves

        def again(values: list[Any]) -> Any:
            return self._build({id(t): v for t, v in zip(leaves, values, strict=True)})

        for leaf, g in zip(leaves, grad(again)([t.value for t in leaves]), strict=True):
            leaf.grad = Tensor(np.asarray(g))

    def detach(self) -> Tensor:
        return Tensor(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self.value)):
            yield _op(lambda v, i=i: v[i], self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return _op(anp.transpose, self)

    __add__, __radd__ = _binary(anp.add)
    __sub__, __rsub__ = _binary(anp.subtract)
    __mul__, __rmul__ = _binary(anp.multiply)
    __truediv__, __rtruediv__ = _binary(anp.divide)
    __pow__, __rpow__ = _binary(anp.power)

    def __neg__(self) -> Tensor:
        return _op(anp.negative, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _op(anp.dot, self, other)


def _lift(v: Any) -> Tensor:
    return v if isinstance(v, Tensor) else Tensor(np.asarray(v, dtype=np.float64))


def _op(f: Callable[..., Any], *args: Any) -> Tensor:
    ts = [_lift(a) for a in args]
    leaves = tuple(dict.fromkeys(leaf for t in ts for leaf in t._leaves))
    return Tensor(f(*(t.value for t in ts)), lambda env: f(*(t._build(env) for t in ts)), leaves)


def tensor(data: Any, requires_grad: bool = False) -> Tensor:
    return Tensor(np.array(data, dtype=np.float64), requires_grad=requires_grad)


def no_grad() -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


def sum(t: Tensor) -> Tensor:  # noqa: A001 - torch's name
    return _op(anp.sum, t)


def exp(t: Tensor) -> Tensor:
    return _op(anp.exp, t)


def tanh(t: Tensor) -> Tensor:
    return _op(anp.tanh, t)


def sigmoid(t: Tensor) -> Tensor:
    return _op(lambda z: 1.0 / (1.0 + anp.exp(-z)), t)


def relu(t: Tensor) -> Tensor:
    return _op(lambda z: anp.where(z > 0, z, 0.0 * z), t)


def softmax(t: Tensor, dim: int) -> Tensor:
    assert dim == 0, "a layer is one vector"
    return _op(lambda z: anp.exp(z - anp.max(z)) / anp.sum(anp.exp(z - anp.max(z))), t)


def xlogy(y: Any, p: Any) -> Tensor:
    return _op(lambda y, p: anp.where(y == 0, 0.0, y * anp.log(p)), y, p)


def _softplus(t: Tensor) -> Tensor:
    return _op(lambda z: anp.logaddexp(0.0, z), t)


nn = SimpleNamespace(functional=SimpleNamespace(softplus=_softplus))

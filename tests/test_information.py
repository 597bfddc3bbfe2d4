"""lesson_utils.information against torch.distributions and F.kl_div."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lesson_utils import distribution_cross_entropy, entropy, kl_divergence


def _random_distributions(n, q, *, seed=0, dtype=torch.float64, concentration=1.0):
    gen = torch.Generator().manual_seed(seed)
    gamma = torch._standard_gamma(torch.full((n, q), concentration, dtype=dtype), generator=gen)
    return gamma / gamma.sum(-1, keepdim=True)  # Dirichlet(concentration) samples


def _distributions(max_q=8):
    """Hypothesis strategy: one float64 distribution over 1..max_q outcomes (zeros allowed)."""
    weights = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=max_q)
    return weights.filter(lambda w: sum(w) > 1e-3).map(
        lambda w: torch.tensor(w, dtype=torch.float64) / sum(w))


def _torch_kl(p, q):
    return F.kl_div(q.log(), p, reduction="none").sum(-1)


# --- agreement with torch ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(5,), (1, 5), (64, 10), (3, 4, 6)])
def test_matches_torch(shape, dtype):
    *batch, q = shape
    n = math.prod(batch) if batch else 1
    p = _random_distributions(n, q, seed=1, dtype=dtype).reshape(shape)
    r = _random_distributions(n, q, seed=2, dtype=dtype).reshape(shape)
    torch.testing.assert_close(entropy(p), torch.distributions.Categorical(probs=p).entropy())
    torch.testing.assert_close(kl_divergence(p, r), _torch_kl(p, r))
    # F.cross_entropy with probability targets computes -sum p log softmax(logits)
    ce = F.cross_entropy(r.log().reshape(-1, q), p.reshape(-1, q), reduction="none")
    torch.testing.assert_close(distribution_cross_entropy(p, r), ce.reshape(batch))
    assert entropy(p).shape == tuple(batch)


def test_coins():
    fair, biased, certain = torch.tensor([[0.5, 0.5], [0.9, 0.1], [1.0, 0.0]]).unbind()
    assert entropy(fair, base=2).item() == pytest.approx(1.0)
    assert entropy(fair).item() == pytest.approx(math.log(2))
    expected = -(0.9 * math.log2(0.9) + 0.1 * math.log2(0.1))
    assert entropy(biased, base=2).item() == pytest.approx(expected, rel=1e-6)
    assert entropy(certain).item() == 0.0 and not math.copysign(1, entropy(certain).item()) < 0


def test_bases_convert():
    p = _random_distributions(10, 6, seed=3)
    torch.testing.assert_close(entropy(p, base=2), entropy(p) / math.log(2))
    torch.testing.assert_close(entropy(p, base=math.e), entropy(p))
    torch.testing.assert_close(kl_divergence(p, p.flip(-1), base=10),
                               kl_divergence(p, p.flip(-1)) / math.log(10))
    torch.testing.assert_close(distribution_cross_entropy(p, p, base=0.5),
                               -distribution_cross_entropy(p, p, base=2))


def test_zero_probabilities():
    p = torch.tensor([0.5, 0.5, 0.0])
    q = torch.tensor([0.25, 0.25, 0.5])
    torch.testing.assert_close(entropy(p), torch.tensor(math.log(2)))  # 0 log 0 = 0
    torch.testing.assert_close(kl_divergence(p, q), torch.tensor(math.log(2)))
    torch.testing.assert_close(kl_divergence(p, q), _torch_kl(p, q))
    # q = 0 where p > 0: the model called an observed outcome impossible
    assert kl_divergence(q, p).item() == math.inf == _torch_kl(q, p).item()
    assert distribution_cross_entropy(q, p).item() == math.inf
    # q = 0 where p = 0 costs nothing
    assert math.isfinite(distribution_cross_entropy(p, torch.tensor([0.5, 0.5, 0.0])).item())


def test_very_small_probabilities():
    tiny = 1e-300
    p = torch.tensor([1 - tiny, tiny], dtype=torch.float64)
    q = torch.tensor([0.5, 0.5], dtype=torch.float64)
    torch.testing.assert_close(entropy(p), torch.distributions.Categorical(probs=p).entropy())
    torch.testing.assert_close(kl_divergence(p, q), _torch_kl(p, q))
    assert kl_divergence(p, q).item() == pytest.approx(math.log(2))
    small = torch.tensor([1 - 1e-30, 1e-30])  # float32 underflow in products
    assert entropy(small).item() == pytest.approx(1e-30 * math.log(1e30), rel=1e-4)


def test_single_class_and_batch_of_one():
    one = torch.ones(1)
    assert entropy(one).item() == 0.0 and kl_divergence(one, one).item() == 0.0
    batch = torch.ones(4, 1)
    assert entropy(batch).tolist() == [0.0] * 4
    p = torch.tensor([[0.2, 0.8]])
    assert entropy(p).shape == (1,) and kl_divergence(p, p).shape == (1,)


def test_one_hot_cross_entropy_is_the_classification_loss():
    q = _random_distributions(32, 10, seed=4)
    y = torch.randint(0, 10, (32,), generator=torch.Generator().manual_seed(5))
    p = F.one_hot(y, 10).to(q.dtype)
    torch.testing.assert_close(distribution_cross_entropy(p, q),
                               F.nll_loss(q.log(), y, reduction="none"))
    assert entropy(p).eq(0).all()
    torch.testing.assert_close(kl_divergence(p, q), distribution_cross_entropy(p, q))


# --- gradients --------------------------------------------------------------------------------

def test_gradcheck_through_softmax():
    gen = torch.Generator().manual_seed(6)
    a = torch.randn(3, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda o: entropy(o.softmax(-1)), (a,))
    assert torch.autograd.gradcheck(
        lambda o, s: kl_divergence(o.softmax(-1), s.softmax(-1)), (a, b))
    assert torch.autograd.gradcheck(
        lambda o, s: distribution_cross_entropy(o.softmax(-1), s.softmax(-1), base=2), (a, b))


def test_kl_gradient_vanishes_at_p_equals_q():
    p = _random_distributions(1, 4, seed=7)[0]
    logits = p.log().clone().requires_grad_()
    kl_divergence(p, logits.softmax(-1)).backward()
    torch.testing.assert_close(logits.grad, torch.zeros(4, dtype=torch.float64))


# --- laws (hypothesis) ------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.integers(1, 8).flatmap(lambda q: st.tuples(_distributions(q), _distributions(q))))
def test_kl_is_non_negative_and_decomposes(pair):
    p, q = pair
    if p.numel() != q.numel():
        return
    kl = kl_divergence(p, q)
    assert kl >= -1e-12
    if torch.isfinite(kl):
        torch.testing.assert_close(kl, distribution_cross_entropy(p, q) - entropy(p),
                                   rtol=1e-9, atol=1e-12)
        # Pinsker: KL >= ||p - q||_1**2 / 2, so KL = 0 forces p = q
        assert kl >= 0.5 * (p - q).abs().sum() ** 2 - 1e-12


@settings(max_examples=300, deadline=None)
@given(_distributions())
def test_kl_of_p_with_itself_is_zero(p):
    assert kl_divergence(p, p).item() == 0.0
    torch.testing.assert_close(distribution_cross_entropy(p, p), entropy(p))


@settings(max_examples=300, deadline=None)
@given(_distributions())
def test_entropy_between_zero_and_log_q(p):
    h = entropy(p).item()
    assert -1e-12 <= h <= math.log(p.numel()) + 1e-12
    uniform = torch.full_like(p, 1 / p.numel())
    assert entropy(uniform).item() == pytest.approx(math.log(p.numel()), abs=1e-12)


# --- bad inputs -------------------------------------------------------------------------------

P = torch.tensor([0.25, 0.75])


def test_rejects_non_tensor():
    with pytest.raises(TypeError, match=r"^p must be a torch\.Tensor"):
        entropy([0.5, 0.5])
    with pytest.raises(TypeError, match=r"^q must be a torch\.Tensor"):
        kl_divergence(P, [0.5, 0.5])


def test_rejects_integer_dtype():
    with pytest.raises(TypeError, match=r"^p must be a floating-point tensor"):
        entropy(torch.tensor([0, 1]))
    with pytest.raises(TypeError, match=r"^q must be a floating-point tensor"):
        distribution_cross_entropy(P, torch.tensor([0, 1]))


def test_rejects_entries_outside_zero_one():
    with pytest.raises(ValueError, match=r"^p must hold probabilities in \[0, 1\], got -0\.5"):
        entropy(torch.tensor([0.5, -0.5, 1.0]))
    with pytest.raises(ValueError, match=r"^q must hold probabilities in \[0, 1\], got 1\.5"):
        kl_divergence(P, torch.tensor([1.5, -0.5]))


def test_rejects_not_summing_to_one():
    with pytest.raises(ValueError, match=r"^p must sum to 1 .*off by 0\.01"):
        entropy(torch.tensor([0.33, 0.33, 0.33]))
    with pytest.raises(ValueError, match=r"^q must sum to 1"):
        distribution_cross_entropy(P, torch.tensor([0.5, 0.6]))


def test_accepts_rounding_error_of_softmax():
    p = torch.randn(8, 1000, generator=torch.Generator().manual_seed(8)).softmax(-1)
    assert entropy(p).shape == (8,)


def test_rejects_non_finite_entries():
    with pytest.raises(ValueError, match=r"^p must have finite entries"):
        entropy(torch.tensor([math.nan, 1.0]))


def test_rejects_scalar_and_empty():
    with pytest.raises(ValueError, match=r"^p must hold distributions along its last dimension"):
        entropy(torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"^p must hold distributions along its last dimension"):
        entropy(torch.zeros(3, 0))


def test_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"^p and q must have the same shape"):
        kl_divergence(P, torch.tensor([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match=r"^p and q must have the same shape"):
        distribution_cross_entropy(P.expand(3, 2), P)


@pytest.mark.parametrize(("base", "match"), [
    (0, "be positive and finite"), (-2.0, "be positive"), (math.inf, "be positive and finite"),
    (1, "not be 1"), (1.0, "not be 1")])
def test_rejects_bad_base_value(base, match):
    with pytest.raises(ValueError, match=rf"^base must {match}"):
        entropy(P, base=base)


@pytest.mark.parametrize("base", ["2", True, torch.tensor(2.0)])
def test_rejects_bad_base_type(base):
    with pytest.raises(TypeError, match=r"^base must be a real number, got"):
        kl_divergence(P, P, base=base)


def test_accepts_numpy_bases():
    torch.testing.assert_close(entropy(P, base=np.int64(2)), entropy(P, base=2.0))

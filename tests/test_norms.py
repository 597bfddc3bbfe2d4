"""lesson_utils.norms against torch.linalg, on ordinary and extreme inputs."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lesson_utils import frobenius_norm, l1_norm, l2_norm


def _vectors(min_size=1, max_size=12, bound=1e3):
    """Hypothesis strategy: float64 vectors with entries in [-bound, bound]."""
    floats = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    return st.lists(floats, min_size=min_size, max_size=max_size).map(
        lambda v: torch.tensor(v, dtype=torch.float64))


# --- agreement with torch.linalg -------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(5,), (1,), (1, 7), (4, 6), (2, 3, 4)])
def test_vector_norms_match_torch(shape, dtype):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0), dtype=dtype)
    torch.testing.assert_close(l1_norm(x), torch.linalg.vector_norm(x, ord=1, dim=-1))
    torch.testing.assert_close(l2_norm(x), torch.linalg.vector_norm(x, ord=2, dim=-1))
    assert l2_norm(x).shape == shape[:-1]


def test_vector_norm_of_3_4_is_5_and_7():
    x = torch.tensor([3.0, -4.0])
    assert l2_norm(x).item() == 5.0 and l1_norm(x).item() == 7.0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(3, 4), (1, 1), (1, 9), (5, 2, 3)])
def test_frobenius_matches_torch(shape, dtype):
    X = torch.randn(shape, generator=torch.Generator().manual_seed(1), dtype=dtype)
    expected = torch.linalg.matrix_norm(X, ord="fro")
    torch.testing.assert_close(frobenius_norm(X), expected)
    if X.ndim == 2:
        torch.testing.assert_close(frobenius_norm(X), torch.linalg.norm(X))
        torch.testing.assert_close(frobenius_norm(X), torch.trace(X.T @ X).sqrt())


def test_frobenius_is_l2_of_singular_values():
    X = torch.randn(6, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    torch.testing.assert_close(frobenius_norm(X), l2_norm(torch.linalg.svdvals(X)))


@pytest.mark.parametrize("magnitude", [1e20, 1e30, 1e-25, 1e-30, 1e-40])
def test_l2_neither_overflows_nor_underflows_in_float32(magnitude):
    x = torch.tensor([3.0, 4.0]) * magnitude
    naive = x.square().sum().sqrt()  # squares overflow to inf or underflow to 0
    assert naive.item() in (0.0, math.inf)
    reference = torch.linalg.vector_norm(x.double()).float()  # float64 has the range
    torch.testing.assert_close(l2_norm(x), reference)
    torch.testing.assert_close(frobenius_norm(x.reshape(1, 2)), reference)


def test_frobenius_of_huge_matrix_in_float32():
    X = torch.full((3, 3), 1e30)
    torch.testing.assert_close(frobenius_norm(X), torch.linalg.matrix_norm(X.double()).float())
    assert math.isclose(frobenius_norm(X).item(), 3e30, rel_tol=1e-6)


def test_zero_empty_and_non_finite_vectors():
    assert l2_norm(torch.zeros(4)).item() == 0.0 and l1_norm(torch.zeros(4)).item() == 0.0
    assert l2_norm(torch.zeros(0)).item() == 0.0 == torch.linalg.vector_norm(torch.zeros(0))
    inf = torch.tensor([1.0, -math.inf])
    assert l2_norm(inf).item() == math.inf == torch.linalg.vector_norm(inf).item()
    assert math.isnan(l2_norm(torch.tensor([1.0, math.nan])).item())
    batch = torch.tensor([[0.0, 0.0], [3.0, 4.0], [math.inf, 0.0]])
    assert l2_norm(batch).tolist() == [0.0, 5.0, math.inf]


# --- gradients --------------------------------------------------------------------------------

def test_gradcheck():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(4, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    X = torch.randn(2, 3, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(l2_norm, (x,))
    assert torch.autograd.gradcheck(l1_norm, (x,))
    assert torch.autograd.gradcheck(frobenius_norm, (X,))


def test_gradients_match_torch_including_at_zero():
    x = torch.tensor([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    for ours, ord_ in ((l2_norm, 2), (l1_norm, 1)):
        a = x.clone().requires_grad_()
        b = x.clone().requires_grad_()
        ours(a).sum().backward()
        torch.linalg.vector_norm(b, ord=ord_, dim=-1).sum().backward()
        torch.testing.assert_close(a.grad, b.grad)
        assert torch.isfinite(a.grad).all()


# --- laws (hypothesis) ------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(_vectors(), st.floats(-100, 100, allow_nan=False))
def test_homogeneity(x, alpha):
    for norm in (l1_norm, l2_norm):
        torch.testing.assert_close(norm(alpha * x), abs(alpha) * norm(x),
                                   rtol=1e-12, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(lambda d: st.tuples(_vectors(d, d), _vectors(d, d))))
def test_triangle_inequality(pair):
    x, y = pair
    for norm in (l1_norm, l2_norm):
        assert norm(x + y) <= norm(x) + norm(y) + 1e-9


@settings(max_examples=200, deadline=None)
@given(_vectors())
def test_norm_chain(x):
    """||x||_inf <= ||x||_2 <= ||x||_1 <= sqrt(d) ||x||_2."""
    d = x.numel()
    l1, l2 = l1_norm(x), l2_norm(x)
    tol = 1e-9 * (1 + l1)
    assert x.abs().max() <= l2 + tol
    assert l2 <= l1 + tol
    assert l1 <= math.sqrt(d) * l2 + tol
    assert (l2 == 0) == (x == 0).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_frobenius_is_l2_of_flattened(m, n, data):
    entries = data.draw(_vectors(m * n, m * n))
    X = entries.reshape(m, n)
    torch.testing.assert_close(frobenius_norm(X), l2_norm(X.flatten()), rtol=1e-12, atol=0.0)


# --- bad inputs -------------------------------------------------------------------------------

@pytest.mark.parametrize("norm", [l1_norm, l2_norm])
def test_vector_norm_rejects_non_tensor(norm):
    with pytest.raises(TypeError, match=r"^x must be a torch\.Tensor"):
        norm([3.0, 4.0])


@pytest.mark.parametrize("norm", [l1_norm, l2_norm])
def test_vector_norm_rejects_integer_dtype(norm):
    with pytest.raises(TypeError, match=r"^x must be a floating-point tensor"):
        norm(torch.tensor([3, 4]))


@pytest.mark.parametrize("norm", [l1_norm, l2_norm])
def test_vector_norm_rejects_scalar(norm):
    with pytest.raises(ValueError, match=r"^x must have at least one dimension"):
        norm(torch.tensor(3.0))


def test_frobenius_rejects_non_tensor():
    with pytest.raises(TypeError, match=r"^X must be a torch\.Tensor"):
        frobenius_norm([[1.0, 2.0]])


def test_frobenius_rejects_integer_dtype():
    with pytest.raises(TypeError, match=r"^X must be a floating-point tensor"):
        frobenius_norm(torch.ones(2, 2, dtype=torch.int64))


@pytest.mark.parametrize("shape", [(), (4,)])
def test_frobenius_rejects_non_matrix(shape):
    with pytest.raises(ValueError, match=r"^X must be a matrix .*use l2_norm"):
        frobenius_norm(torch.ones(shape))

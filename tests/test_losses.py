"""lesson_utils.losses against F.mse_loss, F.l1_loss and F.huber_loss."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lesson_utils import absolute_loss, huber_loss, squared_loss

LOSSES = [squared_loss, absolute_loss, huber_loss]

pairs = st.integers(1, 20).flatmap(lambda n: st.tuples(
    arrays(np.float64, (n,), elements=st.floats(-1e3, 1e3)),
    arrays(np.float64, (n,), elements=st.floats(-1e3, 1e3))))


def predictions(dtype=torch.float32, shape=(4, 5), seed=0):
    g = torch.Generator().manual_seed(seed)
    y_hat = (torch.randn(shape, generator=g) * 3).to(dtype)
    return y_hat, torch.randn(shape, generator=g).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_squared_loss_is_half_mse(dtype):
    y_hat, y = predictions(dtype)
    torch.testing.assert_close(squared_loss(y_hat, y), F.mse_loss(y_hat, y, reduction="none") / 2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_absolute_loss_matches_l1_loss(dtype):
    y_hat, y = predictions(dtype)
    torch.testing.assert_close(absolute_loss(y_hat, y), F.l1_loss(y_hat, y, reduction="none"))


@pytest.mark.parametrize("delta", [0.1, 1.0, 2.5, 100.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_huber_loss_matches_torch(delta, dtype):
    y_hat, y = predictions(dtype)
    torch.testing.assert_close(huber_loss(y_hat, y, delta=delta),
                               F.huber_loss(y_hat, y, reduction="none", delta=delta))


@pytest.mark.parametrize("scale", [1e-8, 1e4, 1e15])
def test_losses_match_torch_on_extreme_errors(scale):
    y_hat = torch.tensor([scale, -scale, 0.0], dtype=torch.float64)
    y = torch.zeros(3, dtype=torch.float64)
    torch.testing.assert_close(squared_loss(y_hat, y), F.mse_loss(y_hat, y, reduction="none") / 2)
    torch.testing.assert_close(absolute_loss(y_hat, y), F.l1_loss(y_hat, y, reduction="none"))
    torch.testing.assert_close(huber_loss(y_hat, y), F.huber_loss(y_hat, y, reduction="none"))


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_keep_shape_scalar_and_batch_of_one(loss):
    for shape in [(), (1,), (3, 2, 2)]:
        y_hat, y = torch.ones(shape), torch.zeros(shape)
        assert loss(y_hat, y).shape == shape


def test_huber_is_squared_inside_delta_and_shifted_absolute_outside():
    e = torch.tensor([0.3, -0.9, 2.0, -7.0], dtype=torch.float64)
    zero = torch.zeros_like(e)
    out = huber_loss(e, zero, delta=1.0)
    torch.testing.assert_close(out[:2], squared_loss(e[:2], zero[:2]))
    torch.testing.assert_close(out[2:], absolute_loss(e[2:], zero[2:]) - 0.5)


@settings(max_examples=80, deadline=None)
@given(pairs)
def test_losses_are_non_negative_symmetric_and_zero_only_at_target(pair):
    y_hat, y = (torch.from_numpy(a) for a in pair)
    for loss in LOSSES:
        out = loss(y_hat, y)
        assert (out >= 0).all()
        torch.testing.assert_close(out, loss(y, y_hat))
        assert (loss(y, y) == 0).all()


@settings(max_examples=80, deadline=None)
@given(pairs, st.floats(0.01, 100.0))
def test_huber_lies_between_zero_and_both_other_losses(pair, delta):
    y_hat, y = (torch.from_numpy(a) for a in pair)
    h = huber_loss(y_hat, y, delta=delta)
    assert (h <= squared_loss(y_hat, y) + 1e-9).all()
    assert (h <= delta * absolute_loss(y_hat, y) + 1e-9).all()
    torch.testing.assert_close(h, F.huber_loss(y_hat, y, reduction="none", delta=delta))


@settings(max_examples=80, deadline=None)
@given(st.floats(0.01, 100.0), st.sampled_from([-1.0, 1.0]))
def test_huber_is_continuous_with_continuous_slope_at_delta(delta, sign):
    eps = 1e-7 * delta
    y_hat = torch.tensor([sign * (delta - eps), sign * delta, sign * (delta + eps)],
                         dtype=torch.float64, requires_grad=True)
    out = huber_loss(y_hat, torch.zeros(3, dtype=torch.float64), delta=delta)
    assert math.isclose(out[0].item(), out[2].item(), rel_tol=1e-5)
    assert math.isclose(out[1].item(), delta**2 / 2, rel_tol=1e-12)
    out.sum().backward()
    torch.testing.assert_close(y_hat.grad, torch.full((3,), sign * delta, dtype=torch.float64))


def test_gradients_are_error_sign_and_clipped_error():
    y_hat = torch.tensor([-3.0, -0.5, 0.25, 4.0], dtype=torch.float64, requires_grad=True)
    y = torch.zeros(4, dtype=torch.float64)
    expected = {
        squared_loss: y_hat.detach() - y,
        absolute_loss: torch.sign(y_hat.detach() - y),
        huber_loss: (y_hat.detach() - y).clamp(-1, 1),
    }
    for loss, grad in expected.items():
        (g,) = torch.autograd.grad(loss(y_hat, y).sum(), y_hat)
        torch.testing.assert_close(g, grad)


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_gradcheck(loss):
    # Away from the kinks at 0 (L1) and at +-delta (Huber).
    y_hat = torch.tensor([-3.0, -0.4, 0.3, 2.2], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.1, 0.2, -0.1, 0.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(loss, (y_hat, y))


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_reject_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"y_hat and y must have the same shape.*\(3,\).*\(3, 1\)"):
        loss(torch.zeros(3), torch.zeros(3, 1))


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_reject_non_tensor_prediction(loss):
    with pytest.raises(TypeError, match="y_hat must be a torch.Tensor"):
        loss([0.0, 1.0], torch.zeros(2))


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_reject_non_tensor_target(loss):
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        loss(torch.zeros(2), np.zeros(2))


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_reject_integer_tensors(loss):
    with pytest.raises(TypeError, match="y_hat must be a floating-point tensor"):
        loss(torch.tensor([1, 2]), torch.zeros(2))


@pytest.mark.parametrize("delta", [0.0, -1.0, float("nan"), float("inf")])
def test_huber_rejects_non_positive_delta(delta):
    with pytest.raises(ValueError, match="delta must be positive"):
        huber_loss(torch.zeros(2), torch.zeros(2), delta=delta)


def test_huber_accepts_numpy_and_int_delta():
    error = torch.tensor([0.5, 3.0])
    expected = F.huber_loss(error, torch.zeros(2), reduction="none", delta=2.0)
    for delta in (2, np.float32(2.0), np.int64(2)):
        torch.testing.assert_close(huber_loss(error, torch.zeros(2), delta=delta), expected)


@pytest.mark.parametrize("delta", ["1", None, True, torch.tensor(1.0)])
def test_huber_rejects_non_number_delta(delta):
    with pytest.raises(TypeError, match="delta must be a real number"):
        huber_loss(torch.zeros(2), torch.zeros(2), delta=delta)

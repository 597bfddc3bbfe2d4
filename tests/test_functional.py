"""lesson_utils.functional against PyTorch's own softmax, one-hot and cross-entropy."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lesson_utils import cross_entropy, log_softmax, one_hot, softmax, softmax_cross_entropy

# A batch of logits: 1..6 rows, 1..6 classes, moderate float64 values.
logit_batches = st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(-50, 50)))


def batch_with_labels(seed=0, n=5, q=4, dtype=torch.float32, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    O = (torch.randn(n, q, generator=g) * scale).to(dtype)
    y = torch.randint(0, q, (n,), generator=g)
    return O, y


EXTREME_LOGITS = [
    torch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]]),
    torch.tensor([[1000.0, 999.0, 998.0], [-1000.0, -999.0, -998.0]]),
    torch.tensor([[3.0]]),  # a single class
    torch.tensor([[0.5, -0.5, 2.0, 1.0]]),  # a batch of one
]


# --- softmax and log_softmax -----------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_softmax_matches_torch(dtype):
    O, _ = batch_with_labels(dtype=dtype)
    torch.testing.assert_close(softmax(O), torch.softmax(O, dim=-1))
    torch.testing.assert_close(softmax(O, dim=0), torch.softmax(O, dim=0))


@pytest.mark.parametrize("O", EXTREME_LOGITS)
def test_softmax_and_log_softmax_match_torch_on_extreme_logits(O):
    P, logP = softmax(O), log_softmax(O)
    assert torch.isfinite(P).all() and torch.isfinite(logP).all()
    torch.testing.assert_close(P, torch.softmax(O, dim=-1))
    torch.testing.assert_close(logP, F.log_softmax(O, dim=-1))


def test_single_class_softmax_is_one_and_log_softmax_zero():
    O = torch.randn(7, 1)
    torch.testing.assert_close(softmax(O), torch.ones(7, 1))
    torch.testing.assert_close(log_softmax(O), torch.zeros(7, 1))


def test_softmax_works_on_higher_dims():
    O = torch.randn(2, 3, 4, dtype=torch.float64)
    for dim in (0, 1, 2, -1):
        torch.testing.assert_close(softmax(O, dim=dim), torch.softmax(O, dim=dim))
        torch.testing.assert_close(log_softmax(O, dim=dim), F.log_softmax(O, dim=dim))


@pytest.mark.parametrize("dim", [2, -3, 1.5, "classes"])
@pytest.mark.parametrize("ours, theirs", [(softmax, torch.softmax), (log_softmax, F.log_softmax)])
def test_a_bad_dim_is_refused_as_pytorch_refuses_it(ours, theirs, dim):
    """PyTorch checks dim itself (IndexError out of range, TypeError not an int);
    the package leaves that check to it rather than write it a second time."""
    O = torch.randn(2, 3)
    with pytest.raises((IndexError, TypeError)) as expected:
        theirs(O, dim=dim)
    with pytest.raises(expected.type, match="[Dd]im"):
        ours(O, dim=dim)


@settings(max_examples=60, deadline=None)
@given(logit_batches)
def test_softmax_rows_are_distributions(array):
    P = softmax(torch.from_numpy(array))
    assert (P >= 0).all() and (P <= 1).all()
    torch.testing.assert_close(P.sum(dim=-1), torch.ones(P.shape[0], dtype=P.dtype))


@settings(max_examples=60, deadline=None)
@given(logit_batches, st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(array, c):
    O = torch.from_numpy(array)
    torch.testing.assert_close(softmax(O + c), softmax(O))
    torch.testing.assert_close(log_softmax(O + c), log_softmax(O))


@settings(max_examples=60, deadline=None)
@given(logit_batches)
def test_softmax_keeps_the_order_of_logits(array):
    O = torch.from_numpy(array)
    P = softmax(O)
    # o_i > o_j implies p_i >= p_j (p may tie only after rounding).
    bigger = O[:, :, None] > O[:, None, :]
    assert (P[:, :, None] >= P[:, None, :])[bigger].all()


@settings(max_examples=60, deadline=None)
@given(logit_batches)
def test_log_softmax_is_log_of_softmax(array):
    O = torch.from_numpy(array)
    torch.testing.assert_close(log_softmax(O), softmax(O).log())


def test_softmax_gradcheck():
    O = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(softmax, (O,))
    assert torch.autograd.gradcheck(log_softmax, (O,))


def test_softmax_rejects_non_tensor():
    with pytest.raises(TypeError, match="O must be a torch.Tensor"):
        softmax([[1.0, 2.0]])


def test_softmax_rejects_integer_tensor():
    with pytest.raises(TypeError, match="O must be a floating-point tensor"):
        log_softmax(torch.tensor([[1, 2]]))


# --- one_hot -----------------------------------------------------------------------

def test_one_hot_matches_torch():
    y = torch.tensor([0, 2, 1, 2, 4])
    expected = F.one_hot(y, 5).float()
    assert one_hot(y, 5).dtype == torch.float32
    torch.testing.assert_close(one_hot(y, 5), expected)


def test_one_hot_single_class_and_batch_of_one():
    torch.testing.assert_close(one_hot(torch.tensor([0, 0]), 1), torch.ones(2, 1))
    torch.testing.assert_close(one_hot(torch.tensor([3]), 4), torch.tensor([[0.0, 0, 0, 1]]))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10).flatmap(
    lambda q: st.tuples(st.just(q), st.lists(st.integers(0, q - 1), min_size=1, max_size=20))))
def test_one_hot_rows_sum_to_one_and_argmax_recovers_labels(case):
    q, labels = case
    y = torch.tensor(labels)
    Y = one_hot(y, q)
    assert Y.shape == (len(labels), q)
    torch.testing.assert_close(Y.sum(dim=1), torch.ones(len(labels)))
    assert torch.equal(Y.argmax(dim=1), y)
    torch.testing.assert_close(Y, F.one_hot(y, q).float())


def test_one_hot_rejects_num_classes_smaller_than_largest_label():
    with pytest.raises(ValueError, match="y holds class index 3, out of range for 3 classes"):
        one_hot(torch.tensor([0, 3]), 3)


def test_one_hot_rejects_non_positive_num_classes():
    with pytest.raises(ValueError, match="num_classes must be positive"):
        one_hot(torch.tensor([0]), 0)


def test_one_hot_rejects_non_int_num_classes():
    with pytest.raises(TypeError, match="num_classes must be an int"):
        one_hot(torch.tensor([0]), 2.0)


def test_one_hot_rejects_negative_labels():
    with pytest.raises(ValueError, match="y holds a negative class index"):
        one_hot(torch.tensor([0, -1]), 3)


def test_one_hot_rejects_float_labels():
    with pytest.raises(TypeError, match="y must hold integer class indices"):
        one_hot(torch.tensor([0.0, 1.0]), 3)


def test_one_hot_rejects_non_tensor():
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        one_hot([0, 1], 3)


# --- cross_entropy (from probabilities) and softmax_cross_entropy (from logits) ---

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cross_entropy_matches_torch(dtype):
    O, y = batch_with_labels(dtype=dtype)
    expected = F.cross_entropy(O, y, reduction="none")
    torch.testing.assert_close(cross_entropy(torch.softmax(O, -1), y), expected)
    torch.testing.assert_close(softmax_cross_entropy(O, y), expected)


def test_cross_entropy_of_very_small_probability():
    Y_hat = torch.tensor([[1 - 1e-30, 1e-30]], dtype=torch.float64)
    torch.testing.assert_close(cross_entropy(Y_hat, torch.tensor([1])),
                               torch.tensor([30 * np.log(10)], dtype=torch.float64))


def test_cross_entropy_from_probabilities_underflows_where_logits_do_not():
    O, y = torch.tensor([[0.0, -200.0]]), torch.tensor([1])
    assert torch.isinf(cross_entropy(torch.softmax(O, -1), y)).all()
    torch.testing.assert_close(softmax_cross_entropy(O, y), torch.tensor([200.0]))


@pytest.mark.parametrize("O", EXTREME_LOGITS)
def test_softmax_cross_entropy_matches_torch_on_extreme_logits(O):
    y = torch.zeros(O.shape[0], dtype=torch.int64)
    loss = softmax_cross_entropy(O, y)
    assert torch.isfinite(loss).all()
    torch.testing.assert_close(loss, F.cross_entropy(O, y, reduction="none"))


def test_softmax_cross_entropy_single_class_is_zero():
    O = torch.randn(4, 1)
    torch.testing.assert_close(softmax_cross_entropy(O, torch.zeros(4, dtype=torch.int64)),
                               torch.zeros(4))


@settings(max_examples=60, deadline=None)
@given(logit_batches, st.data())
def test_softmax_cross_entropy_matches_torch_property(array, data):
    O = torch.from_numpy(array)
    n, q = O.shape
    y = torch.tensor(data.draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)))
    loss = softmax_cross_entropy(O, y)
    assert (loss >= 0).all()
    torch.testing.assert_close(loss, F.cross_entropy(O, y, reduction="none"))


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot():
    O, y = batch_with_labels(dtype=torch.float64)
    O.requires_grad_(True)
    softmax_cross_entropy(O, y).sum().backward()
    torch.testing.assert_close(O.grad, torch.softmax(O.detach(), -1) - one_hot(y, 4).double())


def test_cross_entropy_gradcheck():
    O, y = batch_with_labels(n=3, q=4, dtype=torch.float64)
    O.requires_grad_(True)
    Y_hat = torch.softmax(O.detach(), -1).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda O: softmax_cross_entropy(O, y), (O,))
    assert torch.autograd.gradcheck(lambda P: cross_entropy(P, y), (Y_hat,))


def test_cross_entropy_takes_probabilities_and_rejects_logits():
    O, y = batch_with_labels()
    with pytest.raises(ValueError, match=r"^Y_hat must hold probabilities in \[0, 1\], got .*"
                                         "look like logits.*softmax_cross_entropy"):
        cross_entropy(O, y)
    with pytest.raises(ValueError, match="Y_hat must sum to 1 .*off by 0.5.*look like logits"):
        cross_entropy(torch.full((2, 3), 0.5), torch.tensor([0, 1]))  # in [0, 1], sums 1.5


def test_cross_entropy_accepts_rounding_and_passes_nan_through():
    O = 3 * torch.randn(8, 1000, generator=torch.Generator().manual_seed(0))
    y = torch.zeros(8, dtype=torch.int64)
    torch.testing.assert_close(cross_entropy(torch.softmax(O, -1), y),
                               F.cross_entropy(O, y, reduction="none"), rtol=1e-4, atol=1e-4)
    # a diverged model: the loss says NaN, and train() stops with FloatingPointError
    assert cross_entropy(torch.tensor([[float("nan"), 0.5]]), torch.tensor([0])).isnan().all()


def test_one_hot_accepts_numpy_num_classes():
    torch.testing.assert_close(one_hot(torch.tensor([1]), np.int64(2)), torch.tensor([[0.0, 1.0]]))


def test_cross_entropy_rejects_label_out_of_range():
    with pytest.raises(ValueError, match="y holds class index 3, out of range for 3 classes"):
        cross_entropy(torch.full((2, 3), 1 / 3), torch.tensor([0, 3]))


def test_cross_entropy_rejects_negative_label():
    with pytest.raises(ValueError, match="y holds a negative class index"):
        softmax_cross_entropy(torch.zeros(2, 3), torch.tensor([0, -1]))


def test_cross_entropy_rejects_float_labels():
    with pytest.raises(TypeError, match="y must hold integer class indices"):
        softmax_cross_entropy(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))


def test_cross_entropy_rejects_label_count_mismatch():
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        cross_entropy(torch.full((2, 3), 1 / 3), torch.tensor([0, 1, 2]))


def test_cross_entropy_rejects_1d_probabilities():
    with pytest.raises(ValueError, match=r"Y_hat must be a batch of shape \(n, q\)"):
        cross_entropy(torch.tensor([0.2, 0.8]), torch.tensor([1]))


def test_softmax_cross_entropy_rejects_1d_logits():
    with pytest.raises(ValueError, match=r"O must be a batch of shape \(n, q\)"):
        softmax_cross_entropy(torch.tensor([0.2, 0.8]), torch.tensor([1]))


def test_cross_entropy_rejects_non_tensor():
    with pytest.raises(TypeError, match="Y_hat must be a torch.Tensor"):
        cross_entropy([[0.5, 0.5]], torch.tensor([0]))
    with pytest.raises(TypeError, match="y must be a torch.Tensor"):
        softmax_cross_entropy(torch.zeros(1, 2), [0])

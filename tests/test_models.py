"""Tests of lesson_utils.models: the two models against nn.Linear + softmax, and the recipe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lesson_utils import (
    SoftmaxRegressionScratch,
    recipe,
    seed_everything,
    softmax_regression,
)


def test_scratch_model_matches_nn_linear_and_softmax():
    seed_everything(0)
    model = SoftmaxRegressionScratch()
    assert model.W.shape == (784, 10) and model.b.shape == (10,)
    assert model.W.std().item() == pytest.approx(0.01, rel=0.05)
    assert torch.equal(model.b, torch.zeros(10))
    linear = nn.Linear(784, 10)
    with torch.no_grad():
        linear.weight.copy_(model.W.T)
        linear.bias.copy_(model.b)
    X = torch.rand(7, 1, 28, 28)
    torch.testing.assert_close(model(X), F.softmax(linear(X.flatten(1)), dim=1))


def test_scratch_model_on_extreme_inputs_matches_torch():
    model = SoftmaxRegressionScratch(4, 3, sigma=1.0)
    X = torch.tensor([[1e4, -1e4, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    expected = F.softmax(X @ model.W.detach() + model.b.detach(), dim=1)
    torch.testing.assert_close(model(X).detach(), expected)
    assert torch.isfinite(model(X)).all()


def test_concise_model_outputs_logits_of_flattened_images():
    seed_everything(0)
    net = softmax_regression()
    X = torch.rand(7, 1, 28, 28)
    W, b = net[1].weight.detach(), net[1].bias.detach()
    torch.testing.assert_close(net(X).detach(), X.reshape(7, 784) @ W.T + b)  # no softmax
    assert W.shape == (10, 784)
    assert net[1].weight.std().item() == pytest.approx(0.01, rel=0.05)
    assert sum(p.numel() for p in net.parameters()) == 7850


def test_models_are_built_where_the_caller_says_not_where_lesson_device_says(monkeypatch):
    monkeypatch.setenv("LESSON_DEVICE", "cuda")  # default_device() would raise here
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for impl in ("scratch", "concise"):
        net, _, _ = recipe(impl)
        params = net.params if impl == "scratch" else list(net.parameters())
        assert {p.device.type for p in params} == {"cpu"}
    assert SoftmaxRegressionScratch().W.device.type == "cpu"
    assert softmax_regression()[1].weight.device.type == "cpu"


@pytest.mark.parametrize("sigma", [0.1, 0.003])
def test_models_draw_their_weights_with_the_given_sigma(sigma):
    seed_everything(0)
    assert SoftmaxRegressionScratch(sigma=sigma).W.std().item() == pytest.approx(sigma, rel=0.05)
    weight = softmax_regression(sigma=sigma)[1].weight
    assert weight.std().item() == pytest.approx(sigma, rel=0.05)


def test_models_and_recipes_are_built_on_the_device_asked_for():
    """PyTorch's meta device (shapes only, no data) stands in for a GPU."""
    for impl in ("scratch", "concise"):
        net, _, _ = recipe(impl, device="meta")
        params = net.params if impl == "scratch" else list(net.parameters())
        assert {p.device.type for p in params} == {"meta"}
        assert all(p.requires_grad for p in params)
    assert {p.device.type for p in SoftmaxRegressionScratch(device="meta").params} == {"meta"}
    assert softmax_regression(device="meta")[1].weight.device.type == "meta"


def test_scratch_weights_come_from_the_cpu_generator_whatever_the_device():
    """W is drawn on the CPU and then moved, so every device starts from the same numbers:
    the draw uses (and advances) the global CPU generator even for another device."""
    after = []
    for device in ("cpu", "meta"):
        seed_everything(0)
        SoftmaxRegressionScratch(device=device)
        after.append(torch.rand(3))
    torch.testing.assert_close(after[0], after[1], rtol=0, atol=0)
    if torch.cuda.is_available():
        seed_everything(0)
        on_gpu = SoftmaxRegressionScratch(device="cuda").W.cpu()
        seed_everything(0)
        torch.testing.assert_close(on_gpu, SoftmaxRegressionScratch().W, rtol=0, atol=0)


def test_recipe_scratch_is_chapter_8s_and_steps_with_its_lr():
    seed_everything(0)
    model, loss, updater = recipe("scratch", lr=0.5)
    X, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    logits = X.reshape(4, 784) @ model.W.detach() + model.b.detach()
    torch.testing.assert_close(loss(model(X), y).detach(),  # per example, from probabilities
                               F.cross_entropy(logits, y, reduction="none"))
    W_before = model.W.detach().clone()
    loss(model(X), y).sum().backward()
    expected = W_before - 0.5 * model.W.grad / 4
    updater(4)
    torch.testing.assert_close(model.W.detach(), expected)


def test_recipe_concise_is_chapter_9s_and_steps_with_its_lr():
    seed_everything(0)
    net, loss, updater = recipe("concise", lr=np.float32(0.25))
    X, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    l = loss(net(X), y)
    torch.testing.assert_close(l, F.cross_entropy(net(X), y, reduction="none"))  # per example
    l.mean().backward()
    expected = [p.detach() - 0.25 * p.grad for p in net.parameters()]
    updater.step()
    for param, after in zip(net.parameters(), expected, strict=True):
        torch.testing.assert_close(param.detach(), after)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_inputs": 0}, ValueError, "num_inputs must be positive, got 0"),
        ({"num_outputs": -1}, ValueError, "num_outputs must be positive"),
        ({"num_outputs": 2.0}, TypeError, "num_outputs must be an int, got float"),
        ({"sigma": 0}, ValueError, "sigma must be positive and finite, got 0"),
        ({"sigma": float("inf")}, ValueError, "sigma must be positive and finite"),
        ({"sigma": "0.01"}, TypeError, "sigma must be a real number, got str"),
    ],
)
def test_models_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        SoftmaxRegressionScratch(**kwargs)
    with pytest.raises(error, match=match):
        softmax_regression(**kwargs)


@pytest.mark.parametrize(
    ("impl", "kwargs", "error", "match"),
    [
        ("numpy", {}, ValueError, "impl must be 'scratch' or 'concise', got 'numpy'"),
        (3, {}, ValueError, "impl must be 'scratch' or 'concise', got 3"),
        ("scratch", {"lr": 0}, ValueError, "lr must be positive"),
        ("concise", {"lr": "0.1"}, TypeError, "lr must be a real number"),
    ],
)
def test_recipe_bad_input(impl, kwargs, error, match):
    with pytest.raises(error, match=match):
        recipe(impl, **kwargs)

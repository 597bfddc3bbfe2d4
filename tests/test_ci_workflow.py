"""The GitHub Actions workflow cannot run here; this checks that it parses and
keeps the promises README makes about it (CPU and GPU jobs, caches, Pages)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> dict[str, dict]:
    return {step["uses"].split("@")[0]: step.get("with", {}) for step in job["steps"] if "uses" in step}


def test_cpu_job_runs_make_test_with_the_data_and_caches():
    job = _workflow()["jobs"]["test-cpu"]
    assert job["runs-on"] == "ubuntu-latest"
    assert job["env"]["CI"] == "true"
    assert "make test" in _runs(job)
    assert "dataset-fashion-mnist" in _runs(job)
    uses = _uses(job)
    assert uses["actions/setup-python"]["python-version"] == "3.11"
    assert uses["actions/setup-python"]["cache"] == "pip"
    assert uses["actions/cache"]["path"] == "_build/.jupyter_cache"
    assert uses["actions/upload-pages-artifact"]["path"] == "_build/html"


def test_gpu_job_is_guarded_and_uses_cuda():
    job = _workflow()["jobs"]["test-gpu"]
    assert job["runs-on"] == ["self-hosted", "gpu"]
    assert "vars.HAS_GPU_RUNNER == 'true'" in job["if"]
    assert job["env"]["LESSON_DEVICE"] == "cuda"
    assert "make test" in _runs(job)
    assert _uses(job)["actions/cache"]["path"] == "_build/.jupyter_cache"


def test_pages_are_deployed_from_main_only_after_the_tests():
    workflow = _workflow()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test-cpu"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "actions/deploy-pages" in _uses(deploy)
    assert workflow["permissions"] == {"contents": "read"}  # least privilege elsewhere
    # PyYAML reads the key `on` as True
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers

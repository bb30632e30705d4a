"""ModelRegistry: versions on disk, hash-checked loads, reproducible probabilities."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

import scoreline
from scoreline.errors import DataError, ModelError, NotFoundError
from scoreline.models import registry as registry_module
from scoreline.models.boosting import BoostedClassifier
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.models.registry import ModelArtifact, ModelRegistry, git_commit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

VERSION = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{12}")


def training_data(seed: int = 0) -> tuple[FloatArray, IntArray]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(600, 5))
    latent = features[:, 0] - 0.5 * features[:, 1] + rng.logistic(size=600)
    return features, np.where(latent > 0.4, 0, np.where(latent < -0.8, 2, 1)).astype(np.int64)


def artifact(estimators: dict[str, object] | None = None, **changes: object) -> ModelArtifact:
    fields: dict[str, object] = {
        "name": "xgb-test",
        "params": {"n_estimators": np.int64(20), "learning_rate": 0.1, "note": float("nan")},
        "feature_names": [f"f{i}" for i in range(5)],
        "trained_from": dt.date(2019, 8, 9),
        "trained_to": dt.date(2024, 5, 19),
        "seed": 11,
        "estimators": {"boosting": "a placeholder"} if estimators is None else estimators,
        "metrics": {"log_loss": np.float64(0.98), "rps": 0.2},
    }
    fields.update(changes)
    return ModelArtifact(**fields)  # type: ignore[arg-type]


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "models")


def test_same_seed_and_data_give_identical_probabilities_after_save_and_load(
    registry: ModelRegistry,
) -> None:
    features, y = training_data()
    model = BoostedClassifier(n_estimators=20, random_state=11).fit(features, y)
    calibrator = IsotonicCalibrator().fit(model.predict_proba(features), y)
    version = registry.save(
        artifact(
            {"boosting": model, "calibrator": calibrator},
            calibration=calibrator.calibration_report(),
        )
    )
    loaded = registry.load("xgb-test", version)
    refit = BoostedClassifier(n_estimators=20, random_state=11).fit(features, y)
    np.testing.assert_array_equal(
        loaded.estimators["boosting"].predict_proba(features), refit.predict_proba(features)
    )
    np.testing.assert_array_equal(
        loaded.estimators["calibrator"].predict_proba(refit.predict_proba(features)),
        calibrator.predict_proba(model.predict_proba(features)),
    )
    assert loaded.calibration["ece_after"] == calibrator.ece_after_


def test_save_writes_a_versioned_folder_with_readable_metadata(registry: ModelRegistry) -> None:
    version = registry.save(artifact())
    assert VERSION.fullmatch(version)
    folder = registry.root / "xgb-test" / version
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "model.pkl"]
    stored = json.loads((folder / "metadata.json").read_text())
    assert stored["version"] == version
    assert stored["trained_from"] == "2019-08-09"
    assert stored["params"] == {"n_estimators": 20, "learning_rate": 0.1, "note": None}
    assert stored["code_version"] == scoreline.__version__
    assert stored["estimators"] == {"boosting": "builtins.str"}
    assert version.endswith(stored["content_sha256"][:12])
    assert not [p for p in (registry.root / "xgb-test").iterdir() if p.name.startswith(".")]


def test_loaded_artifact_carries_what_save_stamped(registry: ModelRegistry) -> None:
    before = dt.datetime.now(dt.UTC)
    version = registry.save(artifact())
    loaded = registry.load("xgb-test", version)
    assert loaded.version == version
    assert loaded.created_at is not None
    assert before <= loaded.created_at <= dt.datetime.now(dt.UTC)
    assert loaded.metadata() == {
        k: v
        for k, v in registry.metadata("xgb-test", version).items()
        if k not in {"content_sha256", "format"}
    }


def test_versions_are_listed_oldest_first_and_latest_is_the_newest(registry: ModelRegistry) -> None:
    first = registry.save(artifact(seed=1))
    second = registry.save(artifact(seed=2))
    assert registry.versions("xgb-test") == [first, second]
    assert registry.latest("xgb-test").seed == 2
    assert registry.versions("never-saved") == []


def test_concurrent_saves_get_distinct_versions(registry: ModelRegistry) -> None:
    versions: list[str] = []
    threads = [
        threading.Thread(target=lambda s=s: versions.append(registry.save(artifact(seed=s))))
        for s in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(versions) == registry.versions("xgb-test")
    assert len(set(versions)) == 4


def test_a_corrupted_model_file_is_refused(registry: ModelRegistry) -> None:
    version = registry.save(artifact())
    path = registry.root / "xgb-test" / version / "model.pkl"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(ModelError, match="does not match its recorded SHA-256"):
        registry.load("xgb-test", version)


def test_unknown_versions_and_names_say_what_exists(registry: ModelRegistry) -> None:
    version = registry.save(artifact())
    missing = version[:-1] + ("0" if version[-1] != "0" else "1")
    with pytest.raises(NotFoundError, match=f"versions: {version}"):
        registry.load("xgb-test", missing)
    with pytest.raises(NotFoundError, match="no model named 'other'"):
        registry.latest("other")
    with pytest.raises(NotFoundError, match="not a model version"):
        registry.load("xgb-test", "../../etc")


def test_an_unpicklable_estimator_leaves_nothing_behind(registry: ModelRegistry) -> None:
    with pytest.raises(ModelError, match="cannot be pickled"):
        registry.save(artifact({"boosting": lambda x: x}))
    assert registry.versions("xgb-test") == []


def test_metadata_that_is_not_json_is_refused_before_writing(registry: ModelRegistry) -> None:
    with pytest.raises(DataError, match="cannot be stored as JSON"):
        registry.save(artifact(metrics={"when": object()}))
    assert not (registry.root / "xgb-test").exists()


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden", "x" * 61])
def test_names_must_be_safe_folder_names(name: str) -> None:
    with pytest.raises(DataError, match="model name"):
        artifact(name=name)


def test_the_training_window_must_run_forward() -> None:
    with pytest.raises(DataError, match="starts 2024-05-19 after it ends 2019-08-09"):
        artifact(trained_from=dt.date(2024, 5, 19), trained_to=dt.date(2019, 8, 9))


def test_git_commit_is_none_without_git(monkeypatch: pytest.MonkeyPatch) -> None:
    git_commit.cache_clear()
    monkeypatch.setenv("PATH", "")
    try:
        assert registry_module.git_commit() is None
    finally:
        git_commit.cache_clear()


def test_git_commit_is_a_hash_or_none() -> None:
    commit = git_commit()
    assert commit is None or re.fullmatch(r"[0-9a-f]{40,64}", commit)

"""Fitted models on disk, one folder per version, with human-readable metadata.

::

    <root>/<name>/<version>/model.pkl       the pickled ModelArtifact (estimators included)
    <root>/<name>/<version>/metadata.json   the same metadata as artifact.metadata(), plus
                                            the SHA-256 of model.pkl

A version is ``<UTC time to the microsecond>Z-<first 12 hex of the SHA-256>``,
so versions sort by save time. A version is written to a hidden temporary
folder and renamed into place, so a reader never sees half of one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import numpy as np

import scoreline
from scoreline.errors import ConflictError, DataError, ModelError, NotFoundError

__all__ = ["ModelArtifact", "ModelRegistry", "git_commit"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")
_VERSION = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{12}")
_MODEL_FILE, _METADATA_FILE = "model.pkl", "metadata.json"
_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class ModelArtifact:
    """A fitted model and what is needed to trust, reproduce and audit it.

    Attributes
    ----------
    name : str
        Model family, such as ``"dixon-coles"`` or ``"xgb-blend"``; letters,
        digits, ``.``, ``_`` and ``-``, at most 60 characters.
    params : dict
        Hyperparameters, JSON-serialisable (numpy scalars are converted).
    feature_names : list of str
        Input columns, in order.
    trained_from, trained_to : datetime.date
        First and last match date of the training window.
    seed : int
        Random seed the estimators were fitted with.
    estimators : dict of str to object
        The fitted objects, by role (``{"boosting": ..., "calibrator": ...}``).
    calibration : dict
        Reliability tables and ECEs as plain data, for example
        ``IsotonicCalibrator.calibration_report()``.
    metrics : dict
        Scores such as log loss and RPS, JSON-serialisable.
    version, created_at, code_version, git_commit
        Set by ``ModelRegistry.save``; ``code_version`` is ``scoreline.__version__``
        and ``git_commit`` the repository's HEAD when the package runs from a
        git checkout, else None.
    """

    name: str
    params: dict[str, Any]
    feature_names: list[str]
    trained_from: dt.date
    trained_to: dt.date
    seed: int
    estimators: dict[str, Any]
    calibration: dict[str, Any] = dataclasses.field(default_factory=dict)
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)
    version: str | None = None
    created_at: dt.datetime | None = None
    code_version: str | None = None
    git_commit: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.trained_from > self.trained_to:
            raise DataError(
                f"model {self.name!r}: training window starts {self.trained_from} "
                f"after it ends {self.trained_to}"
            )

    def metadata(self) -> dict[str, Any]:
        """Everything but the estimators, as JSON-ready data (keys follow model_versions)."""
        return {
            "name": self.name,
            "version": self.version,
            "created_at": None if self.created_at is None else self.created_at.isoformat(),
            "trained_from": self.trained_from.isoformat(),
            "trained_to": self.trained_to.isoformat(),
            "params": _plain(self.params),
            "feature_names": [str(f) for f in self.feature_names],
            "seed": int(self.seed),
            "calibration": _plain(self.calibration),
            "metrics": _plain(self.metrics),
            "code_version": self.code_version,
            "git_commit": self.git_commit,
            "estimators": {
                role: f"{type(obj).__module__}.{type(obj).__qualname__}"
                for role, obj in self.estimators.items()
            },
        }


class ModelRegistry:
    """Versioned model artifacts under one root folder.

    Loading unpickles ``model.pkl``, which can run code: only open registries
    you wrote. The stored SHA-256 catches corruption and partial copies.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ModelRegistry(root={str(self.root)!r})"

    def save(self, artifact: ModelArtifact) -> str:
        """Write a new version of ``artifact.name`` and return its version string.

        ``version``, ``created_at``, ``code_version`` and ``git_commit`` are
        stamped here (the last two only when not already set).

        Raises
        ------
        ModelError
            An estimator that cannot be pickled.
        DataError
            Params, calibration or metrics that are not JSON data.
        ConflictError
            The version folder appeared meanwhile with other content.
        """
        now = dt.datetime.now(dt.UTC)
        stamped = dataclasses.replace(
            artifact,
            version=None,
            created_at=now,
            code_version=artifact.code_version or scoreline.__version__,
            git_commit=artifact.git_commit or git_commit(),
        )
        try:
            blob = pickle.dumps(stamped, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise ModelError(f"model {artifact.name!r} cannot be pickled: {exc}") from exc
        digest = hashlib.sha256(blob).hexdigest()
        version = f"{now:%Y%m%dT%H%M%S%f}Z-{digest[:12]}"
        metadata = dataclasses.replace(stamped, version=version).metadata()
        metadata.update(content_sha256=digest, format=_FORMAT)
        family = self.root / artifact.name
        family.mkdir(parents=True, exist_ok=True)
        staging = family / f".tmp-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            _write(staging / _MODEL_FILE, blob)
            text = json.dumps(metadata, indent=2, sort_keys=True, allow_nan=False)
            _write(staging / _METADATA_FILE, text.encode() + b"\n")
            try:
                staging.rename(family / version)
            except OSError as exc:
                if self._digest(artifact.name, version) == digest:
                    return version
                raise ConflictError(
                    f"model {artifact.name!r} version {version} already exists with other "
                    "content; save again"
                ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        logger.info("saved model %s version %s (%d bytes)", artifact.name, version, len(blob))
        return version

    def load(self, name: str, version: str) -> ModelArtifact:
        """The artifact saved as ``version`` of ``name``, after checking its hash.

        Raises
        ------
        NotFoundError
            No such model or version (the versions on disk are listed).
        ModelError
            Files missing or not matching their recorded hash, or an unpicklable
            model (for example one saved by an incompatible library version).
        """
        folder = self.path(name, version)
        if not folder.is_dir():
            known = self.versions(name)
            raise NotFoundError(
                f"model {name!r} has no version {version!r} under {self.root}; "
                + (f"versions: {', '.join(known[-5:])}" if known else "none saved yet")
            )
        try:
            metadata = json.loads((folder / _METADATA_FILE).read_text())
            blob = (folder / _MODEL_FILE).read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelError(f"model {name!r} version {version} is unreadable: {exc}") from exc
        digest = hashlib.sha256(blob).hexdigest()
        if digest != metadata.get("content_sha256") or not version.endswith(digest[:12]):
            raise ModelError(
                f"model {name!r} version {version}: {_MODEL_FILE} does not match its recorded "
                "SHA-256 (corrupt or altered); refit or restore it from a backup"
            )
        try:
            artifact = pickle.loads(blob)
        except Exception as exc:
            raise ModelError(
                f"model {name!r} version {version} cannot be unpickled with the installed "
                f"libraries: {exc}"
            ) from exc
        if not isinstance(artifact, ModelArtifact):
            raise ModelError(f"model {name!r} version {version} does not hold a ModelArtifact")
        return dataclasses.replace(artifact, version=version)

    def versions(self, name: str) -> list[str]:
        """Saved versions of ``name``, oldest first; empty when there are none."""
        family = self.root / _check_name(name)
        if not family.is_dir():
            return []
        return sorted(
            entry.name
            for entry in family.iterdir()
            if _VERSION.fullmatch(entry.name) and (entry / _METADATA_FILE).is_file()
        )

    def latest(self, name: str) -> ModelArtifact:
        """The most recently saved version of ``name``.

        Raises
        ------
        NotFoundError
            Nothing saved under that name yet.
        """
        known = self.versions(name)
        if not known:
            raise NotFoundError(f"no model named {name!r} saved under {self.root}")
        return self.load(name, known[-1])

    def metadata(self, name: str, version: str) -> dict[str, Any]:
        """The stored metadata.json of a version, without unpickling the model."""
        path = self.path(name, version) / _METADATA_FILE
        if not path.is_file():
            raise NotFoundError(f"model {name!r} has no version {version!r} under {self.root}")
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def path(self, name: str, version: str) -> Path:
        """The folder of a version (it may not exist)."""
        if not _VERSION.fullmatch(version):
            raise NotFoundError(
                f"{version!r} is not a model version (expected like 20250101T120000000000Z-"
                "0123456789ab)"
            )
        return self.root / _check_name(name) / version

    def _digest(self, name: str, version: str) -> str | None:
        try:
            digest = self.metadata(name, version).get("content_sha256")
        except (NotFoundError, OSError, ValueError):
            return None
        return digest if isinstance(digest, str) else None


@functools.cache
def git_commit() -> str | None:
    """HEAD of the git checkout the package runs from, or None (no git, or installed)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(scoreline.__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if re.fullmatch(r"[0-9a-f]{40,64}", commit) else None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise DataError(
            f"model name {name!r} must be 1 to 60 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _plain(value: Any) -> Any:
    """Numpy scalars and arrays, dates, tuples and NaN made JSON-ready (NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise DataError(f"{value!r} ({type(value).__name__}) cannot be stored as JSON metadata")

"""The node's YAML configuration: site, receiver endpoint, CURVE keys, buffer, sensors.

Example (hal/examples/belt1-sim.yaml)::

    site_id: CNQDG-T1
    node_id: belt1
    endpoint: tcp://detection.example:5700
    curve: {secret_key_file: keys/belt1.key_secret, server_public_key_file: keys/detection.key}
    buffer: {frames_per_sensor: 2000, max_mb_per_sensor: 256, window: 256}
    heartbeat_s: 1.0
    ack_timeout_s: 1.0
    scenario: scenario.yaml          # simulators only; a path or an inline mapping
    sensors:
      - {id: nir-1, kind: nir, backend: sim, seed: 1, settings: {rate_hz: 300}}
      - {id: cam-1, kind: camera, backend: tcp, address: 10.0.0.5:5800,
         describe: {pixel_size_mm: 2.0, belt_speed_m_s: 1.5}}
      - {id: rpm-1, kind: rpm, backend: sim, describe: {dead_channels: [GS3, GS4]}}

``describe`` states what the site knows of the installed instrument beyond what its backend
reports: channels out of service, the pixel size on the belt, the belt speed. It goes into
every frame's description, which the detectors read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from merak.core.errors import ConfigError
from merak.hal._curve import CurveClient
from merak.hal._device import Description, Kind
from merak.hal._errors import FrameFormatError
from merak.hal._wire import with_dead_channels

BACKENDS = ("sim", "tcp")


@dataclass(frozen=True)
class SensorConfig:
    """One instrument on the node."""

    id: str
    kind: Kind
    backend: str
    belt_id: str = ""
    # Device settings applied with Device.configure (validated by the kind's backend).
    settings: Mapping[str, Any] = field(default_factory=dict)
    # Backend construction parameters: seed/clock/points/height... (sim), address (tcp).
    params: Mapping[str, Any] = field(default_factory=dict)
    # What the site states of the instrument: dead_channels, pixel_size_mm, belt_speed_m_s.
    describe: Mapping[str, Any] = field(default_factory=dict)

    def described(self, desc: Description) -> Description:
        """The backend's description with what this configuration states added to it."""
        dead = list(self.describe.get("dead_channels", ()))
        if dead:
            try:
                desc = with_dead_channels(desc, dead)
            except FrameFormatError as exc:
                raise ConfigError(f"sensors.{self.id}.describe.dead_channels", str(exc)) from exc
        return replace(
            desc,
            pixel_size_mm=float(self.describe.get("pixel_size_mm", desc.pixel_size_mm)),
            belt_speed_m_s=float(self.describe.get("belt_speed_m_s", desc.belt_speed_m_s)),
        )


@dataclass(frozen=True)
class NodeConfig:
    """Everything a HAL node process reads at start."""

    site_id: str
    endpoint: str
    sensors: tuple[SensorConfig, ...]
    node_id: str = ""
    curve: CurveClient | None = None
    frames_per_sensor: int = 2000
    max_mb_per_sensor: float = 256.0
    window: int = 256
    heartbeat_s: float = 1.0
    ack_timeout_s: float = 1.0
    # Simulators only: a scenario file path (relative to the config) or an inline mapping.
    scenario: str | Mapping[str, Any] | None = None
    base_dir: str = "."


_TOP = {
    "site_id",
    "node_id",
    "endpoint",
    "curve",
    "buffer",
    "heartbeat_s",
    "ack_timeout_s",
    "scenario",
    "sensors",
}
_SENSOR = {"id", "kind", "backend", "belt_id", "settings", "seed", "address", "params", "describe"}
_DESCRIBE_NUMBERS = ("pixel_size_mm", "belt_speed_m_s")


def _expect(cond: bool, path: str, problem: str) -> None:
    if not cond:
        raise ConfigError(path, problem)


def _number(data: Mapping[str, Any], key: str, default: float, path: str, lo: float) -> float:
    value = data.get(key, default)
    _expect(
        isinstance(value, int | float) and not isinstance(value, bool),
        f"{path}{key}",
        f"expected a number, got {value!r}",
    )
    _expect(value >= lo, f"{path}{key}", f"expected >= {lo:g}, got {value!r}")
    return float(value)


def _describe(raw: Any, path: str) -> dict[str, Any]:
    """The ``describe`` mapping of a sensor, checked."""
    if raw is None:
        return {}
    _expect(isinstance(raw, Mapping), path, "expected a mapping")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "dead_channels":
            _expect(
                isinstance(value, list) and all(isinstance(v, str) and v for v in value),
                f"{path}.dead_channels",
                f"expected a list of channel names, got {value!r}",
            )
            out[key] = tuple(value)
        elif key in _DESCRIBE_NUMBERS:
            _expect(
                isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
                f"{path}.{key}",
                f"expected a positive number, got {value!r}",
            )
            out[key] = float(value)
        else:
            _expect(
                False,
                f"{path}.{key}",
                f"unknown key (expected one of: dead_channels, {', '.join(_DESCRIBE_NUMBERS)})",
            )
    return out


def node_config_from_dict(data: Mapping[str, Any], base_dir: str | Path = ".") -> NodeConfig:
    """Validate parsed YAML into a NodeConfig; errors name the offending key."""
    _expect(isinstance(data, Mapping), "", "expected a mapping at the top level")
    for key in data:
        _expect(key in _TOP, str(key), f"unknown key (expected one of: {', '.join(sorted(_TOP))})")
    site = data.get("site_id")
    if not isinstance(site, str) or not site:
        raise ConfigError("site_id", f"expected a non-empty string, got {site!r}")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or "://" not in endpoint:
        raise ConfigError(
            "endpoint", f"expected a ZeroMQ endpoint like tcp://host:port, got {endpoint!r}"
        )
    base = Path(base_dir)
    curve = None
    if data.get("curve") is not None:
        c = data["curve"]
        _expect(isinstance(c, Mapping), "curve", "expected a mapping")
        for key in ("secret_key_file", "server_public_key_file"):
            _expect(isinstance(c.get(key), str), f"curve.{key}", "expected a file path")
            _expect((base / c[key]).is_file(), f"curve.{key}", f"no such file: {base / c[key]}")
        curve = CurveClient(
            str(base / c["secret_key_file"]), str(base / c["server_public_key_file"])
        )
    buf = data.get("buffer") or {}
    _expect(isinstance(buf, Mapping), "buffer", "expected a mapping")
    for key in buf:
        _expect(
            key in ("frames_per_sensor", "max_mb_per_sensor", "window"),
            f"buffer.{key}",
            "unknown key (expected frames_per_sensor, max_mb_per_sensor, window)",
        )
    sensors_raw = data.get("sensors")
    if not isinstance(sensors_raw, list) or not sensors_raw:
        raise ConfigError("sensors", "expected a non-empty list")
    sensors = []
    seen: set[str] = set()
    for i, raw in enumerate(sensors_raw):
        p = f"sensors[{i}]"
        _expect(isinstance(raw, Mapping), p, "expected a mapping")
        for key in raw:
            _expect(
                key in _SENSOR,
                f"{p}.{key}",
                f"unknown key (expected one of: {', '.join(sorted(_SENSOR))})",
            )
        sid = raw.get("id")
        _expect(
            isinstance(sid, str) and bool(sid),
            f"{p}.id",
            f"expected a non-empty string, got {sid!r}",
        )
        _expect(sid not in seen, f"{p}.id", f"duplicate sensor id {sid!r}")
        seen.add(sid)
        kinds = [k.value for k in Kind]
        _expect(
            raw.get("kind") in kinds,
            f"{p}.kind",
            f"expected one of {kinds}, got {raw.get('kind')!r}",
        )
        backend = raw.get("backend", "sim")
        _expect(
            backend in BACKENDS,
            f"{p}.backend",
            f"expected one of {list(BACKENDS)}, got {backend!r}",
        )
        params = dict(raw.get("params") or {})
        if "seed" in raw:
            params["seed"] = raw["seed"]
        if backend == "tcp":
            _expect(
                isinstance(raw.get("address"), str),
                f"{p}.address",
                "expected host:port for backend tcp",
            )
            params["address"] = raw["address"]
        settings = raw.get("settings") or {}
        _expect(isinstance(settings, Mapping), f"{p}.settings", "expected a mapping")
        sensors.append(
            SensorConfig(
                sid,
                Kind(raw["kind"]),
                backend,
                str(raw.get("belt_id", "")),
                dict(settings),
                params,
                _describe(raw.get("describe"), f"{p}.describe"),
            )
        )
    scenario = data.get("scenario")
    _expect(
        scenario is None or isinstance(scenario, str | Mapping),
        "scenario",
        "expected a file path or a mapping",
    )
    if isinstance(scenario, str):
        scenario = str(base / scenario)
    return NodeConfig(
        site_id=site,
        endpoint=endpoint,
        sensors=tuple(sensors),
        node_id=str(data.get("node_id", "")),
        curve=curve,
        frames_per_sensor=int(_number(buf, "frames_per_sensor", 2000, "buffer.", 2)),
        max_mb_per_sensor=_number(buf, "max_mb_per_sensor", 256.0, "buffer.", 0.001),
        window=int(_number(buf, "window", 256, "buffer.", 1)),
        heartbeat_s=_number(data, "heartbeat_s", 1.0, "", 0.01),
        ack_timeout_s=_number(data, "ack_timeout_s", 1.0, "", 0.01),
        scenario=scenario,
        base_dir=str(base),
    )


def load_node_config(path: str | Path) -> NodeConfig:
    """Read and validate a node YAML file; relative paths in it are relative to the file."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("", f"cannot read {p}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError("", f"{p} is not valid YAML: {exc}") from exc
    return node_config_from_dict(data or {}, p.parent)

"""The simulators behave like the physics they claim (docs/hal.md lists the sources)."""

from __future__ import annotations

import numpy as np

from merak.hal import Device, Kind
from merak.hal.sim import Lot, Rain, Scenario, Source, create_sim
from merak.hal.sim._spectra import CONTAMINANT_SPECTRA, MINERALS


def _nir(lot: Lot, n: int = 256, seed: int = 1) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    dev = Device(create_sim(Kind.NIR, "nir", seed=seed, scenario=Scenario(lots=(lot,)))).connect()
    wl = np.array(dev.describe().axes["wavelength_nm"])
    dev.start()
    rs = list(dev.stream(max_frames=n))
    return wl, np.stack([r.data for r in rs]), [dict(r.truth or {}) for r in rs]


def _at(wl: np.ndarray, spectra: np.ndarray, nm: float) -> np.ndarray:
    return spectra[..., int(np.argmin(np.abs(wl - nm)))]


def test_iron_oxides_are_dark_with_ferric_band_below_1000nm() -> None:
    wl, x, _ = _nir(Lot("L", "hematite_fines", 1e4))
    mean = x.mean(axis=0)
    assert _at(wl, mean, 900) < 0.8 * _at(wl, mean, 1300)
    wl, x, _ = _nir(Lot("L", "magnetite_concentrate", 1e4))
    assert x.mean() < 0.15


def test_moisture_deepens_the_1450nm_water_band() -> None:
    def depth(m: float) -> float:
        wl, x, _ = _nir(Lot("L", "zircon_sand", 1e4, moisture=m))
        mean = x.mean(axis=0)
        return float(1 - _at(wl, mean, 1450) / (0.5 * (_at(wl, mean, 1300) + _at(wl, mean, 1650))))

    assert depth(0.15) > depth(0.02) + 0.05


def test_polymers_show_ch_overtones_and_black_ones_are_featureless() -> None:
    wl = np.linspace(900, 1700, 801)
    pe = CONTAMINANT_SPECTRA["pe"]
    # Measured PE samples: every one shows the C-H second overtone ~1210 nm (a grey bag
    # only weakly) and the start of the first overtone near 1700 nm; the pellets deeply.
    depths = []
    for k in range(pe.samples):
        r = pe.reflectance(wl, k)
        depths.append(_at(wl, r, 1215) / (0.5 * (_at(wl, r, 1150) + _at(wl, r, 1290))))
        assert _at(wl, r, 1700) < 0.998 * _at(wl, r, 1600)
    assert max(depths) < 0.99 and min(depths) < 0.5
    pet = CONTAMINANT_SPECTRA["pet"].reflectance(wl)
    assert _at(wl, pet, 1660) < 0.9 * _at(wl, pet, 1600)
    for dark in ("rubber", "black_plastic"):
        for k in range(CONTAMINANT_SPECTRA[dark].samples):
            r = CONTAMINANT_SPECTRA[dark].reflectance(wl, k)
            assert r.max() < 0.12 and r.max() - r.min() < 0.02
    kao = MINERALS["kaolinite"].reflectance(wl)
    assert _at(wl, kao, 1400) < 0.95 * _at(wl, kao, 1300)


def test_contaminated_scans_follow_the_rate_and_carry_the_pieces_bands() -> None:
    lot = Lot("L", "magnetite_concentrate", 1e4, contamination_rate=0.25, contaminants={"pe": 1.0})
    wl, x, truth = _nir(lot, n=640)
    hit = np.array([t["contaminant"] == "pe" for t in truth])
    # Binomial(640, 0.25): mean 160, sd ~11.
    assert 110 < hit.sum() < 210
    big = hit & (np.array([t["contaminant_fraction"] for t in truth]) > 0.5)
    ratio = _at(wl, x[big], 1215) / (0.5 * (_at(wl, x[big], 1150) + _at(wl, x[big], 1290)))
    assert np.median(ratio) < 0.95
    assert x[big].mean() > 2 * x[~hit].mean()  # white PE on black magnetite


def _camera_frames(lot: Lot, n: int, belt_speed_m_s: float = 4.0, **settings: float) -> list:
    sc = Scenario(lots=(lot,), belt_speed_m_s=belt_speed_m_s)
    dev = Device(create_sim(Kind.CAMERA, "cam", seed=2, scenario=sc)).connect()
    if settings:
        dev.configure(**settings)
    dev.start()
    return list(dev.stream(max_frames=n))


def test_camera_truth_boxes_lie_on_visible_inclusions() -> None:
    frames = _camera_frames(Lot("L", "hematite_fines", 1e4, inclusion_rate=2.0), 10)
    boxes = [b for f in frames for b in f.truth["inclusions"]]
    assert len(boxes) >= 8
    for b in boxes:
        x0, y0, x1, y1 = b["box"]
        assert 0 <= x0 < x1 <= 512 and 0 <= y0 < y1 <= 256
        assert 0 < b["visible_fraction"] <= 1
    assert any(b["visible_fraction"] < 1 for b in boxes)  # partly buried
    assert not any(
        f.truth["inclusions"] for f in _camera_frames(Lot("L", "hematite_fines", 1e4), 5)
    )


def test_belt_speed_times_exposure_blurs_along_the_belt() -> None:
    lot = Lot("L", "hematite_fines", 1e4)

    def sharpness(speed: float) -> float:
        f = _camera_frames(lot, 3, belt_speed_m_s=speed, exposure_us=800.0)
        # The exposure is the set one times the auto-exposure factor of the ore.
        auto = f[0].truth["exposure_factor"]
        assert abs(f[0].truth["blur_px"] - speed * 800e-6 * auto / 2e-3) < 1e-9
        img = np.stack([r.data for r in f]).astype(float)
        # Gradient along the belt (rows) relative to across it (columns).
        return float(np.abs(np.diff(img, axis=1)).mean() / np.abs(np.diff(img, axis=2)).mean())

    assert sharpness(10.0) < 0.85 * sharpness(0.5)


def _rpm(sc: Scenario, n: int) -> tuple[np.ndarray, list[dict]]:
    dev = Device(create_sim(Kind.RPM, "rpm", seed=4, scenario=sc)).connect()
    dev.start()
    rs = list(dev.stream(max_frames=n))
    return np.stack([r.data for r in rs]).astype(float), [dict(r.truth or {}) for r in rs]


def test_rpm_background_is_poisson_and_ore_vehicles_shadow_it() -> None:
    x, truth = _rpm(
        Scenario(lots=(Lot("L", "magnetite_concentrate", 600.0),), vehicle_interval_s=30.0), 3000
    )
    occ = x[:, 8] == 1
    assert 0.05 < occ.mean() < 0.5
    bg = x[~occ, :4]
    dispersion = bg.var(axis=0) / bg.mean(axis=0)
    assert np.all((dispersion > 0.7) & (dispersion < 1.6))
    full = np.array([t.get("shadow", 0) > 0.2 for t in truth])
    ratio = x[full, :4].mean() / bg.mean()
    assert 0.55 < ratio < 0.9  # 15-40 % suppression


def test_norm_cargo_and_point_sources_raise_gamma() -> None:
    x, _ = _rpm(Scenario(lots=(Lot("L", "potash", 600.0),), vehicle_interval_s=30.0), 3000)
    occ = x[:, 8] == 1
    assert x[occ, :4].mean() > 1.1 * x[~occ, :4].mean()
    sc = Scenario(
        lots=(Lot("L", "hematite_fines", 600.0, sources=(Source("Cs-137", 2.0, 50.0),)),),
        vehicle_interval_s=30.0,
    )
    x, truth = _rpm(sc, 3000)
    with_src = np.array(["Cs-137" in t.get("sources", []) for t in truth])
    assert with_src.any()
    assert x[with_src, :4].max() > 2 * x[~(x[:, 8] == 1), :4].mean()


def test_rain_raises_the_gamma_background() -> None:
    sc = Scenario(
        lots=(Lot("L", "hematite_fines", 2000.0),),
        vehicle_interval_s=1e4,
        rain=(Rain(100.0, 1200.0, 0.4),),
    )
    x, _ = _rpm(sc, 5 * 1200)
    before = x[: 5 * 90, :4].mean()
    during = x[5 * 1000 : 5 * 1200, :4].mean()
    assert during > 1.2 * before


def test_rpm_spectrum_shows_the_cargo_and_source_photopeaks() -> None:
    sc = Scenario(
        lots=(Lot("L", "potash", 600.0, sources=(Source("Cs-137", 3.0, 100.0),)),),
        vehicle_interval_s=30.0,
    )
    dev = Device(create_sim(Kind.RPM, "rpm", seed=4, scenario=sc, spectrum_channels=1024))
    dev.connect()
    energy = np.array(dev.describe().axes["energy_kev"])
    assert dev.describe().shape == (9 + 1024,) and energy[-1] < 3000
    dev.start()
    rs = list(dev.stream(max_frames=3000))
    x = np.stack([r.data for r in rs]).astype(float)
    occ = x[:, 8] == 1
    spectra = x[:, 9:]

    def window(rows: np.ndarray, kev: float) -> float:
        i = int(np.argmin(np.abs(energy - kev)))
        return float(spectra[rows, i - 5 : i + 6].sum(axis=1).mean())

    assert window(occ, 1461) > 2 * window(~occ, 1461)  # K-40 from the potash
    with_src = np.array(["Cs-137" in r.truth.get("sources", []) for r in rs])
    assert window(with_src, 662) > 2 * window(~occ, 662)
    # Gross counts of the panels and the spectrum's sum rise together in occupancy.
    assert spectra[occ].sum(axis=1).mean() > spectra[~occ].sum(axis=1).mean()

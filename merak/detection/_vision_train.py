"""Training of the inclusion network on simulator frames (torch, CPU, seeded).

Not runtime code (imports ``merak.hal.sim`` through ``_simdata``): ``merak detect train-vision``
uses it, which writes the bundled weights (``data/vision.npz``, SHA-256 pinned in ``_vision``)
or an ``.npz``.

Data: for every training seed and ore, ``frames`` camera frames at 2 inclusions per frame
(seeds ``100 * seed + ore index``, so the six ores never share a layout). Targets per 4×4-px
cell: an inclusion class where at least 6 of its 16 pixels show that inclusion, "no
inclusion" where none does, ignored in between (edges and specks). Each epoch takes two
96×96-px crops (at the 2× input scale) per frame, one anywhere and one around an inclusion's
largest visible piece; cross-entropy with the inclusion classes weighted 3×, Adam with a
one-cycle schedule. Batch norm is folded into the convolutions afterwards.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from merak.detection._simdata import ORES, labelled_frames
from merak.detection._vision import INPUTS, LAYERS, OUTPUTS, WEIGHTS_FILE, VisionModel, prepare

TRAIN_SEEDS = (1, 2, 3)
IGNORE = -100


def cell_targets(label: np.ndarray, min_px: int = 6) -> np.ndarray:
    """Per 4×4 cell: 0 none, 1..5 inclusion class (>= ``min_px`` pixels), IGNORE otherwise."""
    h, w = label.shape[0] // 4 * 4, label.shape[1] // 4 * 4
    cells = label[:h, :w].reshape(h // 4, 4, w // 4, 4).transpose(0, 2, 1, 3)
    b = cells.reshape(h // 4, w // 4, 16)
    t = np.zeros((h // 4, w // 4), np.int64)
    for c in range(1, len(OUTPUTS)):
        cnt = (b == c + 1).sum(-1)  # label map ids: 0 belt, 1 ore, 2.. inclusions
        t[cnt >= min_px] = c
        t[(cnt > 0) & (cnt < min_px) & (t == 0)] = IGNORE
    return t


def training_frames(
    seeds: Sequence[int], frames: int, rate: float = 2.0
) -> tuple[np.ndarray, np.ndarray, list[list[dict[str, Any]]]]:
    xs, ys, boxes = [], [], []
    for s in seeds:
        for k, ore in enumerate(ORES):
            for img, lab, bx in labelled_frames(s * 100 + k, frames, ore, rate):
                xs.append(prepare(img))
                ys.append(cell_targets(lab))
                boxes.append(bx)
    return np.stack(xs), np.stack(ys), boxes


def _crops(
    x: np.ndarray,
    y: np.ndarray,
    boxes: list[list[dict[str, Any]]],
    rng: Any,
    size: int = 48,
    class_share: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two crops per frame (``size`` output cells square): one anywhere, one on an inclusion.

    With ``class_share``, the inclusion is drawn with weights inverse to its class's share.
    """
    xs, ys = [], []
    hh, ww = y.shape[1:]
    for i in range(len(x)):
        for kind in (0, 1):
            if kind == 1 and boxes[i]:
                if class_share:
                    p = np.array([1.0 / class_share[b["cls"]] for b in boxes[i]])
                    j = int(rng.choice(len(boxes[i]), p=p / p.sum()))
                else:
                    j = int(rng.integers(len(boxes[i])))
                b = boxes[i][j]["piece_box"]
                cy, cx = (b[1] + b[3]) // 8, (b[0] + b[2]) // 8
                jy, jx = rng.integers(-size // 4, size // 4 + 1, 2)
                y0 = int(np.clip(cy - size // 2 + jy, 0, hh - size))
                x0 = int(np.clip(cx - size // 2 + jx, 0, ww - size))
            else:
                y0, x0 = int(rng.integers(0, hh - size + 1)), int(rng.integers(0, ww - size + 1))
            xs.append(x[i, :, 2 * y0 : 2 * (y0 + size), 2 * x0 : 2 * (x0 + size)])
            ys.append(y[i, y0 : y0 + size, x0 : x0 + size])
    return np.stack(xs), np.stack(ys)


def _network(width: int) -> Any:
    import torch

    nn = torch.nn
    mods: list[Any] = []
    cin = INPUTS
    for stride, dil in LAYERS:
        mods += [
            nn.Conv2d(cin, width, 3, stride=stride, padding=dil, dilation=dil, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
        ]
        cin = width
    mods.append(nn.Conv2d(width, len(OUTPUTS), 1))
    return nn.Sequential(*mods)


def _fold(net: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) per layer with each batch norm folded into its convolution."""
    mods = list(net)
    out = []
    for i in range(len(LAYERS)):
        conv, bn = mods[3 * i], mods[3 * i + 1]
        scale = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach()
        w = conv.weight.detach() * scale[:, None, None, None]
        b = bn.bias.detach() - bn.running_mean * scale
        out.append((w.numpy().copy(), b.numpy().copy()))
    head = mods[-1]
    out.append((head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()))
    return out


def train_vision(
    seeds: Sequence[int] = TRAIN_SEEDS,
    frames: int = 30,
    epochs: int = 15,
    width: int = 24,
    seed: int = 0,
    threads: int = 2,
    balance: bool = True,
    log: Any = None,
) -> VisionModel:
    """Train the inclusion network on simulator frames of ``seeds``; seeded, CPU only.

    ``balance``: loss weights from the classes' cell counts (inverse square root, 1..20)
    and inclusion crops drawn class-balanced, instead of a flat 3× weight for inclusions.
    """
    import torch

    t0 = time.perf_counter()
    torch.set_num_threads(threads)
    x, y, boxes = training_frames(seeds, frames)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = _network(width)
    opt = torch.optim.Adam(net.parameters(), 3e-3)
    bs = min(32, 2 * len(x))  # two crops per frame
    steps = epochs * ((2 * len(x)) // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-2, total_steps=steps)
    weights = torch.tensor([1.0] + [3.0] * (len(OUTPUTS) - 1))
    share = None
    if balance:
        cnt = np.bincount(y[y >= 0].ravel(), minlength=len(OUTPUTS)).astype(float) + 1.0
        w = np.clip(np.sqrt(cnt.sum() / cnt / len(OUTPUTS)), 1.0, 20.0)
        w[0] = 1.0
        weights = torch.tensor(w, dtype=torch.float32)
        names = [b["cls"] for bx in boxes for b in bx]
        share = {c: names.count(c) / len(names) for c in set(names)}
    for epoch in range(epochs):
        xc, yc = _crops(x, y, boxes, rng, class_share=share)
        xt, yt = torch.from_numpy(xc), torch.from_numpy(yc)
        perm = torch.randperm(len(xt))
        total = 0.0
        for i in range(0, len(xt) - bs + 1, bs):
            b = perm[i : i + bs]
            loss = torch.nn.functional.cross_entropy(
                net(xt[b]), yt[b], weight=weights, ignore_index=IGNORE
            )
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            sched.step()
            total += float(loss.item())
        if log is not None:
            log(f"epoch {epoch + 1}/{epochs}: loss {total:.3f} ({time.perf_counter() - t0:.0f} s)")
    net.eval()
    meta = {
        "seeds": ",".join(str(s) for s in seeds),
        "frames_per_ore": frames,
        "epochs": epochs,
        "width": width,
        "seed": seed,
        "torch": torch.__version__,
        "balance": balance,
    }
    # No wall time in the record: the same seeds give the same file, byte for byte.
    if log is not None:
        log(f"trained in {time.perf_counter() - t0:.0f} s")
    return VisionModel(_fold(net), meta)


def write_bundled(model: VisionModel, vision_py: Path) -> str:
    """Write ``model`` as the bundled weights and pin their SHA-256 in ``_vision.py``.

    The weights go to ``data/vision.npz`` next to ``vision_py``; the line
    ``WEIGHTS_SHA256 = "..."`` of ``vision_py`` is rewritten to the new digest. Returns it.
    """
    data = model.to_bytes()
    digest = hashlib.sha256(data).hexdigest()
    (vision_py.parent / WEIGHTS_FILE).write_bytes(data)
    text = vision_py.read_text("utf-8")
    pinned, n = re.subn(
        r'^WEIGHTS_SHA256 = "[0-9a-f]{64}"$', f'WEIGHTS_SHA256 = "{digest}"', text, flags=re.M
    )
    if n != 1:
        raise RuntimeError(f"{vision_py}: no single WEIGHTS_SHA256 line to pin")
    vision_py.write_text(pinned, "utf-8")
    return digest

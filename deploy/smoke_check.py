"""Ask Prometheus whether every Merak target is up and the HAL node's frames reach detection.

Exit 0 when so; 1 with what is missing (the smoke test retries until its deadline).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request

JOBS = {"merak": 5, "merak-hal": 1}


def query(base: str, expr: str) -> list[dict[str, object]]:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as reply:
        body = json.load(reply)
    result: list[dict[str, object]] = body["data"]["result"]
    return result


def main(base: str) -> int:
    missing = []
    for job, n in JOBS.items():
        up = [r for r in query(base, f'up{{job="{job}"}}') if r["value"][1] == "1"]  # type: ignore[index]
        if len(up) < n:
            missing.append(f"{job}: {len(up)}/{n} targets up")
    for expr in ("sum(merak_hal_frames_acked_total)", "sum(merak_detection_frames_total)"):
        got = query(base, expr)
        if not got or float(got[0]["value"][1]) <= 0:  # type: ignore[index]
            missing.append(f"{expr} is not > 0 yet")
    if missing:
        print("; ".join(missing), file=sys.stderr)
        return 1
    print("prometheus: all targets up, frames acknowledged and received", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

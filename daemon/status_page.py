"""The daemon's ``/status`` page: what a person reads (the same data is at ``/status.json``)."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any, Iterable

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
    ".bad{color:#a00}.ok{color:#070}"
)


def render_status_page(data: dict[str, Any]) -> str:
    daemon = data.get("daemon", {})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">',
        f"<title>syncro-xero status</title><style>{STYLE}</style></head><body>",
        "<h1>syncro-xero</h1>",
        _summary(data, daemon),
        "<h2>Passes per feature</h2>",
        _table(
            ("Feature", "State", "Last pass", "Outcome", "Last pass counts", "Parked"),
            (
                (p["name"], _state(p), p["last_pass"] or "never", p["last_outcome"] or "-",
                 ", ".join(f"{k} {v}" for k, v in sorted(p["last_counts"].items())) or "-", p["parked"])
                for p in data["plugins"]
            ),
            "features",
        ),
        f"<h2>Parked records ({len(data['parked_records'])})</h2>",
        _table(
            ("Record", "Feature", "Reason", "Attempts", "Since"),
            ((r["id"], r["feature"], r["reason"], r["attempts"], r["first_at"]) for r in data["parked_records"]),
            "parked",
        ) if data["parked_records"] else "<p>None: nothing waits for a person.</p>",
        "<h2>Rate-limit budget left</h2>",
        _table(("Allowance", "Left"), ((k, "unknown" if v is None else v) for k, v in
                                      sorted(daemon.get("rate_limit", {}).items())), "budget"),
        '<p><a href="/status.json">JSON</a> · <a href="/metrics">metrics</a> · '
        "<code>syncro-xero failures</code> and <code>syncro-xero explain KIND ID</code> tell more.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _summary(data: dict[str, Any], daemon: dict[str, Any]) -> str:
    last = _when(daemon.get("last_pass_at"))
    result = daemon.get("last_result") or "-"
    error = daemon.get("last_error")
    lines = [
        f"<p>Last pass: {escape(last or 'none yet')} ({escape(result)}"
        + (f", {daemon['last_pass_seconds']} s" if daemon.get("last_pass_seconds") is not None else "") + ")",
        f"<br>Links: {data['links']} · parked: {data['parked']} · "
        f"unsettled Xero writes: {data['unsettled_xero_writes']} · "
        f"unsettled Syncro writes: {data['unsettled_syncro_writes']}</p>",
    ]
    if error:
        lines.append(f'<p class="bad" id="last-error">Last error ({escape(_when(daemon.get("last_error_at")) or "")}): '
                     f"{escape(str(error))}</p>")
    else:
        lines.append('<p class="ok" id="last-error">No error since the daemon started.</p>')
    return "\n".join(lines)


def _state(plugin: dict[str, Any]) -> str:
    if plugin["enabled"] and not plugin["loaded"]:
        return f"FAILED ({plugin['error']})"
    return "enabled" if plugin["enabled"] else "disabled"


def _table(head: tuple[str, ...], rows: Iterable[Iterable[Any]], name: str) -> str:
    out = [f'<table id="{name}"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _when(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds") if timestamp else None

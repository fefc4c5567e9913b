"""A static HTML page per logged step: prompts with their images, each response's thought and
solution apart, every reward source's score, the gate verdict, advantage and KL. Images are
embedded (base64), so a page is one self-contained file."""
from __future__ import annotations

import base64
import html
from pathlib import Path

import jinja2

from model.prompts import item_field
from rewards.format import check_format

PAGE = jinja2.Template("""<!doctype html><meta charset="utf-8"><title>step {{ step }}</title>
<style>body{font:14px sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;
padding:4px;vertical-align:top}.bad{background:#fee}.good{background:#efe}.t{color:#777;white-space:pre-wrap}
.s{white-space:pre-wrap;font-weight:bold}img{image-rendering:pixelated;width:112px;margin:1px}</style>
<h2>RL step {{ step }}</h2><p>{% for k, v in summary %}<b>{{ k }}</b> {{ v }} &nbsp; {% endfor %}</p>
{% for g in groups %}<h3>{{ g.id }} ({{ g.task }})</h3><p>{% for src in g.images %}<img src="{{ src }}">{% endfor %}</p>
<p>{{ g.prompt }} &nbsp; <i>gold:</i> {{ g.answer }}</p>
<table><tr><th>#</th><th>thought</th><th>solution</th><th>gate</th><th>reward</th><th>sources</th><th>finish</th></tr>
{% for r in g.rows %}<tr class="{{ 'good' if r.reward > 0 else 'bad' }}"><td>{{ r.k }}</td><td class="t">{{ r.thought }}</td>
<td class="s">{{ r.solution }}</td><td>{{ r.gate }}</td><td>{{ r.reward }}</td><td>{{ r.sources }}</td><td>{{ r.finish }}</td></tr>
{% endfor %}</table>{% endfor %}""", autoescape=True)

MAX_GROUPS = 8


def _image_src(item, rel: str) -> str:
    root = Path(item_field(item, "image_root") or ".")
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return ""
    return "data:image/png;base64," + base64.b64encode(data).decode()


def write_viewer(path: str | Path, step: int, batch, results, metrics: dict) -> Path:
    """Write the page for one step's batch and reward results."""
    groups = []
    for g, item in enumerate(batch.items[:MAX_GROUPS]):
        rows = []
        for i in [i for i, gi in enumerate(batch.group.tolist()) if gi == g]:
            verdict, res = check_format(batch.texts[i], "lenient"), results[i]
            rows.append({"k": batch.sample_ids[i].rsplit("#", 1)[-1], "thought": verdict.thought[:600],
                         "solution": (verdict.solution or batch.texts[i])[:300],
                         "gate": "ok" if res.format_ok else (res.format_reason or "-"),
                         "reward": round(res.reward, 3), "finish": batch.finish_reasons[i],
                         "sources": ", ".join(f"{k}={v if v is None else round(v, 3)}" for k, v in res.rewards.items())})
        groups.append({"id": item_field(item, "id"), "task": item_field(item, "task"),
                       "prompt": item_field(item, "prompt"), "answer": html.unescape(str(item_field(item, "answer"))),
                       "images": [_image_src(item, rel) for rel in item_field(item, "images") or []], "rows": rows})
    keys = ("reward/mean", "format_rate", "entropy", "loss/kl", "clip_frac", "explained_variance",
            "response_length")
    summary = [(k, round(metrics[k], 4) if isinstance(metrics.get(k), float) else metrics.get(k))
               for k in keys if k in metrics]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.render(step=step, summary=summary, groups=groups))
    return path

"""`stdkg synth`: write a synthetic standard-system table for load tests (a plain click command)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .problems import StdkgError
from .synth import MANIFEST, load_manifest, refuse_out, write_corpus


@click.command("synth")
@click.option("--editions", type=click.IntRange(min=1), required=True, help="Number of rows (standard editions).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed gives the same bytes.")
@click.option("--errors", type=click.IntRange(min=0), default=None,
              help="Seeded errors of each kind (default: one per 5,000 editions, at least one; 0 for none).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write into; never inside data/, which holds real, sourced tables only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def synth(editions: int, seed: int, errors: int | None, out_dir: Path, fmt: str) -> None:
    """Write a synthetic corpus (合成数据，非真实标准): standards.csv, seeded-errors.yaml, SYNTHETIC.md.

    The rows follow the shape of real standard systems (levels, committees, service items,
    references, replacement chains, local counterparts); every serial is ≥ 900000, so no row
    is a real standard. seeded-errors.yaml lists the errors seeded on purpose, each with the
    validation rule or analysis finding that must report it and the standards concerned.

    \b
    Example:
      stdkg synth --editions 100000 --seed 1 --out /tmp/synth-100k
      stdkg build --input /tmp/synth-100k --out /tmp/synth-100k-build --strict
    """
    if reason := refuse_out(out_dir):
        raise StdkgError(reason)
    table = write_corpus(editions, seed, out_dir, errors)
    manifest = load_manifest(out_dir)
    if fmt == "json":
        click.echo(json.dumps({"table": str(table), "manifest": str(out_dir / MANIFEST),
                               "editions": editions, "seed": seed, "errors": manifest["errors"]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"合成 / synthetic: {editions} 行/rows → {table}")
    for kind, entry in manifest["errors"].items():
        click.echo(f"  预置错误 / seeded {kind}: {entry['seeded']} → {entry['check']} {entry['rule']} "
                   f"({entry['results']} 条结果 / results)")

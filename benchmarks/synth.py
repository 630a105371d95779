"""Kept for old commands: the generator lives in the package now (`stdkg synth`, stdkg/synth.py).

    python benchmarks/synth.py --editions 100000 --seed 1 --out /tmp/synth-100k
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdkg.synth import write_corpus  # noqa: E402,F401  (benchmarks import it from here)

if __name__ == "__main__":
    from stdkg.cli import main

    main(["synth", *sys.argv[1:]], prog_name="benchmarks/synth.py")

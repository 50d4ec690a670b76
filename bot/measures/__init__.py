"""What "routing works" means, in one place: the five measures, their targets and their breakdowns.

Pure: no store, no HTTP. The dashboard, `model-router report` and the Action's report mode all feed
additive `Tally` counts (from the store's rollup or from `classify` over records) into `measure`.
See docs/dashboard.md for the definitions in prose.
"""

from bot.measures.definitions import TIERS, Tally, classify, measure
from bot.measures.targets import Targets, load_targets

__all__ = ["TIERS", "Tally", "Targets", "classify", "load_targets", "measure"]

"""`python seed/load.py`: load a seed file into a DynamoDB table (tickersim/base/seeds.py;
`--help` for the flags). seed/ holds the data; the loader is the product's."""
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: tickersim/ is next to seed/.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tickersim.base.seeds import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

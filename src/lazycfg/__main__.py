import sys

from lazycfg.cli import main

sys.exit(main())

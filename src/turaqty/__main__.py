import sys

from turaqty.cli import main

sys.exit(main())

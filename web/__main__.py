import sys

from berita.cli.serve import main

sys.exit(main())

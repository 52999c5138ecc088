import sys

from berita.cli.search import main

sys.exit(main())

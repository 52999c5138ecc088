import sys

from berita.cli.index import main

args = sys.argv[1:]
if args[:1] != ["build"]:
    print("usage: python -m indexer build [PATHS...] [--index DIR] [--model NAME]", file=sys.stderr)
    sys.exit(2)
sys.exit(main(args[1:], prog="python -m indexer build"))

"""Command line entry point: `python -m resonanz <command> ...` dispatches to the tools."""

from __future__ import annotations

import importlib
import sys

# command name -> module with a main(argv) function
COMMANDS = {
    "receiver": "resonanz.receiver.cli",
    "import": "resonanz.importer.cli",
    "responses": "resonanz.responses_pull",
    "bench": "resonanz.bench",
    "publish": "resonanz.publish",
    "deploy-s3": "resonanz.deploy_s3",
    "demo-images": "resonanz.demo_images",
    "check": "resonanz.check",
    "screenshots": "resonanz.screenshots",
    "new-episode": "resonanz.scaffold",
    "serve": "resonanz.serve",
    "devserver": "resonanz.devserver.cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m resonanz <command> [options]\n\ncommands:")
        for name in COMMANDS:
            print(f"  {name}")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"resonanz: unknown command {name!r}; try --help", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())

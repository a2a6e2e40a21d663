"""Byte-compile a `sam build` output, so Lambda does not compile every module on each cold start.

    python -m scripts.compile_build [BUILD_DIR]     # default .aws-sam/build; `make build` runs it

Lambda's code and layer directories are read-only: a module without valid bytecode there is
compiled from source on every cold start, and `sam build` ships none (pip installs the wheels
without compiling, and SAM leaves `__pycache__` out when it copies our sources). Measured on the
built BookingFunction: 1,040 ms to import without bytecode, 345 ms with.

The bytecode is hash-based and unchecked (PEP 552): `sam deploy` zips every file with the same
1980 date, so timestamp-checked bytecode would no longer match its source after deployment and
be ignored; an artifact never changes once built, so there is nothing to check. It must come
from the runtime's Python version, which this refuses to get wrong.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import sys
from pathlib import Path

from tooling.template import load_template
from scripts.check_build import DEFAULT_BUILD_DIR, missing_bytecode, template_runtimes


class CannotCompile(RuntimeError):
    """Bytecode written now would not be what Lambda loads (another Python, another place)."""


def check_python(build_dir: Path) -> None:
    this = f"python{sys.version_info.major}.{sys.version_info.minor}"
    wanted = template_runtimes(load_template(build_dir / "template.yaml"))
    if wanted != {this}:
        raise CannotCompile(f"the functions run on {', '.join(sorted(map(str, wanted)))}; this is {this}")


def compile_build(build_dir: Path) -> bool:
    """Write unchecked hash-based bytecode next to every module of the build. Every `.py` must
    compile, importable or not (a library's script too): a build with one that does not fails."""
    check_python(build_dir)
    if sys.pycache_prefix:
        raise CannotCompile(f"PYTHONPYCACHEPREFIX is set ({sys.pycache_prefix}): the bytecode would go there")
    return compileall.compile_dir(
        build_dir,
        quiet=1,
        force=True,  # rewrite any bytecode of another kind
        workers=0,  # one per CPU
        optimize=0,  # what Lambda loads (it runs without -O)
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir", nargs="?", type=Path, default=DEFAULT_BUILD_DIR)
    build_dir = parser.parse_args(argv).build_dir.resolve()
    if not (build_dir / "template.yaml").is_file():
        print(f"{build_dir} holds no built template: run `sam build` first")
        return 2
    try:
        compiled = compile_build(build_dir)
    except CannotCompile as wrong:
        print(f"not compiled: {wrong}")
        return 2
    missing = missing_bytecode(build_dir)
    for source in missing[:20]:
        print(f"no bytecode: {source.relative_to(build_dir)}")
    if not compiled or missing:
        print(f"{len(missing)} module(s) without bytecode")
        return 1
    print(f"byte-compiled {build_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``ganbench new-plugin NAME``: write a ready-to-publish plugin package that passes its own tests.

The package is rendered from ``ganbench/templates/new_plugin`` (jinja2): a pyproject with the
``ganbench`` entry point, a plugin module with ``@hookimpl``, a small working model, a README
and a test that runs the conformance kit. It is written into a temporary folder first and moved
into place at the end, so an interrupted command never leaves half a package behind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ganbench.commands import add_parser, print_error

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "new_plugin"
MODULE_DIR = "__module__"
RENAMES = {"_gitignore": ".gitignore"}
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$")

DESCRIPTION = """\
Write a new model plugin package NAME (a PyPI distribution name, e.g. ganbench-mygan) into
DIR/NAME: pyproject.toml with the `ganbench` entry point, MODULE/plugin.py with the @hookimpl,
MODULE/model.py with a small working GAN to replace with yours (MODULE is NAME with '_' for
'-' and '.'), a README and tests/test_conformance.py running the conformance kit. Then:

  pip install -e NAME && python -m pytest NAME   # the kit passes on the template model
  ganbench plugins                               # the model is discovered, no configuration

See docs/plugin-guide.md.
"""


class NewPluginError(ValueError):
    """Bad name or target; the message says which and why."""


@dataclass(frozen=True)
class Names:
    dist: str
    module: str
    model: str
    class_name: str


def derive_names(name: str, model: str | None = None) -> Names:
    """Distribution, import and model names from what the user typed."""
    if not _NAME_RE.match(name):
        raise NewPluginError(
            f"plugin name {name!r} is not a valid distribution name: use letters, digits and single "
            "'-', '_' or '.' between them, starting with a letter (e.g. ganbench-mygan)"
        )
    normal = re.sub(r"[-_.]+", "-", name.lower())
    if normal.startswith("ganbench-zoo-"):
        raise NewPluginError(
            f"plugin name {name!r}: the prefix ganbench-zoo- is reserved for ganbench's own plugins; name a "
            "third-party plugin ganbench-contrib-<name> (docs/plugin-guide.md, Names)"
        )
    module = re.sub(r"[^a-z0-9]+", "_", name.lower())
    model_name = model or re.sub(r"^ganbench[-_.](contrib[-_.])?", "", name.lower()).replace("_", "-").replace(".", "-")
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", model_name):
        raise NewPluginError(f"--model {model_name!r}: use lower-case letters, digits, '-', '_' or '.'")
    class_name = "".join(p.capitalize() for p in re.split(r"[^a-zA-Z0-9]+", model_name) if p) or "Model"
    if class_name[0].isdigit():
        class_name = "M" + class_name
    return Names(name, module, model_name, class_name)


def render(names: Names, dest: Path) -> list[Path]:
    """Render every template into ``dest`` (which must exist); returns the files written."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from ganbench import __version__
    from ganbench.contract import API_VERSION

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    values = {
        "dist": names.dist, "module": names.module, "model": names.model, "class_name": names.class_name,
        "api_version": API_VERSION, "api_major": API_VERSION.split(".")[0],
        "ganbench_version": __version__.split("+")[0],
    }
    written = []
    for src in sorted(TEMPLATES.rglob("*.j2")):
        rel = src.relative_to(TEMPLATES)
        parts = [names.module if p == MODULE_DIR else RENAMES.get(p.removesuffix(".j2"), p.removesuffix(".j2"))
                 for p in rel.parts]
        out = dest.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(env.get_template(rel.as_posix()).render(**values), encoding="utf-8")
        written.append(out)
    return written


def create_plugin(name: str, parent: Path, *, model: str | None = None, force: bool = False) -> Path:
    """Write the package to ``parent/name`` atomically; refuses to touch a non-empty folder
    unless ``force`` (then files are overwritten, nothing is deleted)."""
    names = derive_names(name, model)
    target = parent / name
    if target.exists() and not target.is_dir():
        raise NewPluginError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise NewPluginError(f"{target}: folder exists and is not empty (use --force to overwrite its files)")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    try:
        render(names, tmp)
        if target.is_dir():
            for f in sorted(p for p in tmp.rglob("*") if p.is_file()):
                out = target / f.relative_to(tmp)
                out.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, out)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "new-plugin", "write a new model plugin package from the template", DESCRIPTION)
    p.add_argument("name", help="distribution name of the new package, e.g. ganbench-mygan")
    p.add_argument("--dir", type=Path, default=Path("."), help="parent folder (default: the current folder)")
    p.add_argument("--model", help="model name suites will use (default: NAME without a ganbench- prefix)")
    p.add_argument("--force", action="store_true", help="write into an existing non-empty folder, overwriting files")
    p.set_defaults(func=cmd_new_plugin)


def cmd_new_plugin(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console()
    try:
        target = create_plugin(args.name, args.dir, model=args.model, force=args.force)
    except (NewPluginError, OSError) as exc:
        print_error(str(exc))
        return 2
    names = derive_names(args.name, args.model)
    console.print(f"wrote plugin package [bold]{target}[/] (model {names.model!r}, module {names.module})")
    console.print(f"next:  pip install -e {target}  &&  python -m pytest {target}  &&  ganbench plugins", highlight=False)
    return 0

"""Build configuration of the compiled parts (boilerplate/_walk.pyx, _columns.pyx, _hints.pyx,
_head.pyx, _layout.pyx, _features.pyx, _context.pyx, _forest.pyx, _title.pyx, _lexicon.pyx; the .pxd files are their
shared declarations); everything else is in pyproject.toml. The walk, its columns and the head reader
compile against lxml's own headers (lxml.get_include()) and call no libxml2 function."""

import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("boilerplate._walk", ["boilerplate/_walk.pyx"], include_dirs=lxml.get_include()),
     Extension("boilerplate._columns", ["boilerplate/_columns.pyx"], include_dirs=lxml.get_include()),
     Extension("boilerplate._hints", ["boilerplate/_hints.pyx"]),
     Extension("boilerplate._head", ["boilerplate/_head.pyx"], include_dirs=lxml.get_include()),
     Extension("boilerplate._layout", ["boilerplate/_layout.pyx"]),
     Extension("boilerplate._features", ["boilerplate/_features.pyx"]),
     Extension("boilerplate._context", ["boilerplate/_context.pyx"]),
     Extension("boilerplate._forest", ["boilerplate/_forest.pyx"]),
     Extension("boilerplate._title", ["boilerplate/_title.pyx"]),
     Extension("boilerplate._lexicon", ["boilerplate/_lexicon.pyx"])],
    compiler_directives={"language_level": 3}))

import gc

from .cli import main

code = main()
# The interpreter's last garbage collections over everything a command imported and built take
# about half a second and free nothing that matters at exit: freeze the heap instead.
gc.freeze()
raise SystemExit(code)

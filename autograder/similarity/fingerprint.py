"""Fingerprints of Python code that survive renaming, reordering, comments and whitespace.

The method is the one MOSS and Dolos use (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", SIGMOD 2003):

1. tokenize the code with Python's own ``tokenize``; drop comments, blank lines, line breaks inside
   brackets and docstrings, so layout and commentary do not count;
2. normalise: every name the submission binds itself (variables, parameters, its functions and
   classes) becomes ``V``, every number ``N``, every string ``S``; keywords, operators, and the
   names it uses from elsewhere (``np``, ``float``, an attribute after a dot) stay, because they
   carry what the code does;
3. cut the tokens into segments, one per function or method (see ``segments``), and hash every
   run of ``k`` consecutive normalised tokens (a k-gram) of a segment with a fixed hash (BLAKE2b),
   so fingerprints are the same in every process and on every machine;
4. winnow: from every window of ``w`` consecutive k-gram hashes keep the smallest (the rightmost
   on ties). Any run of at least ``k + w - 1`` equal tokens in two documents is then guaranteed to
   share a kept hash, while only about 2/(w+1) of the hashes are kept.

No k-gram spans two functions, so functions and methods moved around a cell keep every k-gram.
"""
from __future__ import annotations

import ast
import hashlib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field

K = 8        # tokens per k-gram
WINDOW = 4   # k-gram hashes per winnowing window

_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass
class Token:
    text: str                       # the normalised token
    start: tuple[int, int]          # (line, column) in the cell's source, line from 1
    end: tuple[int, int]
    orig: str = ""                  # the token as written


@dataclass
class Fingerprint:
    """One kept k-gram: its hash and the tokens it covers (first, one past last)."""
    value: int
    first: int
    last: int


@dataclass
class CellPrint:
    """The tokens and kept fingerprints of one cell."""
    label: str                      # grade_id of the answer cell, or "added cell N"
    source: str
    tokens: list[Token] = field(default_factory=list)
    prints: list[Fingerprint] = field(default_factory=list)


def bound_names(source: str) -> set[str]:
    """Names the code binds itself: assigned, deleted, looped over, parameters, defined functions
    and classes, import aliases, exception names. Empty if the code does not parse."""
    try:
        tree = ast.parse(_without_magics(source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _without_magics(source: str) -> str:
    """IPython magics and shell escapes (``%timeit``, ``!pip``) blanked out, keeping line numbers."""
    return "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())


def normalised_tokens(source: str, bound: set[str]) -> list[Token]:
    """The cell's tokens after step 1 and 2 above. Code that does not tokenize to the end (an
    unclosed bracket, a stray character) keeps the tokens before the problem."""
    out: list[Token] = []
    pending: list[Token] = []
    fstring_depth = 0
    readline = io.StringIO(_without_magics(source)).readline
    try:
        for tok in tokenize.generate_tokens(readline):
            kind, text = tok.type, tok.string
            if kind in _SKIP:
                continue
            if kind == getattr(tokenize, "FSTRING_START", -1):  # Python 3.12+: an f-string is many tokens
                if fstring_depth == 0:
                    pending.append(Token("S", tok.start, tok.end))
                fstring_depth += 1
                continue
            if fstring_depth:
                if kind == getattr(tokenize, "FSTRING_END", -1):
                    fstring_depth -= 1
                    pending[-1].end = tok.end
                continue
            if kind == tokenize.NEWLINE:
                # a logical line that is only a string is a docstring or a bare comment: drop it
                if not (len(pending) == 1 and pending[0].text == "S"):
                    out.extend(pending)
                    out.append(Token(";", tok.start, tok.end))
                pending = []
                continue
            if kind in (tokenize.INDENT, tokenize.DEDENT):
                out.append(Token("{" if kind == tokenize.INDENT else "}", tok.start, tok.end))
                continue
            if kind == tokenize.NAME:
                after_dot = bool(pending) and pending[-1].text == "."
                if keyword.iskeyword(text) or after_dot or text not in bound:
                    norm = text
                else:
                    norm = "V"
            elif kind == tokenize.NUMBER:
                norm = "N"
            elif kind == tokenize.STRING:
                norm = "S"
            elif kind == tokenize.ERRORTOKEN and not text.strip():
                continue
            else:
                norm = text
            pending.append(Token(norm, tok.start, tok.end, text))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    if not (len(pending) == 1 and pending[0].text == "S"):
        out.extend(pending)
    return _keyword_arguments(out)


def _keyword_arguments(tokens: list[Token]) -> list[Token]:
    """A keyword argument's name in a call (``axis`` in ``np.max(x, axis=axis)``) names the callee's
    parameter, not a variable of the caller: it keeps its text even where the caller binds the
    same name. Parameters in a ``def`` line stay normalised."""
    stack: list[bool] = []  # for each open bracket: is it a def's parameter list?
    for i, tok in enumerate(tokens):
        if tok.text in ("(", "[", "{") and tok.orig:
            stack.append(tok.text == "(" and i >= 2 and tokens[i - 2].text == "def")
        elif tok.text in (")", "]", "}") and tok.orig:
            if stack:
                stack.pop()
        elif (tok.text == "V" and stack and not stack[-1] and i + 1 < len(tokens)
              and tokens[i + 1].text == "=" and tokens[i - 1].text in ("(", ",")):
            tok.text = tok.orig
    return tokens


def winnow(hashes: list[int], window: int = WINDOW) -> list[int]:
    """Positions of the hashes robust winnowing keeps: the minimum of each window of ``window``
    hashes, the rightmost one on ties, each position once. A sequence shorter than one window
    keeps its minimum."""
    if not hashes:
        return []
    if len(hashes) <= window:
        low = min(hashes)
        return [max(i for i, h in enumerate(hashes) if h == low)]
    kept: list[int] = []
    for start in range(len(hashes) - window + 1):
        block = hashes[start:start + window]
        low = min(block)
        pos = start + max(i for i, h in enumerate(block) if h == low)
        if not kept or kept[-1] != pos:
            kept.append(pos)
    return kept


def segments(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token ranges: a new one starts at every ``def``, ``class`` or decorator that
    opens a line, and the dedents closing a block are left out, so every function and method is
    hashed on its own and moving one leaves all k-grams the same."""
    starts = [0]
    for i, tok in enumerate(tokens):
        if i and tok.text in ("def", "class", "@") and tokens[i - 1].text in (";", "{", "}"):
            if tokens[i - 1].text != "@" and (i < 2 or tokens[i - 2].text != "@"):
                starts.append(i)
    out = []
    for first, last in zip(starts, starts[1:] + [len(tokens)]):
        while last > first and tokens[last - 1].text in ("}", ";"):
            last -= 1
        if last > first:
            out.append((first, last))
    return out


def _hash(texts: list[str]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(texts).encode(), digest_size=8).digest(), "big")


def segment_kgrams(tokens: list[Token], k: int = K) -> list[list[tuple[int, int, int]]]:
    """For each segment, its k-grams as (hash, first, last); a segment shorter than k (but of at
    least 4 tokens) is one k-gram of its own."""
    texts = [t.text for t in tokens]
    out = []
    for first, last in segments(tokens):
        if last - first < k:
            out.append([(_hash(texts[first:last]), first, last)] if last - first >= 4 else [])
        else:
            out.append([(_hash(texts[i:i + k]), i, i + k) for i in range(first, last - k + 1)])
    return out


def cell_print(label: str, source: str, bound: set[str], k: int = K, window: int = WINDOW) -> CellPrint:
    cell = CellPrint(label, source, normalised_tokens(source, bound))
    for grams in segment_kgrams(cell.tokens, k):
        hashes = [h for h, _, _ in grams]
        cell.prints += [Fingerprint(*grams[i]) for i in winnow(hashes, window)]
    return cell


def all_hashes(source: str, bound: set[str], k: int = K) -> set[int]:
    """Every k-gram hash of ``source`` (not only the winnowed ones): what starter code subtracts."""
    return {h for grams in segment_kgrams(normalised_tokens(source, bound), k) for h, _, _ in grams}


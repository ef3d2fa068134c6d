"""Writes data/uts46.txt, the Unicode facts build.rs compacts into the
engine's UTS #46 table (src/engine/uts46.rs).

Run by hand when Unicode changes, with the two packages from PyPI:

    pip install --target /tmp/uts46 idna==3.20 unicodedata2==18.0.0
    PYTHONPATH=/tmp/uts46 python3 scripts/derive-uts46.py > data/uts46.txt

Sources: the IdnaMappingTable of UTS #46 as the `idna` package ships it
(idna/uts46data.py, whose version is the Unicode version), and the Unicode
Character Database of the same version from `unicodedata2` (canonical
combining class, general category, bidi class, canonical decompositions).
The output holds facts only; what the engine accepts is decided in build.rs.
"""

import bisect
import sys

import unicodedata2 as ucd
from idna import package_data
from idna.uts46data import __version__ as UTS46_VERSION
from idna.uts46data import uts46_replacements, uts46_starts, uts46_statuses

if UTS46_VERSION != ucd.unidata_version:
    sys.exit(f"UTS #46 {UTS46_VERSION} and UCD {ucd.unidata_version} differ")


def status(cp):
    i = bisect.bisect_right(uts46_starts, cp) - 1
    return chr(uts46_statuses[i]), uts46_replacements[i]


def properties(cp):
    """The facts the engine's checks need about a character it may keep."""
    c = chr(cp)
    facts = []
    ccc = ucd.combining(c)
    if ccc:
        facts.append(f"ccc={ccc}")
    if ucd.category(c).startswith("M"):
        facts.append("mark")
    if ucd.bidirectional(c) in ("R", "AL", "AN"):
        facts.append("rtl")
    if ucd.normalize("NFC", c) != c:
        facts.append("nfc=no")
    return " ".join(facts)


# Primary composites: a canonical decomposition into two code points whose
# composite NFC keeps (not excluded). Their second code points are the
# characters NFC may compose with what precedes them (NFC_Quick_Check=Maybe).
pairs = []
for cp in range(0x110000):
    decomposition = ucd.decomposition(chr(cp))
    if not decomposition or decomposition.startswith("<"):
        continue
    parts = [int(part, 16) for part in decomposition.split()]
    if len(parts) == 2 and ucd.normalize("NFC", chr(cp)) == chr(cp):
        pairs.append((parts[0], parts[1], cp))
# Hangul syllables compose algorithmically; the engine refuses conjoining
# jamo rather than composing them, so only the jamo need marking.
seconds = {mark for _, mark, _ in pairs} | set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))

lines = []
for cp in range(0x80, 0x110000):
    kind, mapping = status(cp)
    if kind in "VD":
        facts = properties(cp)
        if cp in seconds:
            facts = (facts + " nfc=maybe").strip()
        line = (kind, "", facts)
    elif kind == "M":
        line = ("M", " ".join(f"{ord(m):04X}" for m in mapping), "")
    else:
        line = (kind, "", "")
    if lines and lines[-1][2] == line and lines[-1][1] == cp - 1:
        lines[-1][1] = cp
    else:
        lines.append([cp, cp, line])

print(f"# UTS #46 {UTS46_VERSION} and the Unicode Character Database {ucd.unidata_version}, for build.rs.")
print(f"# Derived by scripts/derive-uts46.py from PyPI idna {package_data.__version__} (idna/uts46data.py,")
print(f"# the IdnaMappingTable) and PyPI unicodedata2 {ucd.unidata_version}. Facts only; build.rs decides.")
print("#")
print("# first[..last] ; status ; mapping ; facts")
print("#   status: V valid, D deviation (kept), M mapped, I ignored, X disallowed (UTS #46 section 5)")
print("#   mapping (M): the code points it maps to")
print("#   facts (V, D): ccc=N canonical combining class, mark (General_Category M),")
print("#     rtl (Bidi_Class R, AL or AN), nfc=no (NFC changes it), nfc=maybe (NFC may")
print("#     compose it with what precedes it)")
print("# C base ; mark ; composite: a primary composite NFC forms")
for first, last, (kind, mapping, facts) in lines:
    span = f"{first:04X}" if first == last else f"{first:04X}..{last:04X}"
    fields = [span, kind, mapping, facts]
    while not fields[-1]:
        fields.pop()
    print(" ; ".join(fields))
for base, mark, composite in pairs:
    print(f"C {base:04X} ; {mark:04X} ; {composite:04X}")

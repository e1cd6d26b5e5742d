"""Ground truth for tests/e2e/test_pycode.sh: prints requests for tests/tools/pycode_resolve
and, in a file, the answers the interpreter itself gives, then waits (stdin) while they are
resolved from outside.
    python py_code_lines.py EXPECTED_FILE
Requests (stdout, then "ready"): "offset|instr CODE BYTE_OFFSET" and, 3.11+, "opcode CODE
BYTE_OFFSET". Expected answers (EXPECTED_FILE, the same order): the request, a tab, then
LINE<TAB>QUALNAME<TAB>FILE (co_qualname where the version has one, else co_name) or, for an
opcode, the 2 bytes of co_code there. Lines are the frames' own f_lineno for frames caught
running (each caller mid-call), and PyCode_Addr2Line for every offset of a few functions."""
import ctypes
import dis
import sys

addr2line = ctypes.pythonapi.PyCode_Addr2Line
addr2line.argtypes = [ctypes.py_object, ctypes.c_int]
addr2line.restype = ctypes.c_int
caught = []


def catch():
    """Records every frame above this one, innermost first, as it is now."""
    frame = sys._getframe(1)
    while frame:
        caught.append((frame.f_code, frame.f_lasti, frame.f_lineno))
        frame = frame.f_back


class Outer:
    def method(self, n):
        def inner(k):
            total = 0
            for i in range(k):
                total += i
            catch()
            return total

        return inner(n) + 1


def plain(n):
    values = [n,
              n + 1]
    return Outer().method(values[1])


def grüße():
    """A name that is not ASCII (a 1-byte-a-character str)."""
    return plain(3)


def never_called(a, b):
    # No two local loads or stores in a row: 3.12 fuses those into superinstructions in
    # co_code_adaptive when the code object is made.
    if a:
        return len(str(a)) + b.real
    return {"k": sorted(b)}


def name(code):
    return getattr(code, "co_qualname", code.co_name)


def main():
    grüße()
    requests, expected = [], []

    def ask(kind, code, offset, answer):
        request = "%s %d %d" % (kind, id(code), offset)
        requests.append(request)
        expected.append("%s\t%s" % (request, answer))

    for code, lasti, lineno in caught:
        where = "%d\t%s\t%s" % (lineno, name(code), code.co_filename)
        ask("offset", code, lasti, where)
        ask("instr", code, lasti, where)
    inner = Outer.method.__code__.co_consts
    inner = [c for c in inner if hasattr(c, "co_code")][0]
    for code in (plain.__code__, Outer.method.__code__, inner, never_called.__code__,
                 grüße.__code__):
        for offset in range(-2, len(code.co_code) + 2, 2):
            line = addr2line(code, offset)
            ask("offset", code, offset, "%d\t%s\t%s" % (line, name(code), code.co_filename))
    ask("offset", caught, 0, "unresolved")      # not a code object
    if sys.version_info >= (3, 11):
        # Never run, so not yet specialised: co_code_adaptive holds co_code's opcodes.
        code = never_called.__code__
        for ins in dis.get_instructions(code):
            ask("opcode", code, ins.offset, code.co_code[ins.offset:ins.offset + 2].hex())
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write("\n".join(expected) + "\n")
    print("\n".join(requests))
    print("ready", flush=True)
    sys.stdin.read()


main()

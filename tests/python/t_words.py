#!/usr/bin/env python3
"""The word layer from Python (am/words.h, am/lexicon.h): the spelling encoder, the lexicon's clean-up, word list
files and WordNet (only where Debian's wordnet-base files are: a TAP skip names the missing path otherwise), with
every keyword's effect (EFFECTS, also read by t_keywords.py) and hostile words, each raising with a message that
names the argument."""
import atexit
import errno
import os
import shutil
import sys
import tempfile

import numpy as np

import am
from tap import ok, raises, skip

AM_EFORMAT, AM_EEMPTY, AM_ERANGE = -5, -11, -14
WN_DIR = os.environ.get("AM_WORDNET_DIR") or "/usr/share/wordnet"
HAVE_WN = all(os.path.isfile(os.path.join(WN_DIR, f)) for f in ("index.noun", "data.noun"))
WORDS = ["shirt", "shirts", "sneaker", "sneakers", "bag", "bags", "t-shirt", "ankle boot"]

tmp = tempfile.mkdtemp(prefix="am-words-")
atexit.register(shutil.rmtree, tmp, True)


def enc(dim=256, seed=1):
    return am.WordEncoder(dim, seed)


def lexicon(words=WORDS[::2], e=None):
    return am.Lexicon(e or enc(), words)


def word_file(text, name="w.txt"):
    p = os.path.join(tmp, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def wordnet():
    return am.WordNet()


# (function, parameter) -> (base call, call with the parameter changed): each pair must differ
EFFECTS = {
    ("WordEncoder", "dim"): (lambda: enc().encode("dog"), lambda: enc(dim=128).encode("dog")),
    ("WordEncoder", "seed"): (lambda: enc().encode("dog"), lambda: enc(seed=2).encode("dog")),
    ("WordEncoder.encode", "words"): (lambda: enc().encode("dog"), lambda: enc().encode("god")),
    ("Lexicon", "encoder"): (lambda: lexicon().codes, lambda: lexicon(e=enc(seed=3)).codes),
    ("Lexicon", "words"): (lambda: lexicon().codes, lambda: lexicon(WORDS[1::2]).codes),
    ("Lexicon.decode", "latents"): (lambda: lexicon().decode(enc().encode("sneakers")),
                                    lambda: lexicon().decode(enc().encode("bags"))),
    ("Lexicon.decode", "words"): (lambda: lexicon().decode(enc().encode("bags")),
                                  lambda: lexicon().decode(enc().encode("bags"), words=True)),
    ("Lexicon.neighbours", "words"): (lambda: lexicon(WORDS).neighbours(),
                                      lambda: lexicon(WORDS).neighbours(words=True)),
    ("Lexicon.find", "word"): (lambda: lexicon().find("bag"), lambda: lexicon().find("shirt")),
    ("read_words", "path"): (lambda: am.read_words(word_file("a\nb\n", "a.txt")),
                             lambda: am.read_words(word_file("c\n", "c.txt"))),
    ("read_words", "max"): (lambda: len(am.read_words(word_file("a\nb\nc\n", "m.txt"), max=3)),
                            lambda: str(raises_what(lambda: am.read_words(word_file("a\nb\nc\n", "m.txt"), max=2)))),
    ("word_valid", "word"): (lambda: am.word_valid("dog"), lambda: am.word_valid("dog!")),
    ("WordNet", "dir"): (lambda: str(raises_what(lambda: am.WordNet(dir=os.path.join(tmp, "none"))))
                         if HAVE_WN else 1,
                         lambda: am.WordNet().noun("dog") if HAVE_WN else 2),
    ("WordNet.noun", "lemma"): (lambda: wordnet().noun("dog") if HAVE_WN else 1,
                                lambda: wordnet().noun("cat") if HAVE_WN else 2),
    ("WordNet.noun", "sense"): (lambda: wordnet().noun("dog") if HAVE_WN else 1,
                                lambda: wordnet().noun("dog", sense=2) if HAVE_WN else 2),
    ("WordNet.synset", "offset"): (lambda: wordnet().synset(wordnet().noun("dog")).words if HAVE_WN else 1,
                                   lambda: wordnet().synset(wordnet().noun("cat")).words if HAVE_WN else 2),
    ("WordNet.fashion_words", "c"): (lambda: wordnet().fashion_words(0) if HAVE_WN else 1,
                                     lambda: wordnet().fashion_words(7) if HAVE_WN else 2),
    ("WordNet.fashion_words", "depth"): (lambda: wordnet().fashion_words(7, depth=0) if HAVE_WN else 1,
                                         lambda: wordnet().fashion_words(7, depth=2) if HAVE_WN else 2),
    ("WordNet.fashion_sense", "c"): (lambda: am.WordNet.fashion_sense(0), lambda: am.WordNet.fashion_sense(7)),
}


def raises_what(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    return None


def cos(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def encoder_tests():
    e = am.WordEncoder(1024, seed=1)
    d = e.encode("dog")
    ok(d.shape == (1024,) and d.dtype == np.float32 and abs(np.linalg.norm(d) - 1) < 1e-5,
       "encode(word): a unit-length float32 code of dim")
    m = e.encode(WORDS)
    ok(m.shape == (len(WORDS), 1024) and np.array_equal(m[2], e.encode("sneaker")), "encode(list): one row per word")
    ok(e.encode([]).shape == (0, 1024) and e.encode(("a",)).shape == (1, 1024), "an empty list; a tuple")
    ok(cos(e.encode("sneaker"), e.encode("sneakers")) > 0.7 and abs(cos(e.encode("dog"), e.encode("god"))) < 0.15,
       "shared trigrams: 'sneaker'~'sneakers' %.2f; order matters: 'dog'~'god' %.2f"
       % (cos(e.encode("sneaker"), e.encode("sneakers")), cos(e.encode("dog"), e.encode("god"))))
    ok(np.array_equal(e.encode("Dog"), d) and np.array_equal(am.WordEncoder(1024, seed=1).encode("dog"), d),
       "case folded; the same (dim, seed) gives the same bits")
    ok((e.dim, e.seed) == (1024, 1) and repr(e) == "am.WordEncoder(dim=1024, seed=1)", "dim, seed, repr")
    ok(am.word_valid("ankle boot") and am.word_valid("t-shirt") and am.word_valid("O'Neil") and
       not am.word_valid("--") and not am.word_valid("") and not am.word_valid("x" * 65) and
       not am.word_valid("naïve") and not am.word_valid("a\0b"), "word_valid: the encoder's alphabet")
    for w, name in [("naïve", "words"), ("", "words"), ("x" * 65, "words"), ("a\0b", "words"), ("tab\t", "words"),
                    ("\ud800", "words")]:
        raises(ValueError, lambda: e.encode(w), "encode(%r) raises naming %s" % (w[:8], name), text=name)
    raises(ValueError, lambda: e.encode(["dog", "x!y"]), "a bad word in a list: ValueError naming words[1]",
           text="words[1]")
    raises(TypeError, lambda: e.encode(["dog", 3]), "a non-str in a list: TypeError naming words[1]", text="words[1]")
    raises(TypeError, lambda: e.encode(b"dog"), "bytes: TypeError naming words", text="words")
    raises(TypeError, lambda: e.encode(None), "None: TypeError naming words", text="words")
    raises(TypeError, lambda: e.encode(5), "an int: TypeError naming words", text="words")
    raises(ValueError, lambda: am.WordEncoder(8), "WordEncoder(8) raises naming dim", text="dim")
    raises((ValueError, OverflowError), lambda: am.WordEncoder(2 ** 21), "WordEncoder(2**21) raises naming dim",
           text="dim")
    raises((ValueError, OverflowError), lambda: am.WordEncoder(64, seed=-1), "seed -1 raises naming seed", text="seed")
    raises(TypeError, lambda: word_valid_bytes(), "word_valid(bytes): TypeError naming word", text="word")
    raises(RuntimeError, lambda: am.WordEncoder.__new__(am.WordEncoder).encode("dog"), "an encoder not initialised")


def word_valid_bytes():
    return am.word_valid(b"dog")


def lexicon_tests():
    e = enc()
    lx = am.Lexicon(e, WORDS)
    ok(len(lx) == len(WORDS) and lx[2] == "sneaker" and lx[-1] == "ankle boot" and lx.words == WORDS and
       lx.encoder is e, "len, items, words, encoder")
    ok(np.array_equal(lx.codes, e.encode(WORDS)), "codes are the encoder's")
    ok(lx.find("SNEAKER") == 2 and lx.find("boot") == -1 and lx.find("") == -1, "find: case ignored, -1 when absent")
    q = e.encode(["sneekers", "shrit", "t-shirts", "bag"])
    idx = lx.decode(q)
    ok(idx.dtype == np.int64 and list(idx) == [3, 0, 6, 4], "decode: the nearest word of each latent %s" % list(idx))
    ok(lx.decode(q, words=True) == ["sneakers", "shirt", "t-shirt", "bag"] and lx.decode(q[1]) == 0 and
       lx.decode(q[1], words=True) == "shirt", "decode(words=True); one latent gives one answer")
    nb = lx.neighbours()
    ok(nb.dtype == np.int64 and list(nb[:7]) == [1, 0, 3, 2, 5, 4, 0] and nb[7] != 7,
       "neighbours: singular and plural pair up, 't-shirt' is nearest 'shirt' %s" % lx.neighbours(words=True))
    raises(IndexError, lambda: lx[8], "an index past the end: IndexError")
    raises(ValueError, lambda: lx.decode(np.zeros(255)), "decode of the wrong dim raises naming latents",
           text="latents")
    raises(ValueError, lambda: lx.decode(np.full(256, np.nan)), "decode of NaN raises naming latents", text="latents")
    raises(TypeError, lambda: lx.find(3), "find(3) raises naming word", text="word")
    raises(ValueError, lambda: am.Lexicon(e, ["dog", "cat", "Dog"]), "a duplicate (case ignored) names words[2]",
           text="words[2]")
    raises(ValueError, lambda: am.Lexicon(e, []), "an empty vocabulary raises naming words", text="words")
    raises(ValueError, lambda: am.Lexicon(e, "dog"), "a str as the vocabulary raises naming words", text="words")
    raises(ValueError, lambda: am.Lexicon(e, ["dog", "c@t"]), "an invalid word names words[1]", text="words[1]")
    raises(TypeError, lambda: am.Lexicon("encoder", ["dog"]), "an encoder that is not a WordEncoder: TypeError")
    raises(ValueError, lambda: am.Lexicon(e, ["dog"]).neighbours(), "neighbours of one word: a ValueError saying "
           "it needs at least two words", text="needs at least two words")
    raises(RuntimeError, lambda: am.Lexicon.__new__(am.Lexicon).decode(np.zeros(256)), "a lexicon not initialised")


def read_words_tests():
    p = word_file("# fashion\n  shirt \n\nSneaker\nankle boot\nshirt\n")
    ok(am.read_words(p) == ["shirt", "Sneaker", "ankle boot", "shirt"],
       "read_words: blanks trimmed, comments and blank lines skipped, duplicates kept")
    raises(am.Error, lambda: am.read_words(word_file("dog\ncat\nc@t\n", "bad.txt")),
           "a line that is not a word: AM_EFORMAT naming line 3", status=AM_EFORMAT, text="line 3")
    raises(am.Error, lambda: am.read_words(p, max=2), "more words than max: AM_ERANGE", status=AM_ERANGE, text="max")
    raises(am.Error, lambda: am.read_words(word_file("# nothing\n", "empty.txt")), "no words: AM_EEMPTY",
           status=AM_EEMPTY)
    e = raises_what(lambda: am.read_words(os.path.join(tmp, "missing.txt")))
    ok(isinstance(e, am.Error) and e.errno == errno.ENOENT and "missing.txt" in str(e),
       "a missing file: am.Error naming it, errno ENOENT")
    raises((ValueError, OverflowError), lambda: am.read_words(p, max=0), "max 0 raises naming max", text="max")


def wordnet_tests():
    e = raises_what(lambda: am.WordNet(dir=os.path.join(tmp, "none")))
    ok(isinstance(e, am.Error) and e.errno == errno.ENOENT and "index.noun" in str(e) and "wordnet-base" in str(e),
       "WordNet of a directory without the files: am.Error naming index.noun, errno ENOENT, the package")
    fake = os.path.join(tmp, "fake")
    os.mkdir(fake)
    word_file("dog n 1 0 1 0 00000000  \n", "fake/index.noun")
    word_file("00000000 05 n 01 dog 0 00x | a broken line\n", "fake/data.noun")
    with am.WordNet(dir=fake) as wn:
        raises(am.Error, lambda: wn.synset(wn.noun("dog")), "a malformed data.noun line: AM_EFORMAT naming the file",
               status=AM_EFORMAT, text="data.noun")
    two = os.path.join(tmp, "two")
    os.mkdir(two)
    line = "00000000 05 n 01 dog 0 000 | a dog\n"
    word_file("dog n 1 0 1 0 00000000  \ncat n 1 0 1 0 %08d  \n" % len(line), "two/index.noun")
    word_file(line + "%08d 05 n 01 cat 0 000 | a cat\n" % len(line), "two/data.noun")
    with am.WordNet(dir=two) as wn:
        ok(wn.synset(len(line)).words == ["cat"], "synset at the start of the second line")
        for bad in (5, len(line) + 1, len(line) - 1):
            raises(am.Error, lambda: wn.synset(bad), "synset(%d), inside a line: AM_ERANGE, not a synset offset" % bad,
                   status=AM_ERANGE, text="%d is not a synset offset" % bad)
    if not HAVE_WN:
        for name in ("noun", "synset", "fashion_words", "close"):
            skip("WordNet.%s" % name, "no WordNet at %s (apt-get install wordnet-base)" % WN_DIR)
        return
    wn = am.WordNet()
    off = wn.noun("sneaker")
    s = wn.synset(off)
    ok(s.offset == off and "sneaker" in s.words and s.hypernyms and isinstance(s.gloss, str) and s.gloss,
       "noun and synset: %s, hypernyms %s, '%s'" % (s.words, s.hypernyms, s.gloss[:40]))
    ok("shoe" in wn.synset(s.hypernyms[0]).words, "a sneaker is a shoe")
    ok(wn.noun("Tennis_Shoe") == off and wn.noun("dog", sense=2) != wn.noun("dog"), "lemma spellings; senses differ")
    raises(am.Error, lambda: wn.noun("xyzzyq"), "a lemma that is not a noun: AM_ERANGE naming it", status=AM_ERANGE,
           text="xyzzyq")
    raises(am.Error, lambda: wn.noun("sneaker", sense=99), "a sense too many: AM_ERANGE", status=AM_ERANGE)
    raises(ValueError, lambda: wn.noun("dog", sense=0), "sense 0 raises naming sense", text="sense")
    raises(TypeError, lambda: wn.noun(3), "a lemma that is not a str: TypeError")
    raises(ValueError, lambda: wn.noun(""), "an empty lemma raises naming lemma", text="lemma")
    raises((ValueError, am.Error), lambda: wn.synset(1), "an offset inside a line raises")
    raises((ValueError, OverflowError), lambda: wn.synset(2 ** 32), "an offset past 32 bits raises naming offset",
           text="offset")
    fw = wn.fashion_words(7, depth=1)
    lemma, sense = am.WordNet.fashion_sense(7)
    ok(lemma == "sneaker" and sense >= 1 and fw[0] == "sneaker" and len(fw) == len(set(fw)) and
       len(wn.fashion_words(7, depth=3)) > len(fw) > len(wn.fashion_words(7, depth=0)),
       "fashion_words: the class's name first, each word once, more with depth: %s" % fw)
    raises(ValueError, lambda: wn.fashion_words(10), "class 10 raises naming c", text="c")
    raises(ValueError, lambda: wn.fashion_words(0, depth=11), "depth 11 raises naming depth", text="depth")
    raises((ValueError, OverflowError), lambda: am.WordNet.fashion_sense(-1), "fashion_sense(-1) raises naming c", text="c")
    wn.close()
    wn.close()
    ok(wn.closed, "close() twice; closed")
    raises(ValueError, lambda: wn.noun("dog"), "use after close: ValueError", text="closed")
    raises(ValueError, lambda: wn.fashion_words(0), "... for every method", text="closed")
    raises(ValueError, lambda: am.WordNet.__new__(am.WordNet).noun("dog"), "a WordNet not initialised")


def main():
    encoder_tests()
    lexicon_tests()
    read_words_tests()
    wordnet_tests()


if __name__ in ("__main__", "__test__"):
    main()
    if __name__ == "__main__":
        import tap
        sys.exit(tap.done())

/* Input text quoted and escaped for a message (see quote.h). */
#include "quote.h"

#include <stdio.h>

/* Byte c as it appears in a quoted text, into out; its length (1, 2 or 4). */
static size_t piece(unsigned char c, char out[5])
{
    if (c == '"' || c == '\\') {
        out[0] = '\\', out[1] = (char)c;
        return 2;
    }
    if (c >= 0x20 && c < 0x7f) {
        out[0] = (char)c;
        return 1;
    }
    snprintf(out, 5, "\\x%02x", c);
    return 4;
}

char *am__quote(char *buf, size_t size, const void *text, size_t len)
{
    static const char cut[] = "\xe2\x80\xa6\""; /* U+2026 and the closing quote (and the NUL) */
    const unsigned char *s = text;
    char p[5];
    if (!buf || !size)
        return buf;
    buf[0] = 0;
    if (size < 8)
        return buf;
    if (!s)
        len = 0;
    size_t total = 2, o = 0;
    for (size_t i = 0; i < len && total < size; i++)
        total += piece(s[i], p);
    int whole = total < size; /* the quoted text and its NUL fit */
    buf[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        size_t n = piece(s[i], p);
        if (!whole && o + n + sizeof cut > size) {
            memcpy(buf + o, cut, sizeof cut);
            return buf;
        }
        memcpy(buf + o, p, n);
        o += n;
    }
    buf[o++] = '"';
    buf[o] = 0;
    return buf;
}

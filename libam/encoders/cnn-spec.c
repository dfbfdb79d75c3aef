/* The convolutional network's description: the input shape and the layer tokens of am/cnn.h, checked token
 * by token, with shapes and parameter offsets worked out. */
#include <stdio.h>
#include <string.h>

#include "../core/io.h"
#include "am/error.h"
#include "cnn-internal.h"

#define CNN_MAX_SIDE 65535u
#define CNN_MAX_VALUES ((size_t)1 << 26) /* values of one layer's output per row */
#define CNN_MAX_PARAMS ((size_t)1 << 28)

static const char *const loss_names[] = {"xent", "mse", "bce"};

const char *am_cnn_loss_name(am_cnn_loss l)
{
    return (unsigned)l < 3 ? loss_names[l] : "?";
}

int am_cnn_loss_parse(const char *s, am_cnn_loss *out)
{
    for (int k = 0; s && out && k < 3; k++)
        if (!strcmp(s, loss_names[k])) {
            *out = (am_cnn_loss)k;
            return AM_OK;
        }
    return AM_EINVAL;
}

/* A decimal number 1 .. max at *p (no sign, no leading zero run beyond the value), advancing *p; -1 if none. */
static long number(const char **p, unsigned long max)
{
    const char *s = *p;
    unsigned long v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max)
            return -1;
        s++;
    }
    *p = s;
    return v >= 1 ? (long)v : -1;
}

/* "CxHxW", "CxL" or "D" into c, h, w; -1 unless the whole string is that. */
static int parse_shape(const char *s, size_t *c, size_t *h, size_t *w)
{
    long v[3];
    int k = 0;
    for (;;) {
        if (k == 3 || (v[k++] = number(&s, CNN_MAX_SIDE)) < 0)
            return -1;
        if (!*s)
            break;
        if (*s++ != 'x')
            return -1;
    }
    *c = (size_t)v[0];
    *h = k == 3 ? (size_t)v[1] : 1;
    *w = k == 3 ? (size_t)v[2] : k == 2 ? (size_t)v[1] : 1;
    return 0;
}

/* A token "<name><n>" followed by optional "<key><m>" parts (keys from `keys`, each at most once) into
 * vals[0] (n) and vals[1 + index of key]; 1 if tok starts with name and parses, 0 if it does not start with
 * name, -1 when it does but the rest is malformed. */
static int keyed(const char *tok, const char *name, const char *keys, long *vals, unsigned long max)
{
    size_t nl = strlen(name);
    if (strncmp(tok, name, nl) || tok[nl] < '0' || tok[nl] > '9')
        return 0;
    const char *p = tok + nl;
    if ((vals[0] = number(&p, max)) < 0)
        return -1;
    while (*p) {
        const char *k = strchr(keys, *p);
        if (!k || !*k || vals[1 + (k - keys)] >= 0)
            return -1;
        p++;
        if (*k == 'p' && *p == '0' && (p[1] < '0' || p[1] > '9')) { /* a padding of 0 */
            vals[1 + (k - keys)] = 0;
            p++;
            continue;
        }
        if ((vals[1 + (k - keys)] = number(&p, max)) < 0)
            return -1;
    }
    return 1;
}

/* Output size of a window along one axis: (n + 2 pad - k) / s + 1, or 0 if the window does not fit. */
static size_t out_side(size_t n, size_t k, size_t s, size_t pad)
{
    return n + 2 * pad < k ? 0 : (n + 2 * pad - k) / s + 1;
}

/* A window layer (conv, pooling) on shape c x h x w: kernel k, stride s, padding p along each axis of size
 * above 1 (a 1-D tensor has h = 1). */
static int window(cnn_layer *L, size_t k, size_t s, size_t p)
{
    int one_d = L->ih == 1;
    L->kh = one_d ? 1 : k;
    L->kw = k;
    L->sh = one_d ? 1 : s;
    L->sw = s;
    L->ph = one_d ? 0 : p;
    L->pw = p;
    L->oh = out_side(L->ih, L->kh, L->sh, L->ph);
    L->ow = out_side(L->iw, L->kw, L->sw, L->pw);
    return L->oh && L->ow && p < k ? 0 : -1;
}

/* One token into L (input shape already set); the reason of a failure into why. */
static int parse_token(cnn_layer *L, const char *tok, char *why, size_t size)
{
    long v[4] = {-1, -1, -1, -1};
    int r;
    L->oc = L->ic, L->oh = L->ih, L->ow = L->iw;
    if ((r = keyed(tok, "conv", "ksp", v, CNN_MAX_SIDE))) {
        if (r < 0 || v[1] < 0)
            return am__invalid(why, size, "write conv<C>k<K>[s<S>][p<P>], e.g. conv32k3p1");
        if (v[1] > 255 || v[2] > 255 || v[3] > 255)
            return am__invalid(why, size, "kernel, stride and padding are at most 255");
        L->kind = CNN_CONV;
        if (window(L, (size_t)v[1], v[2] < 0 ? 1 : (size_t)v[2], v[3] < 0 ? 0 : (size_t)v[3]))
            return am__invalid(why, size, "the %zux%zu kernel (padding below the kernel) does not fit the %zux%zu input",
                               L->kh, L->kw, L->ih, L->iw);
        L->oc = (size_t)v[0];
        L->K = L->kh * L->kw * L->ic;
        L->nocol = L->kh == 1 && L->kw == 1 && L->sh == 1 && L->sw == 1 && !L->ph && !L->pw;
        return AM_OK;
    }
    for (int pool = 0; pool < 2; pool++)
        if ((r = keyed(tok, pool ? "avgpool" : "maxpool", "s", v, 64))) {
            if (r < 0)
                return am__invalid(why, size, "write %s<K>[s<S>] with K, S in 1 .. 64", pool ? "avgpool" : "maxpool");
            L->kind = pool ? CNN_AVGPOOL : CNN_MAXPOOL;
            if (window(L, (size_t)v[0], v[1] < 0 ? (size_t)v[0] : (size_t)v[1], 0))
                return am__invalid(why, size, "the window does not fit the %zux%zu input", L->ih, L->iw);
            return AM_OK;
        }
    if ((r = keyed(tok, "up", "", v, 16))) {
        if (r < 0)
            return am__invalid(why, size, "write up<F> with F in 1 .. 16");
        L->kind = CNN_UP;
        L->kw = (size_t)v[0];
        L->kh = L->ih == 1 ? 1 : L->kw;
        L->oh = L->ih * L->kh;
        L->ow = L->iw * L->kw;
        return AM_OK;
    }
    if ((r = keyed(tok, "fc", "", v, 1 << 24))) {
        if (r < 0)
            return am__invalid(why, size, "write fc<N> with N in 1 .. 16777216");
        L->kind = CNN_FC;
        L->K = cnn_in_size(L);
        L->nocol = 1;
        L->oc = (size_t)v[0], L->oh = L->ow = 1;
        return AM_OK;
    }
    if (!strncmp(tok, "view", 4)) {
        size_t c, h, w;
        if (parse_shape(tok + 4, &c, &h, &w))
            return am__invalid(why, size, "write view<C>x<H>x<W> or view<C>x<L>");
        if (c * h * w != cnn_in_size(L))
            return am__invalid(why, size, "%zu values cannot be viewed as %zux%zux%zu", cnn_in_size(L), c, h, w);
        L->kind = CNN_VIEW;
        L->oc = c, L->oh = h, L->ow = w;
        return AM_OK;
    }
    static const struct {
        const char *name;
        cnn_kind kind;
    } plain[] = {{"bn", CNN_BN}, {"relu", CNN_RELU}, {"tanh", CNN_TANH}, {"sigmoid", CNN_SIGMOID}, {"flat", CNN_VIEW}};
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
        if (!strcmp(tok, plain[k].name)) {
            L->kind = plain[k].kind;
            if (L->kind == CNN_VIEW)
                L->oc = cnn_in_size(L), L->oh = L->ow = 1;
            return AM_OK;
        }
    return am__invalid(why, size, "unknown layer (conv, maxpool, avgpool, up, bn, relu, tanh, sigmoid, fc, flat, "
                                  "view, code)");
}

/* Parameter and state offsets of layer L, advancing the totals. */
static int place(cnn_layer *L, size_t *np, size_t *ns)
{
    size_t w = 0, b = 0;
    if (L->kind == CNN_CONV || L->kind == CNN_FC) {
        if (am_size_mul(L->K, L->oc, &w))
            return -1;
        b = L->oc;
    } else if (L->kind == CNN_BN) {
        w = b = L->oc;
        L->soff = *ns;
        *ns += 2 * L->oc;
    }
    L->woff = *np;
    L->boff = *np + w;
    if (w > CNN_MAX_PARAMS || *np + w + b > CNN_MAX_PARAMS)
        return -1;
    *np += w + b;
    return 0;
}

/* The last checks: code mark and the loss's output. */
static int check_task(am_cnn *n, char *err, size_t errsize)
{
    const cnn_layer *last = &n->l[n->nl - 1];
    if (n->loss == AM_CNN_XENT) {
        if (last->kind != CNN_FC && last->kind != CNN_CONV)
            return am__invalid(err, errsize, "a classifier (xent) ends in a linear layer (fc or conv) giving the scores");
        if (n->code < 0)
            n->code = n->nl - 1;
        if (n->code == n->nl)
            return am__invalid(err, errsize, "the code mark must come before the last layer");
        return AM_OK;
    }
    if (n->code < 0)
        return am__invalid(err, errsize, "an autoencoder needs a 'code' mark after the layer that gives the code");
    if (cnn_out_size(last) != cnn_in_size(&n->l[0]))
        return am__invalid(err, errsize, "an autoencoder outputs as many values as it takes (%zu), not %zu",
                           cnn_in_size(&n->l[0]), cnn_out_size(last));
    if (n->loss == AM_CNN_BCE && last->kind != CNN_SIGMOID)
        return am__invalid(err, errsize, "bce needs the last layer to be sigmoid");
    return AM_OK;
}

int am__cnn_parse(am_cnn *n, const char *input, const char *layers, am_cnn_loss loss, char *err, size_t errsize)
{
    size_t c, h, w, np = 0, ns = 0;
    am__say(err, errsize, "%s", "");
    if (!n || !input || !layers)
        return am__invalid(err, errsize, "input and layers are required");
    if ((unsigned)loss > AM_CNN_BCE)
        return am__invalid(err, errsize, "unknown loss %d", (int)loss);
    if (parse_shape(input, &c, &h, &w) || strlen(input) >= sizeof n->input || c * h * w > CNN_MAX_VALUES)
        return am__invalid(err, errsize, "input '%.40s': write CxHxW, CxL or D (sides 1 .. 65535)", input);
    size_t len = strlen(layers);
    if (!len || len > AM_CNN_MAX_SPEC)
        return am__invalid(err, errsize, "layers: 1 .. %d characters", AM_CNN_MAX_SPEC);
    memset(n, 0, sizeof *n);
    strcpy(n->input, input);
    strcpy(n->spec, layers);
    n->loss = loss;
    n->code = -1;
    char buf[AM_CNN_MAX_SPEC + 1], why[160];
    memcpy(buf, layers, len + 1);
    int t = 0;
    for (char *tok = buf, *next; tok; tok = next, t++) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (!strcmp(tok, "code")) {
            if (n->code >= 0 || n->nl == 0)
                return am__invalid(err, errsize, "token %d 'code': %s", t + 1,
                                   n->nl ? "one code mark only" : "the code follows at least one layer");
            n->code = n->nl;
            continue;
        }
        if (n->nl == AM_CNN_MAX_LAYERS)
            return am__invalid(err, errsize, "token %d '%.32s': more than %d layers", t + 1, tok, AM_CNN_MAX_LAYERS);
        cnn_layer *L = &n->l[n->nl];
        const cnn_layer *prev = n->nl ? &n->l[n->nl - 1] : NULL;
        L->ic = prev ? prev->oc : c, L->ih = prev ? prev->oh : h, L->iw = prev ? prev->ow : w;
        if (!*tok)
            return am__invalid(err, errsize, "token %d is empty", t + 1);
        if (parse_token(L, tok, why, sizeof why))
            return am__invalid(err, errsize, "token %d '%.32s': %s", t + 1, tok, why);
        size_t vals;
        if (am_size_mul3(L->oc, L->oh, L->ow, &vals) || vals == 0 || vals > CNN_MAX_VALUES || place(L, &np, &ns))
            return am__invalid(err, errsize, "token %d '%.32s': too large", t + 1, tok);
        n->nl++;
    }
    if (!n->nl)
        return am__invalid(err, errsize, "no layers");
    n->nparams = np;
    n->nstate = ns;
    return check_task(n, err, errsize);
}

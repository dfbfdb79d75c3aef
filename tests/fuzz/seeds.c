/* Seeds for the fuzz targets: small, valid files of every kind, written by the library itself, in
 * DIR/<target>/. Usage: fuzz-seeds DIR */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "am/am.h"
#include "am/melody.h"

static char root[3000];

static const char *at(const char *target, const char *name)
{
    static char p[4200];
    snprintf(p, sizeof p, "%s/%s", root, target);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/%s/%s", root, target, name);
    return p;
}

static void text(const char *target, const char *name, const char *s, size_t len)
{
    FILE *f = fopen(at(target, name), "wb");
    if (!f || fwrite(s, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "fuzz-seeds: cannot write %s\n", at(target, name));
        exit(1);
    }
}

#define CHECK(x)                                                                                              \
    do {                                                                                                       \
        int rc_ = (x);                                                                                         \
        if (rc_) {                                                                                             \
            fprintf(stderr, "fuzz-seeds: %s: %s\n", #x, am_strerror(rc_));                                     \
            exit(1);                                                                                           \
        }                                                                                                      \
    } while (0)

int main(int argc, char **argv)
{
    if (argc != 2 || strlen(argv[1]) >= sizeof root) {
        fprintf(stderr, "usage: fuzz-seeds DIR\n");
        return 2;
    }
    strcpy(root, argv[1]);
    mkdir(root, 0777);
    am_rng rng;
    am_rng_init(&rng, 7, 0);

    /* IDX: images in every element type, gzip and plain, and labels. */
    uint8_t u8[2 * 3 * 4];
    float f32[2 * 3 * 4];
    int16_t i16[6];
    for (int i = 0; i < 24; i++)
        u8[i] = (uint8_t)(i * 10), f32[i] = (float)i / 24.0f;
    for (int i = 0; i < 6; i++)
        i16[i] = (int16_t)(i - 3);
    size_t d3[3] = {2, 3, 4}, d1[1] = {2}, d2[2] = {2, 3};
    uint8_t lab[2] = {0, 9};
    CHECK(am_idx_write(at("idx", "u8.idx"), AM_IDX_U8, 3, d3, u8));
    CHECK(am_idx_write(at("idx", "u8.idx.gz"), AM_IDX_U8, 3, d3, u8));
    CHECK(am_idx_write(at("idx", "f32.idx"), AM_IDX_F32, 3, d3, f32));
    CHECK(am_idx_write(at("idx", "i16.idx.gz"), AM_IDX_I16, 2, d2, i16));
    CHECK(am_idx_write(at("idx", "labels.idx"), AM_IDX_U8, 1, d1, lab));

    /* Stores of every model and rule. */
    am_patterns *p;
    CHECK(am_patterns_create(&p, 20, 3));
    am_patterns_random(p, &rng);
    const am_rule rules[] = {AM_RULE_HEBB, AM_RULE_STORKEY, AM_RULE_PINV};
    const char *rnames[] = {"hebb.store", "storkey.store", "pinv.store"};
    for (int r = 0; r < 3; r++) {
        am_hopfield *h;
        CHECK(am_hopfield_create(&h, 20, rules[r]));
        CHECK(am_hopfield_store(h, p));
        if (r == 1) {
            float th[20];
            for (int i = 0; i < 20; i++)
                th[i] = 0.01f * (float)i;
            CHECK(am_hopfield_set_threshold(h, th));
        }
        CHECK(am_hopfield_save(h, at("store", rnames[r])));
        am_hopfield_free(h);
    }
    am_dense *d;
    CHECK(am_dense_create(&d, 20, AM_F_POLY, 3));
    CHECK(am_dense_store(d, p));
    CHECK(am_dense_save(d, at("store", "poly3.store")));
    am_dense_free(d);
    CHECK(am_dense_create(&d, 20, AM_F_EXP, 0));
    CHECK(am_dense_store(d, p));
    CHECK(am_dense_save(d, at("store", "exp.store")));
    am_dense_free(d);
    am_modern *m;
    float x[3 * 20];
    am_patterns_to_float(p, x);
    CHECK(am_modern_create(&m, 20, 4.0));
    CHECK(am_modern_store(m, x, 3));
    CHECK(am_modern_save(m, at("store", "modern.store")));
    am_modern_free(m);
    am_patterns_free(p);

    /* Sequence stores of every type: a cyclic sequence of 3 and an open one of 2 (seqload; store replays them
     * through the generic verbs). */
    {
        static const char *const seqtypes[] = {"seq-hebb", "seq-dense", "seq-mixed", "seq-pinv", "seq-modern"};
        am_patterns *sq;
        CHECK(am_patterns_create(&sq, 20, 5));
        am_patterns_random(sq, &rng);
        for (int k = 0; k < 5; k++) {
            am_store_config c;
            am_store *s;
            am_patterns v = *sq;
            char name[32];
            CHECK(am_store_config_init(&c, seqtypes[k], 20));
            CHECK(am_store_create(&s, &c));
            v.count = 3;
            CHECK(am_sequence_add(s, &v, 1));
            v.bits += 3 * sq->words;
            v.count = 2;
            CHECK(am_sequence_add(s, &v, 0));
            snprintf(name, sizeof name, "%s.store", seqtypes[k]);
            CHECK(am_store_save(s, at("seqload", name)));
            CHECK(am_store_save(s, at("store", name)));
            am_store_free(s);
        }
        am_patterns_free(sq);
    }

    /* Encoders: a PCA and a small MLP. */
    float data[40 * 6];
    for (int i = 0; i < 40 * 6; i++)
        data[i] = (float)am_rng_uniform(&rng);
    am_pca *pca;
    CHECK(am_pca_fit(&pca, data, 40, 6, 2));
    CHECK(am_pca_save(pca, at("encoder", "pca.model")));
    am_pca_free(pca);
    am_ae_config cfg;
    am_ae *ae;
    CHECK(am_ae_config_parse(&cfg, "6,3,6", "relu", NULL, "sigmoid", "mse"));
    CHECK(am_ae_create(&ae, &cfg, &rng));
    CHECK(am_ae_save(ae, at("encoder", "mlp.model")));
    am_ae_free(ae);
    CHECK(am_ae_config_parse(&cfg, "6,4,2,4,6", "tanh", "linear", "sigmoid", "bce"));
    CHECK(am_ae_create(&ae, &cfg, &rng));
    CHECK(am_ae_save(ae, at("encoder", "deep.model")));
    am_ae_free(ae);

    /* Convolutional networks: a classifier with batch normalisation, an autoencoder; descriptions. */
    static const char *const cnns[][4] = {
        {"1x6x6", "conv2k3p1,bn,relu,maxpool2,flat,fc4,relu,fc3", "xent", "classifier.model"},
        {"2x8", "conv3k3s2p1,tanh,avgpool2,code,flat,fc16,sigmoid", "bce", "conv1d.model"},
        {"1x4x4", "conv2k3p1,relu,maxpool2,flat,fc3,code,fc8,view2x2x2,up2,conv1k3p1,sigmoid", "mse", "ae.model"}};
    for (size_t k = 0; k < sizeof cnns / sizeof cnns[0]; k++) {
        am_cnn *cn;
        am_cnn_loss loss;
        CHECK(am_cnn_loss_parse(cnns[k][2], &loss));
        CHECK(am_cnn_create(&cn, cnns[k][0], cnns[k][1], loss, &rng, NULL, 0));
        CHECK(am_cnn_save(cn, at("cnn", cnns[k][3])));
        CHECK(am_cnn_save(cn, at("encoder", cnns[k][3])));
        am_cnn_free(cn);
        char spec[400], sname[32];
        /* The first byte picks the loss (its value mod 3: '0' xent, '1' mse, '2' bce). */
        int len = snprintf(spec, sizeof spec, "%c%s\n%s", '0' + (int)loss, cnns[k][0], cnns[k][1]);
        snprintf(sname, sizeof sname, "spec-%zu.txt", k);
        text("cnn", sname, spec, (size_t)len);
    }

    /* Latents as autoencoder encode writes them. */
    static const char lat[] = "# program: autoencoder 0.1.0\n# model: m\nindex\tlabel\tz1\tz2\tz3\n"
                              "0\t3\t0.5\t-1.25\t2e-3\n1\t-1\t0\t1\t2\n";
    text("latents", "encode.tsv", lat, sizeof lat - 1);

    /* Option values (one per line: range/list, activation, code act, output act, loss). */
    static const char *const opt[] = {"0.02:0.2:0.01", "784,256,64,256,784\nrelu\n\nsigmoid\nmse",
                                      "noise:0.3,occlude:14,class", "28x28", "hebb,storkey,pinv", "1e-3,16,1e30"};
    for (size_t k = 0; k < sizeof opt / sizeof *opt; k++) {
        char name[32];
        snprintf(name, sizeof name, "opt%zu", k);
        text("options", name, opt[k], strlen(opt[k]));
    }
    /* Command lines, NUL-separated. */
    static const char a1[] = "--model\0dense\0--u\0" "7\0--n=3\0--x\0" "0.25\0--seed\0" "9";
    static const char a2[] = "--flag\0--list\0a,b\0--out\0-\0--threads\0" "2\0--quiet";
    static const char a3[] = "--help";
    text("cli", "a1", a1, sizeof a1 - 1);
    text("cli", "a2", a2, sizeof a2 - 1);
    text("cli", "a3", a3, sizeof a3 - 1);
    /* A checkpoint record stream: count 4, result size 8 (one well-formed record is built by the target's
     * CRC, so the seed is the raw shape; the fuzzer finds the rest). */
    static const char ck[] = "\x03\x07" "\x01\0\0\0\0\0\0\0" "\0\0\0\0" "abcdefgh";
    text("checkpoint", "c1", ck, sizeof ck - 1);
    /* WAV: 16-bit mono, float stereo, and a WordNet data line. */
    {
        float tone[200];
        for (int i = 0; i < 200; i++)
            tone[i] = (float)(0.5 * sin(0.3 * i));
        /* damage to a concept database (see fuzz-conceptdb.c): none (read; read and write; layout 1 read and
         * upgraded), a truncation, the last page of meta page 1, 8 bytes xored into a page, a page copied
         * over another */
        text("conceptdb", "none.bin", "", 0);
        text("conceptdb", "write.bin", "\x01", 1);
        text("conceptdb", "layout1.bin", "\x03", 1);
        text("conceptdb", "truncate.bin", "\x00\x02\x05\x00\x64\x00\x00", 7);
        text("conceptdb", "meta.bin", "\x00\x00\x01\x00\x88\x00\x08\xff\xff\xff\xff\xff\xff\xff\xff", 15);
        text("conceptdb", "xor.bin", "\x01\x01\x03\x00\x14\x00\x08\x01\x02\x04\x08\x10\x20\x40\x80", 15);
        text("conceptdb", "copy.bin", "\x00\x03\x02\x00\x04\x00\x00", 7);
        CHECK(am_wav_write(at("wav", "tone16.wav"), tone, 200, 16000));
        static const char fw[] = "RIFF\x34\0\0\0WAVEfmt \x10\0\0\0\x03\0\x02\0\x80\x3e\0\0\0\xfa\0\0\x08\0\x20\0data\x10\0\0\0"
                                 "\0\0\0\x3f\0\0\0\xbf\0\0\x80\x3f\0\0\0\0";
        text("wav", "float-stereo.wav", fw, sizeof fw - 1);
        static const char wn[] = "03472535 06 n 03 gym_shoe 0 sneaker 0 tennis_shoe 0 002 @ 04199027 n 0000 ~ 03967270 n "
                                 "0000 | a canvas shoe with a pliable rubber sole  \n";
        text("wordnet", "sneaker", wn, sizeof wn - 1);
    }
    /* ABC: texts that use every feature of the reader, and one the library writes. */
    {
        static const char *const abc[] = {
            ("X:1\nT:Features\nM:6/8\nL:1/8\nQ:3/8=60\nK:Dphr ^F\n|:\"Am\"A>B (3cde {g}f2-f|1 [CEG]2 z x Z:|2 ^/c _d =e __f ^^g|]\n"
             "[K:G][L:1/16][M:3/4] a'b,c/ d// e3/2 ~f !trill!g +fermata+a y .b \\\nV:2\nC D & E|V:1\nC :: D [1 E :| [2 F||\n"),
            "%%begintext\nfree text\n%%endtext\nX:2\nT:Legacy\nQ:120\nM:C|\nK:HP\nV:1\n(5ABcde (3:2:2 fg a<b c>>d\nw: words\n\n",
            "X:3\nM:none\nK:C^f^c^a\n^3/c _22/100E [C_1/3EGc]2 ! C D|\n",
        };
        char name[32];
        for (size_t i = 0; i < sizeof abc / sizeof *abc; i++) {
            snprintf(name, sizeof name, "features%zu.abc", i);
            text("abc", name, abc[i], strlen(abc[i]));
        }
        am_melodies *ms;
        CHECK(am_abc_parse(abc[0], strlen(abc[0]), "seed", &ms, NULL, 0));
        CHECK(am_abc_write(at("abc", "written.abc"), ms));
        am_melodies_free(ms);
    }
    /* Signed graphs: a generic edge list as the library writes it (a planted XOR motif), a sign table, and
     * c302's pair (neuron table, NUL, edge list). */
    {
        uint32_t s[] = {0, 0, 1, 1, 4, 4, 2, 3};
        uint32_t d[] = {2, 4, 3, 4, 2, 3, 5, 5};
        int8_t sg[] = {1, 1, 1, 1, -1, -1, 1, 1};
        am_graph *g = NULL;
        CHECK(am_graph_from_edges(&g, 6, NULL, NULL, 8, s, d, NULL, sg));
        FILE *f = fopen(at("graph", "xor.csv"), "w");
        if (!f || am_graph_write_csv(g, f) || fclose(f))
            exit(1);
        am_graph_free(g);
        static const char signs[] = "name,sign\nA,GABA\nB,+\n";
        text("graph", "signs.csv", signs, sizeof signs - 1);
        static const char c302[] = "{\"muscle_info\": {\"MDL01\": []}, \"neuron_info\": {\"AVAL\": [\"u\", [\"inter\"], [], "
                                   "[\"Glutamate\"], \"+\", \"1\"], \"DD1\": [\"u\", [], [], [\"GABA\"], \"-\", \"1\"]}}\0"
                                   "Source,Target,Weight,Type\nAVAL , DD01 ,2,chemical\nDD01,AVAL,1,electrical\n"
                                   "DD01,MDL01,3,chemical\n";
        text("c302", "pair", c302, sizeof c302 - 1);
    }
    /* Spectrogram settings as speech-data writes them, with mels and with linear bins. */
    static const char st1[] = "# the spectrogram settings of this data set (read by bin/spectrogram)\nrate 16000\nnfft 512\n"
                              "hop 256\nmels 40\nframes 64\nfloor_db 80\n";
    static const char st2[] = "rate 8000\r\nnfft 64\r\nhop 64\r\nmels 0\r\nframes 1\r\nfloor_db 12.5\r\n";
    text("stft-settings", "speech-data", st1, sizeof st1 - 1);
    text("stft-settings", "linear-crlf", st2, sizeof st2 - 1);
    /* FFTW wisdom, as am_fft_wisdom_save writes it after measured plans. */
    {
        am_stft_config c;
        am_stft_config_default(&c);
        c.nfft = 64, c.hop = 16, c.mels = 8;
        am_stft *s = NULL;
        CHECK(am_stft_create(&s, &c, AM_FFT_MEASURE));
        am_stft_free(s);
        CHECK(am_fft_wisdom_save(at("wisdom", "measured")));
    }
    /* WordNet: an index.noun, a NUL, a data.noun (offsets are the byte offsets of the lines), and an index
     * alone (read beside the target's own data.noun). */
    static const char wn[] = "  1 license line\nshoe n 1 1 @ 1 0 00000088\nsneaker n 2 1 @ 2 1 00000012 00000088\n"
                             "tee_shirt n 1 0 1 0 00000012\n"
                             "\0  1 license\n"
                             "00000012 06 n 02 sneaker 0 gym_shoe 0 001 @ 00000088 n 0000 | a canvas shoe\n"
                             "00000088 06 n 01 shoe 0 001 @i 00000012 n 0000 | footwear\n";
    text("wordnet-index", "dict", wn, sizeof wn - 1);
    text("wordnet-index", "index-only", wn, strlen(wn));
    /* Patterns drawn as text: the letters A and B as the library draws them, and a CRLF file. */
    {
        am_patterns *p2;
        CHECK(am_patterns_create(&p2, 5 * 7, 2));
        CHECK(am_patterns_letters(p2, 5, 7, "AB"));
        char drawn[2 * 7 * 7 + 8];
        size_t k = 0;
        for (size_t mu = 0; mu < 2; mu++) {
            for (size_t i = 0; i < 35; i++) {
                drawn[k++] = am_patterns_unit(p2, mu, i) > 0 ? '#' : '.';
                if (i % 5 == 4)
                    drawn[k++] = '\n';
            }
            drawn[k++] = '\n';
        }
        text("patterns-text", "letters", drawn, k);
        am_patterns_free(p2);
        static const char crlf[] = "#.#\r\n.#.\r\n\r\n...\r\n###\r\n";
        text("patterns-text", "crlf", crlf, sizeof crlf - 1);
    }
    /* Label names: the Fashion-MNIST class names as the library names them, and UTF-8 names. */
    {
        char names[512];
        size_t k = 0;
        for (int c = 0; c < 10; c++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s\n", am_fashion_class_name(c));
        text("labels", "fashion", names, k);
        static const char utf8[] = "caf\xc3\xa9\nna\xc3\xafve\n\xe2\x80\x94 dash\n";
        text("labels", "utf8", utf8, sizeof utf8 - 1);
    }
    /* MIDI: tunes the library writes (rests, a title, 6/8, a key), and a hand-made format-1 file with running
     * status, velocity-0 offs, sysex, a drum track and overlapping notes. */
    {
        am_note tune[] = {{60, 0, 480}, {62, 480, 240}, {AM_REST, 720, 240}, {64, 960, 960}, {67, 1920, 1}};
        am_melody m = {"Seed", 0, 6, 8, 2, 96, 0, 5, tune};
        CHECK(am_midi_write(at("midi", "tune.mid"), &m, 0));
        m.count = 1, m.title = "", m.meter_num = m.meter_den = 0;
        CHECK(am_midi_write(at("midi", "one.mid"), &m, 40));
        static const char f1[] = "MThd\0\0\0\6\0\1\0\3\0\x60"
                                 "MTrk\0\0\0\x16\0\xff\x03\2F1\0\xff\x51\3\x07\xa1\x20\0\xf0\2\1\xf7\0\xff\x2f\0"
                                 "MTrk\0\0\0\x18\0\x90\x3c\x50\x30\x40\x50\x30\x3c\0\x30\x40\0\0\x81\x43\x40\x60\x43\0\0\xff\x2f\0"
                                 "MTrk\0\0\0\x0b\0\x99\x24\x64\x60\x24\0\0\xff\x2f\0";
        text("midi", "format1.mid", f1, sizeof f1 - 1);
    }
    return 0;
}

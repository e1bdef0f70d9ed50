package textgen

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
)

//go:embed corpus/opticks.txt
var corpus string

// heldOutEvery: paragraph i is held out of training when i%heldOutEvery == 0.
const heldOutEvery = 10

// Model is a word-level trigram language model with backoff to bigrams and
// unigrams. It is immutable after Train and safe for concurrent use.
type Model struct {
	words []string          // id -> word
	ids   map[string]uint32 // word -> id
	tri   map[uint64][]cand // (w1, w2) -> next words
	bi    map[uint32][]cand // w -> next words
	uni   []cand
}

// cand is a possible next word and how often it followed the context.
type cand struct {
	id    uint32
	count uint32
}

// paragraphs splits the corpus at blank lines.
func paragraphs(text string) []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// split returns the training and held-out paragraphs of text.
func split(text string) (train, held []string) {
	for i, p := range paragraphs(text) {
		if i%heldOutEvery == 0 {
			held = append(held, p)
		} else {
			train = append(train, p)
		}
	}
	return train, held
}

var builtin = sync.OnceValues(func() (*Model, []string) {
	train, held := split(corpus)
	return Train(train), held
})

// Builtin is the model trained on the training split of the embedded
// corpus. It is trained once per process, on first use (tens of milliseconds).
func Builtin() *Model {
	m, _ := builtin()
	return m
}

// HeldOut is the embedded corpus's held-out paragraphs (prompts only).
func HeldOut() []string {
	_, h := builtin()
	return slices.Clone(h)
}

// Train builds a model from paragraphs of text. Paragraph boundaries are
// not crossed by any n-gram.
func Train(paras []string) *Model {
	m := &Model{ids: map[string]uint32{}}
	tri := map[uint64]map[uint32]uint32{}
	bi := map[uint32]map[uint32]uint32{}
	uni := map[uint32]uint32{}
	for _, p := range paras {
		toks := Tokenize(p)
		ids := make([]uint32, len(toks))
		for i, t := range toks {
			ids[i] = m.intern(t)
			uni[ids[i]]++
			if i >= 1 {
				inc(bi, ids[i-1], ids[i])
			}
			if i >= 2 {
				inc(tri, key(ids[i-2], ids[i-1]), ids[i])
			}
		}
	}
	m.tri = make(map[uint64][]cand, len(tri))
	for k, c := range tri {
		m.tri[k] = m.sorted(c)
	}
	m.bi = make(map[uint32][]cand, len(bi))
	for k, c := range bi {
		m.bi[k] = m.sorted(c)
	}
	m.uni = m.sorted(uni)
	return m
}

func inc[K comparable](m map[K]map[uint32]uint32, k K, next uint32) {
	c := m[k]
	if c == nil {
		c = map[uint32]uint32{}
		m[k] = c
	}
	c[next]++
}

func key(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }

func (m *Model) intern(w string) uint32 {
	if id, ok := m.ids[w]; ok {
		return id
	}
	id := uint32(len(m.words))
	m.words = append(m.words, w)
	m.ids[w] = id
	return id
}

// sorted orders candidates by count, then by word, so that generation never
// depends on map iteration order.
func (m *Model) sorted(c map[uint32]uint32) []cand {
	out := make([]cand, 0, len(c))
	for id, n := range c {
		out = append(out, cand{id, n})
	}
	slices.SortFunc(out, func(a, b cand) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		return strings.Compare(m.words[a.id], m.words[b.id])
	})
	return out
}

// VocabSize is the number of distinct tokens seen in training.
func (m *Model) VocabSize() int { return len(m.words) }

// Word returns the token with id i (0 <= i < VocabSize).
func (m *Model) Word(i int) string { return m.words[i] }

// topK bounds the candidates considered at each step: the continuation is
// drawn from the k most frequent followers, weighted by count.
const topK = 4

// Generate continues prompt by n tokens. The result depends only on the
// model and the prompt's tokens.
func (m *Model) Generate(prompt string, n int) []string {
	toks := Tokenize(prompt)
	rng := newSplitmix(toks)
	const unknown = ^uint32(0)
	p1, p2 := unknown, unknown
	if len(toks) >= 2 {
		p1 = m.lookup(toks[len(toks)-2])
	}
	if len(toks) >= 1 {
		p2 = m.lookup(toks[len(toks)-1])
	}
	out := make([]string, 0, n)
	for range n {
		var cs []cand
		if p1 != unknown && p2 != unknown {
			cs = m.tri[key(p1, p2)]
		}
		if len(cs) == 0 && p2 != unknown {
			cs = m.bi[p2]
		}
		if len(cs) == 0 {
			cs = m.uni
		}
		if len(cs) == 0 {
			break // an empty model
		}
		next := pick(cs, rng.next())
		out = append(out, m.words[next])
		p1, p2 = p2, next
	}
	return out
}

func (m *Model) lookup(w string) uint32 {
	if id, ok := m.ids[w]; ok {
		return id
	}
	return ^uint32(0)
}

func pick(cs []cand, r uint64) uint32 {
	cs = cs[:min(len(cs), topK)]
	var total uint64
	for _, c := range cs {
		total += uint64(c.count)
	}
	x := r % total
	for _, c := range cs {
		if x < uint64(c.count) {
			return c.id
		}
		x -= uint64(c.count)
	}
	return cs[len(cs)-1].id
}

// splitmix is splitmix64, spelled out here so that generation never
// changes with the standard library's generators.
type splitmix struct{ s uint64 }

func newSplitmix(toks []string) *splitmix {
	h := sha256.Sum256([]byte(strings.Join(toks, " ")))
	return &splitmix{binary.BigEndian.Uint64(h[:8])}
}

func (s *splitmix) next() uint64 {
	s.s += 0x9e3779b97f4a7c15
	z := s.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

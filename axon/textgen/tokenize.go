package textgen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenize splits text into lowercase word tokens (runs of letters, digits
// and apostrophes) and punctuation tokens (one of . , ; : ! ?). Every other
// rune separates tokens and is dropped.
func Tokenize(text string) []string {
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == utf8.RuneError:
			flush()
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'':
			b.WriteRune(unicode.ToLower(r))
		case strings.ContainsRune(".,;:!?", r):
			flush()
			toks = append(toks, string(r))
		default:
			flush()
		}
	}
	flush()
	return toks
}

// Detokenize joins tokens into text: words separated by one space,
// punctuation attached to the word before it. Tokenize(Detokenize(t)) == t
// for any t produced by Tokenize.
func Detokenize(toks []string) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && !isPunct(t) {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

func isPunct(t string) bool { return len(t) == 1 && strings.ContainsRune(".,;:!?", rune(t[0])) }

package tao

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		rao  uint64
		want string
	}{
		{0, "0.000000000"},
		{1, "0.000000001"},
		{999_999_999, "0.999999999"},
		{1_000_000_000, "1.000000000"},
		{1_500_000_000, "1.500000000"},
		{21_000_000_000_000_000, "21000000.000000000"},
		{math.MaxUint64, "18446744073.709551615"},
	} {
		if got := Format(tc.rao); got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", tc.rao, got, tc.want)
		}
		if back, err := Parse(Format(tc.rao)); err != nil || back != tc.rao {
			t.Errorf("Parse(Format(%d)) = %d, %v", tc.rao, back, err)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"1", 1_000_000_000},
		{"1.5", 1_500_000_000},
		{".5", 500_000_000},
		{"0.000000001", 1},
		{"0.123456789", 123_456_789},
		{"1.500000000", 1_500_000_000},
		{"0", 0},
		{"  2  ", 2_000_000_000},
		{"2tao", 2_000_000_000},
		{"2 TAO", 2_000_000_000},
		{"2.25Tao", 2_250_000_000},
		{"1500rao", 1500},
		{"1500 RAO", 1500},
		{"0rao", 0},
		{"10_500_000", 10_500_000_000_000_000},
		{"0.000_000_001", 1},
		{"1_500rao", 1500},
		{"18446744073.709551615", math.MaxUint64},
		{"18446744073709551615rao", math.MaxUint64},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrSyntax},
		{"   ", ErrSyntax},
		{"tao", ErrSyntax},
		{"rao", ErrSyntax},
		{".", ErrSyntax},
		{"5.", ErrSyntax},
		{"1.2.3", ErrSyntax},
		{"abc", ErrSyntax},
		{"-1", ErrSyntax},
		{"+1", ErrSyntax},
		{"1e9", ErrSyntax},
		{"0x10", ErrSyntax},
		{"1 000", ErrSyntax},
		{"_1", ErrSyntax},
		{"1_", ErrSyntax},
		{"1__000", ErrSyntax},
		{"1_.5", ErrSyntax},
		{"1._5", ErrSyntax},
		{"1.5rao", ErrSyntax},
		{"2taorao", ErrSyntax},
		{"2raotao", ErrSyntax},
		{"1.0000000001", ErrPrecision},
		{"0.0000000000", ErrPrecision},
		{"18446744073.709551616", ErrRange},
		{"18446744074", ErrRange},
		{"99999999999999999999999", ErrRange},
		{"18446744073709551616rao", ErrRange},
	} {
		got, err := Parse(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) = %d, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "\""+tc.in+"\"") {
			t.Errorf("Parse(%q): error %q does not quote the input", tc.in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.5", "2tao", "1500rao", "10_500_000", "0.000000001", "18446744073.709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses round-trips through Format.
		if back, err := Parse(Format(v)); err != nil || back != v {
			t.Fatalf("Parse(%q) = %d, but Parse(Format) = %d, %v", s, v, back, err)
		}
	})
}

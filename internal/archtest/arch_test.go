package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ring lists the inner packages (relative to the module root) and the rules
// that hold for their non-test files.
type ring struct {
	name     string
	packages []string
	// noFloat forbids float32/float64 identifiers and float literals.
	noFloat bool
}

var rings = []ring{
	{name: "ring 1 (pure math)", packages: []string{"consensus", "emission", "fixed"}, noFloat: true},
	{name: "ring 2 (state transition)", packages: []string{"chain", "subnet", "types", "state"}},
}

// forbiddenImports may not be imported by any inner-ring package. A prefix
// ending in "/" matches the package and everything below it.
var forbiddenImports = []string{
	"github.com/cockroachdb/pebble/",
	"github.com/libp2p/",
	"github.com/cometbft/",
	"github.com/prometheus/",
	"gonum.org/v1/gonum/",
	"net/",
	"os/",
	"time",
	"math/rand/",
	"crypto/rand",
	"sync/",
	"log/",
	"github.com/yumachain/yuma/node/",
	"github.com/yumachain/yuma/storage/pebble",
	"github.com/yumachain/yuma/cmd/",
	"github.com/yumachain/yuma/miner/",
	"github.com/yumachain/yuma/validator/",
}

func forbidden(path string) bool {
	for _, f := range forbiddenImports {
		if strings.HasSuffix(f, "/") {
			base := strings.TrimSuffix(f, "/")
			if path == base || strings.HasPrefix(path, f) {
				return true
			}
		} else if path == f {
			return true
		}
	}
	return false
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", dir, err)
	}
	return dir
}

func TestInnerRingsStayPure(t *testing.T) {
	root := moduleRoot(t)
	for _, r := range rings {
		for _, pkg := range r.packages {
			dir := filepath.Join(root, pkg)
			files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
			for _, file := range files {
				if strings.HasSuffix(file, "_test.go") {
					continue
				}
				checkFile(t, r, pkg, file)
			}
		}
	}
}

type reporter interface {
	Errorf(format string, args ...any)
}

type recorder struct {
	n    int
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.n++
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func checkFile(t *testing.T, r ring, pkg, file string) { checkFileWith(t, r, pkg, file) }

func checkFileWith(t reporter, r ring, pkg, file string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if forbidden(p) {
			t.Errorf("%s: %s package %s imports %s", fset.Position(imp.Pos()), r.name, pkg, p)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GoStmt:
			t.Errorf("%s: %s package %s starts a goroutine", fset.Position(x.Pos()), r.name, pkg)
		case *ast.SelectStmt:
			t.Errorf("%s: %s package %s uses select", fset.Position(x.Pos()), r.name, pkg)
		case *ast.Ident:
			if r.noFloat && (x.Name == "float64" || x.Name == "float32") {
				t.Errorf("%s: %s package %s uses %s", fset.Position(x.Pos()), r.name, pkg, x.Name)
			}
		case *ast.BasicLit:
			if r.noFloat && x.Kind == token.FLOAT {
				t.Errorf("%s: %s package %s has float literal %s", fset.Position(x.Pos()), r.name, pkg, x.Value)
			}
		}
		return true
	})
}

// TestForbiddenMatcher keeps the matcher itself honest.
func TestForbiddenMatcher(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"time", true},
		{"net", true},
		{"net/http", true},
		{"math/bits", false},
		{"math/rand", true},
		{"math/rand/v2", true},
		{"github.com/cockroachdb/pebble", true},
		{"github.com/ethereum/go-ethereum/rlp", false},
		{"gonum.org/v1/gonum/mat", true},
		{"sync", true},
		{"strings", false},
	} {
		if got := forbidden(tc.path); got != tc.want {
			t.Errorf("forbidden(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestCheckerCatchesViolations runs the checker on a deliberately bad file.
func TestCheckerCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.go")
	src := "package bad\nimport (\n\"time\"\n\"net\"\n)\nfunc f() float64 { go func(){}(); _ = time.Now(); _ = net.IPv4len; return 1.5 }\n"
	if err := os.WriteFile(bad, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	checkFileWith(rec, ring{name: "test", noFloat: true}, "bad", bad)
	if rec.n < 5 {
		t.Fatalf("checker found %d violations in a file with 5: %v", rec.n, rec.msgs)
	}
}

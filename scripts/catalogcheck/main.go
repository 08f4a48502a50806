// Command catalogcheck checks the catalog map of conformance/README.md:
// one row for every row of the security catalog (A1-A16, B1-B14, C1-C11,
// D1-D21, E1-E8, F1-F5, G1-G13, H1-H3, R1-R7, K1-K8, S1-S3), each saying
// whether it applies, why not when it does not, and which tests cover it
// when it does; every test named must exist (go test -list in its package;
// a TestConformance/<check> subtest must name a check of the kit). It
// exits 1 listing every problem. make test runs it.
//
//	go run ./scripts/catalogcheck [-readme conformance/README.md]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// sections are the catalog's row letters and how many rows each has.
var sections = []struct {
	letter string
	n      int
}{{"A", 16}, {"B", 14}, {"C", 11}, {"D", 21}, {"E", 8}, {"F", 5}, {"G", 13}, {"H", 3}, {"R", 7}, {"K", 8}, {"S", 3}}

var (
	idRE   = regexp.MustCompile(`^[A-Z][0-9]+$`)
	testRE = regexp.MustCompile(`^([a-z0-9_/]+)\.((?:Test|Fuzz|Example|Benchmark)\w*)(?:/(.+))?$`)
)

// row is one line of the map.
type row struct {
	line             int
	id, applies, why string
	tests            []string
}

func main() {
	readme := flag.String("readme", "conformance/README.md", "the catalog map")
	flag.Parse()
	rows, err := parse(*readme)
	if err != nil {
		fmt.Fprintln(os.Stderr, "catalogcheck:", err)
		os.Exit(2)
	}
	problems := check(rows, newLister(), kitChecks("conformance"))
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "catalogcheck:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("catalogcheck: %d rows mapped, every test named exists\n", len(rows))
}

// parse reads the table rows whose first cell is a row id (A1, D20, ...).
func parse(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseRows(f)
}

// parseRows reads the table rows of a Markdown document.
func parseRows(r io.Reader) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 5 || !idRE.MatchString(cells[0]) {
			continue
		}
		r := row{line: n, id: cells[0], applies: strings.ToLower(cells[2]), why: cells[3]}
		for _, t := range strings.Split(cells[4], ",") {
			if t = strings.Trim(strings.TrimSpace(t), "`"); t != "" && t != "-" {
				r.tests = append(r.tests, t)
			}
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// check returns every problem of rows.
func check(rows []row, list func(pkg string) (map[string]bool, error), kit map[string]bool) []string {
	var problems []string
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.id]++
		where := fmt.Sprintf("line %d (%s)", r.line, r.id)
		switch r.applies {
		case "yes":
			if len(r.tests) == 0 {
				problems = append(problems, where+": applies but names no test")
			}
		case "no":
			if r.why == "" {
				problems = append(problems, where+": does not apply but gives no reason")
			}
		default:
			problems = append(problems, where+": applies is "+strconv.Quote(r.applies)+", want yes or no")
		}
		for _, t := range r.tests {
			if p := checkTest(t, list, kit); p != "" {
				problems = append(problems, where+": "+p)
			}
		}
	}
	for _, s := range sections {
		for i := 1; i <= s.n; i++ {
			id := s.letter + strconv.Itoa(i)
			switch seen[id] {
			case 0:
				problems = append(problems, "row "+id+" is missing")
			case 1:
			default:
				problems = append(problems, "row "+id+" appears more than once")
			}
			delete(seen, id)
		}
	}
	for id := range seen {
		problems = append(problems, "row "+id+" is not a row of the threat table")
	}
	return problems
}

// checkTest returns a problem with the test reference t, or "".
func checkTest(t string, list func(pkg string) (map[string]bool, error), kit map[string]bool) string {
	m := testRE.FindStringSubmatch(t)
	if m == nil {
		return fmt.Sprintf("%q is not package.TestName", t)
	}
	names, err := list(m[1])
	if err != nil {
		return fmt.Sprintf("%s: %v", t, err)
	}
	if !names[m[2]] {
		return fmt.Sprintf("%s: no %s in package %s", t, m[2], m[1])
	}
	if m[2] == "TestConformance" && m[3] != "" && !kit[m[3]] {
		return fmt.Sprintf("%s: the conformance kit has no check %q", t, m[3])
	}
	return ""
}

// newLister returns a function listing a package's tests with go test
// -list, once per package; a package under a nested module is listed from
// that module.
func newLister() func(pkg string) (map[string]bool, error) {
	memo := map[string]map[string]bool{}
	return func(pkg string) (map[string]bool, error) {
		if names, ok := memo[pkg]; ok {
			return names, nil
		}
		dir, rel := moduleOf(pkg)
		cmd := exec.Command("go", "test", "-list", ".", "./"+rel)
		cmd.Dir = dir
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go test -list ./%s in %s: %v", rel, dir, err)
		}
		names := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "ok ") {
				names[l] = true
			}
		}
		memo[pkg] = names
		return names, nil
	}
}

// moduleOf returns the directory of the module holding pkg (the nearest
// parent with a go.mod) and pkg relative to it.
func moduleOf(pkg string) (dir, rel string) {
	for d := pkg; d != "." && d != "/" && d != ""; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			r, _ := filepath.Rel(d, pkg)
			return d, r
		}
	}
	return ".", pkg
}

var kitNameRE = regexp.MustCompile(`name:\s*"([a-z0-9-]+)"|^\s*(?:mis|hook|fault)\("([a-z0-9-]+)"`)

// kitChecks returns the check names declared in the kit's source, in dir.
func kitChecks(dir string) map[string]bool {
	out := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			for _, m := range kitNameRE.FindAllStringSubmatch(l, -1) {
				out[m[1]+m[2]] = true
			}
		}
	}
	return out
}

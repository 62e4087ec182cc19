package assemble

import (
	"math"
	"strings"
	"testing"
)

func TestWriteMPS(t *testing.T) {
	var m model
	inf := math.Inf(1)
	y := m.addCol("y", -1, -inf, inf, false)
	a := m.addCol("a", 0, 0, 1, true)
	b := m.addCol("b", 0, 1, 1, true)
	z := m.addCol("z", 0, 0, 0.5, false)
	m.addRow("obj1", -inf, 2.5, []int{y, a, b}, []float64{1, -3, -1})
	m.addRow("len", 2, 2, []int{a, b}, []float64{1, 1})
	m.addRow("rng", 1, 4, []int{a, z}, []float64{2, 1})
	m.addRow("low", 0, inf, []int{b, z}, []float64{1, -1})
	var sb strings.Builder
	if err := m.writeMPS(&sb); err != nil {
		t.Fatal(err)
	}
	want := `NAME passport FREE
ROWS
 N obj
 L obj1
 E len
 G rng
 G low
COLUMNS
 y obj -1
 y obj1 1
 MARKER 'MARKER' 'INTORG'
 a obj1 -3
 a len 1
 a rng 2
 b obj1 -1
 b len 1
 b low 1
 MARKER 'MARKER' 'INTEND'
 z rng 1
 z low -1
RHS
 rhs obj1 2.5
 rhs len 2
 rhs rng 1
RANGES
 rng rng 3
BOUNDS
 FR bnd y
 BV bnd a
 LO bnd b 1
 UP bnd b 1
 LO bnd z 0
 UP bnd z 0.5
ENDATA
`
	if sb.String() != want {
		t.Errorf("MPS:\n%s\nwant:\n%s", sb.String(), want)
	}
}

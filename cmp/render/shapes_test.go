package render

import (
	"encoding/json"
	"strconv"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type (
	textKey   string
	ptrJSON   struct{ N int }
	valJSON   struct{ N int }
	zeroer    struct{ N int }
	ptrZeroer struct{ N int }
	textOnly  struct{ S string }
	named     *ptrJSON
	Inner     struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
	}
	inner2 struct{ C string }
	// Shapes is one of each case encoding/json treats specially.
	Shapes struct {
		Inner
		P      *Inner             `json:"p,omitempty"`
		Tagged Inner              `json:"tagged"`
		Ptr    ptrJSON            `json:"ptr"`
		PtrP   *ptrJSON           `json:"ptrP"`
		Val    valJSON            `json:"val"`
		Named  named              `json:"named"`
		MapPtr map[string]ptrJSON `json:"mapPtr"`
		MapVal map[string]valJSON `json:"mapVal"`
		Zero   zeroer             `json:"zero,omitzero"`
		PZero  ptrZeroer          `json:"pzero,omitzero"`
		Plain  Inner              `json:"plain,omitzero"`
		Empty  Inner              `json:"empty,omitempty"`
		Iface  any                `json:"iface"`
		Arr    [2]uint8           `json:"arr"`
		U      uint64             `json:"u"`
		Neg    int8               `json:"neg"`
		Skip   string             `json:"-"`
		//lint:ignore SA5008 encoding/json names this field "-"
		Dash string `json:"-,"`
		//lint:ignore SA5008 encoding/json falls back to the Go name
		Bad      string `json:"a\\b"`
		NoTag    string
		private  string
		Nil      []string          `json:"nil"`
		NilMap   map[string]int    `json:"nilMap"`
		Time     metav1.Time       `json:"time"`
		Quantity resource.Quantity `json:"quantity"`
		TextKeys map[textKey]int   `json:"textKeys"`
	}
	Unexported struct{ *inner2 }
	Dup        struct {
		Inner
		A string `json:"a"`
	}
	Quoted struct {
		N int `json:"n,string"`
	}
	Floats   struct{ F float64 }
	Bytes    struct{ B []byte }
	Text     struct{ T textOnly }
	IntKey   struct{ M map[int]string }
	Number   struct{ N json.Number }
	RawObj   struct{ O ptrJSON2 }
	ptrJSON2 struct{}
)

func (p *ptrJSON) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(p.N)), nil }
func (v valJSON) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote("v" + strconv.Itoa(v.N))), nil
}
func (z zeroer) IsZero() bool                   { return z.N < 0 }
func (z *ptrZeroer) IsZero() bool               { return z.N < 0 }
func (t textOnly) MarshalText() ([]byte, error) { return []byte(t.S), nil }
func (k textKey) MarshalText() ([]byte, error)  { return []byte("t" + k), nil }
func (*ptrJSON2) MarshalJSON() ([]byte, error)  { return []byte(`{"k": [1, 2]}`), nil }

// TestWalkShapes: every case encoding/json treats specially is walked as
// it encodes, or declined to the JSON route.
func TestWalkShapes(t *testing.T) {
	walked := []any{
		&Shapes{},
		&Shapes{
			Inner: Inner{A: "x", B: 1}, P: &Inner{}, PtrP: &ptrJSON{N: 3},
			Named: &ptrJSON{N: 4}, MapPtr: map[string]ptrJSON{"k": {N: 5}}, MapVal: map[string]valJSON{"k": {N: 6}},
			Zero: zeroer{N: -1}, PZero: ptrZeroer{N: -1}, Iface: &Inner{A: "i"}, Arr: [2]uint8{1, 2},
			U: 1<<64 - 1, Neg: -128, Skip: "s", Dash: "d", Bad: "b", NoTag: "n", private: "p", Nil: []string{},
			NilMap: map[string]int{}, Time: metav1.Unix(1, 0), Quantity: resource.MustParse("1Gi"),
			TextKeys: map[textKey]int{"b": 2, "a": 1},
		},
		&Shapes{Zero: zeroer{N: 1}, PZero: ptrZeroer{N: 1}, Iface: "s", Plain: Inner{A: "p"}},
	}
	for _, o := range walked {
		if !walkedLikeJSON(t, o) {
			t.Errorf("%+v was not walked", o)
		}
	}
	declined := []any{&Unexported{inner2: &inner2{C: "c"}}, &Dup{}, &Quoted{}, &Floats{}, &Bytes{B: []byte("b")}, &Text{}, &IntKey{M: map[int]string{1: "a"}}, &Number{N: "1"}, &RawObj{}}
	for _, o := range declined {
		if walkedLikeJSON(t, o) {
			t.Errorf("%T was walked", o)
		}
	}
}

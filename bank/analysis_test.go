package bank

import (
	"context"
	"github.com/passportirt/passport/irt"
	"reflect"
	"strings"
	"testing"
)

// TestAnalysisData reads back a small log's options, omits, score-only
// responses and forms, whole and filtered.
func TestAnalysisData(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 3) // keys: IT001 B, IT002 C, IT003 D
	log := "examinee,form,item,option,score\n" +
		"E1,F1,IT001,B,\n" + // the key: option 2, score 1
		"E1,F1,IT002,-,\n" + // omitted: option 0, score 0
		"E2,F2,IT002,,1\n" + // a score only: option −1
		"E2,F2,IT003,C,\n" // a distractor: option 3, score 0
	imp, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.AnalysisData(ctx, AnalysisFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := &irt.Responses{
		Items: []irt.ItemInfo{
			{Code: "IT001", Domain: "idioms", Key: 2, NOptions: 4},
			{Code: "IT002", Domain: "performance", Key: 3, NOptions: 4},
			{Code: "IT003", Domain: "stdlib", Key: 4, NOptions: 4},
		},
		Forms:     []string{"F1", "F2"},
		Examinees: []string{"E1", "E2"},
		Form:      []int32{0, 1},
		Start:     []int{0, 2, 4},
		Item:      []int32{0, 1, 1, 2},
		Option:    []int8{2, 0, -1, 3},
		Score:     []uint8{1, 0, 1, 0},
		Omitted:   1,
		Imports:   []int64{imp.ImportID},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("AnalysisData:\n got %+v\nwant %+v", d, want)
	}

	d, err = b.AnalysisData(ctx, AnalysisFilter{Form: "F2", Items: []string{"IT003"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].Code != "IT003" || !reflect.DeepEqual(d.Examinees, []string{"E2"}) ||
		!reflect.DeepEqual(d.Forms, []string{"F2"}) || !reflect.DeepEqual(d.Option, []int8{3}) || !reflect.DeepEqual(d.Item, []int32{0}) {
		t.Errorf("form F2, item IT003: %+v", d)
	}
	// Form F1's examinee answered IT001 and IT002 only: IT003 is left out.
	d, err = b.AnalysisData(ctx, AnalysisFilter{Form: "F1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 2 || d.Items[1].Code != "IT002" || !reflect.DeepEqual(d.Item, []int32{0, 1}) {
		t.Errorf("form F1: %+v", d)
	}
	if _, err := b.AnalysisData(ctx, AnalysisFilter{Form: "F9"}); err == nil || !strings.Contains(err.Error(), "form F9 is not in the bank") {
		t.Errorf("an unknown form: %v", err)
	}
	if _, err := b.AnalysisData(ctx, AnalysisFilter{Items: []string{"IT001", "NOPE"}}); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("an unknown item: %v", err)
	}
}

// TestAnalysisDataWide: a wide import without a form puts every examinee
// on the form "", and NA cells are not responses.
func TestAnalysisDataWide(t *testing.T) {
	ctx := context.Background()
	b := openTemp(t)
	wide := "X1,X2\n1,2\nNA,3\n"
	_, err := b.ImportWide(ctx, "w.csv", strings.NewReader(wide), WideOptions{Key: []string{"1", "3"}, AddItems: true, Domain: "stdlib", NOptions: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.AnalysisData(ctx, AnalysisFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Forms, []string{""}) || !reflect.DeepEqual(d.Form, []int32{0, 0}) ||
		!reflect.DeepEqual(d.Start, []int{0, 2, 3}) || !reflect.DeepEqual(d.Option, []int8{1, 2, 3}) ||
		!reflect.DeepEqual(d.Score, []uint8{1, 0, 1}) {
		t.Errorf("wide: %+v", d)
	}
}

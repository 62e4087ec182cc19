package cat

import (
	"context"
	"testing"
)

func TestQualitySmoke(t *testing.T) {
	pool := simBank(1, 85)
	for _, cfg := range []Config{
		{},
		{Randomesque: 5},
		{Selection: KL},
		{Selection: PWI},
		{Exposure: ExposureRule{Method: RMR, MaxRate: 0.3}},
		{Exposure: ExposureRule{Method: Eligibility, MaxRate: 0.3}},
		{Exposure: ExposureRule{Method: SympsonHetter, MaxRate: 0.3}},
		{Exposure: ExposureRule{Method: RMR, MaxRate: 0.3, Segments: []float64{-1, 0, 1}}},
	} {
		e, err := NewEngine(pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var x *Exposure
		if cfg.Exposure.Method == SympsonHetter {
			if x, err = e.TuneSympsonHetter(context.Background(), 7, 0); err != nil {
				t.Fatal(err)
			}
		}
		st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(1000, 0, 1, 1), Seed: 1, Exposure: x})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v: rmse %.3f bias %.3f se %.3f max %.3f seg %v overlap %.3f unused %d", cfg.Exposure, st.RMSE, st.Bias, st.MeanSE, st.Exposure.Max, st.Exposure.MaxBySegment, st.Exposure.Overlap, st.Exposure.NeverUsed)
	}
}

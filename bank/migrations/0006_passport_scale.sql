-- Every bank has the passport reporting scale: score = slope·θ + intercept
-- through θ = −3 → 300 and θ = 3 → 850, rounded and clamped to [300, 850]
-- (scale.Passport), so that conversion tables need no passport scale
-- define. Slope and intercept are computed as scale.TwoPoints computes
-- them: (850 − 300)/(3 − (−3)) and 300 − slope·(−3). A bank that already
-- has a scale named passport keeps its own.
INSERT INTO scales (name, slope, intercept, min_score, max_score, definition, created_at)
SELECT 'passport',
       (850.0 - 300.0) / (3.0 - (-3.0)),
       300.0 - (850.0 - 300.0) / (3.0 - (-3.0)) * (-3.0),
       300.0, 850.0,
       '{"points":[-3,300,3,850]}',
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
WHERE NOT EXISTS (SELECT 1 FROM scales WHERE name = 'passport');

-- A calibration run's options become a typed record (bank.RunSettings):
-- prior keys in snake_case, and a linked run's linking nested under
-- "linked". Every other key is unchanged.
UPDATE calibrations SET options = json_set(options, '$.priors', json_object(
        'log_a_mean', COALESCE(json_extract(options, '$.priors.LogAMean'), 0),
        'log_a_sd',   COALESCE(json_extract(options, '$.priors.LogASD'), 0),
        'b_mean',     COALESCE(json_extract(options, '$.priors.BMean'), 0),
        'b_sd',       COALESCE(json_extract(options, '$.priors.BSD'), 0),
        'c_alpha',    COALESCE(json_extract(options, '$.priors.CAlpha'), 0),
        'c_beta',     COALESCE(json_extract(options, '$.priors.CBeta'), 0),
        'c_auto',     json(CASE WHEN json_extract(options, '$.priors.CAuto') THEN 'true' ELSE 'false' END)))
    WHERE json_type(options, '$.priors') = 'object'
      AND json_type(options, '$.priors.LogAMean') IS NOT NULL;

UPDATE calibrations SET options = json_object('linked', json_object(
        'linking',  json_extract(options, '$.linking'),
        'method',   json_extract(options, '$.method'),
        'A',        json_extract(options, '$.A'),
        'B',        json_extract(options, '$.B'),
        'from_run', json_extract(options, '$.from_run'),
        'to_run',   json_extract(options, '$.to_run')))
    WHERE source = 'linked' AND json_type(options, '$.linking') IS NOT NULL;

UPDATE calibrations SET options = json_set(options, '$.priors', json('{}'))
    WHERE json_type(options, '$.priors') = 'null';
